import type { ReportedFinding } from '../../alerts/pipeline';
import { failedToDeliver, type UndeliveredChannel } from '../../alerts/stage';
import type { CheckStatus } from '../core/types';

/** The run report (DESIGN.md §3), printed by `run --format json`. */
export interface RunReport {
  startedAt: string;
  finishedAt: string;
  dryRun?: boolean;
  checks: Array<{
    id: string;
    kind: string;
    /** `pending`: every finding of the check waits out its `for:` (the check's run status is `firing`). */
    status: CheckStatus | 'pending';
    durationMs: number;
    error?: string;
    findings: ReportedFinding[];
    /**
     * Alerts still firing that this run did not see (a table it could not count, a check that failed), kept as they
     * were: Chat, `guardrail alerts` and guardrail_findings count them too.
     */
    kept?: Pick<ReportedFinding, 'key' | 'severity' | 'title'>[];
  }>;
  notifications: {
    sent: number;
    failed: number;
    pending: number;
    suppressed: number;
    dropped?: number;
    /** Channels whose messages this run could not deliver, and why (the run exits 4, see `failedToDeliver`). */
    undelivered?: UndeliveredChannel[];
  };
}

const STATUS_MARK: Record<CheckStatus | 'pending', string> = {
  ok: 'ok    ',
  firing: 'FIRING',
  pending: 'PENDING',
  error: 'ERROR ',
  skipped: 'skip  ',
};

/** The human summary printed at the end of `run` (text format). */
export function formatReport(report: RunReport): string {
  const lines = [
    '',
    `Guardrail run ${report.startedAt}${report.dryRun ? ' (dry run: nothing sent, no state changed)' : ''}`,
  ];
  for (const check of report.checks) {
    const firing = check.findings.filter((f) => f.state !== 'resolved' && f.state !== 'retired');
    const counts = firing.length ? ` ${firing.length} finding(s)` : '';
    const resolved = check.findings.filter((f) => f.state === 'resolved').length;
    const retired = check.findings.filter((f) => f.state === 'retired').length;
    const kept = check.kept ?? [];
    const extra =
      (resolved ? `, ${resolved} resolved` : '') +
      (retired ? `, ${retired} no longer checked` : '') +
      (kept.length ? `, ${kept.length} kept firing (not seen this run)` : '');
    const err = check.error ? ` — ${check.error}` : '';
    lines.push(
      `  ${STATUS_MARK[check.status]} ${check.id} (${check.kind}, ${check.durationMs} ms)${counts}${extra}${err}`,
    );
    for (const f of check.findings) lines.push(`           [${f.state}] ${f.severity}: ${f.title}`);
    for (const f of kept) lines.push(`           [kept] ${f.severity}: ${f.title}`);
  }
  const n = report.notifications;
  lines.push(
    `Notifications: ${n.sent} sent, ${n.failed} failed attempts, ${n.pending} pending, ${n.suppressed} suppressed` +
      (n.dropped ? `, ${n.dropped} dropped` : ''),
  );
  for (const u of n.undelivered ?? []) {
    const counts = [u.pending ? `${u.pending} waiting` : '', u.dropped ? `${u.dropped} dropped` : '']
      .filter(Boolean)
      .join(', ');
    const mark = failedToDeliver(u) ? 'NOT DELIVERED to' : 'LEFT TO ANOTHER RUN:';
    lines.push(`  ${mark} ${u.channel} (${counts}): ${u.reason}`);
  }
  return lines.join('\n');
}
