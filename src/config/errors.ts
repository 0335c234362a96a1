/** One located problem in the config. */
export interface ConfigIssue {
  file: string;
  line?: number;
  col?: number;
  /** Path inside that file, e.g. `checks[3].tables[0].target`. */
  path: string;
  /** The check the problem belongs to, where there is one. */
  checkId?: string;
  message: string;
  /** Set when the problem is an unset `${VAR}` without a default: its name (iam-policy stands in for secrets). */
  unsetVariable?: string;
  /** Found in the text around an unset variable's stand-in: it holds whatever the variable is set to. */
  aroundStandIn?: boolean;
}

/** What an unset `${VAR}` without a default says, wherever it is found. */
export function unsetVariableMessage(name: string): string {
  return `environment variable ${name} is not set (set it, or give a default: \${${name}:-value})`;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}:${issue.col ?? 1}` : issue.file;
  const path = issue.path ? ` ${issue.path}` : '';
  const check = issue.checkId ? ` (check ${issue.checkId})` : '';
  return `${where}${path}${check}: ${issue.message}`;
}

/** A config that cannot be used; carries every problem found, each located. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
