/** How bad a finding is; the one vocabulary of checks, alerts, routes, metrics and cards. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse: info 0, warning 1, critical 2. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The worse of two severities. */
export function worse(a: Severity, b: Severity): Severity {
  return severityRank(b) > severityRank(a) ? b : a;
}

/** For sorting: most severe first. */
export function mostSevereFirst(a: Severity, b: Severity): number {
  return severityRank(b) - severityRank(a);
}
