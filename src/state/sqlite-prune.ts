import type { Database } from 'better-sqlite3';
import { iso } from './rows';

/** Deletes what no run needs any more (see StateStore.prune); returns the number of rows deleted. */
export function pruneBefore(db: Database, before: Date): number {
  const at = iso(before);
  return db
    .transaction(() => {
      const outbox = db
        .prepare("DELETE FROM guardrail_outbox WHERE status IN ('sent', 'dropped') AND created_at < ?")
        .run(at).changes;
      const states = db
        .prepare(
          `DELETE FROM guardrail_alert_state
           WHERE (status IN ('resolved', 'retired') AND resolved_at < ?)
             OR ((lifecycle = 'event' OR status = 'pending') AND last_seen_at < ?)`,
        )
        .run(at, at).changes;
      // Tick leases are never released (they name one tick); once expired they hold nothing.
      const leases = db
        .prepare('DELETE FROM guardrail_lease WHERE expires_at < ?')
        .run(iso(new Date())).changes;
      const silences = db.prepare('DELETE FROM guardrail_silence WHERE ends_at < ?').run(at).changes;
      // An expired plan cannot be applied: its record guards nothing.
      const plans = db.prepare('DELETE FROM guardrail_cleanup_plan WHERE expires_at < ?').run(at).changes;
      return outbox + states + leases + silences + plans;
    })
    .immediate();
}
