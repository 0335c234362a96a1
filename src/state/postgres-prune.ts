import type { Pool } from 'pg';
import { transaction } from './postgres-db';

/** Deletes what no run needs any more (see StateStore.prune); returns the number of rows deleted. */
export async function pruneBefore(pool: Pool, before: Date): Promise<number> {
  return transaction(pool, async (client) => {
    const outbox = await client.query(
      "DELETE FROM guardrail_outbox WHERE status IN ('sent', 'dropped') AND created_at < $1",
      [before],
    );
    const states = await client.query(
      `DELETE FROM guardrail_alert_state
       WHERE (status IN ('resolved', 'retired') AND resolved_at < $1)
          OR ((lifecycle = 'event' OR status = 'pending') AND last_seen_at < $1)`,
      [before],
    );
    // Tick leases are never released (they name one tick); once expired they hold nothing.
    const leases = await client.query('DELETE FROM guardrail_lease WHERE expires_at < clock_timestamp()');
    const silences = await client.query('DELETE FROM guardrail_silence WHERE ends_at < $1', [before]);
    // An expired plan cannot be applied: its record guards nothing.
    const plans = await client.query('DELETE FROM guardrail_cleanup_plan WHERE expires_at < $1', [before]);
    return [outbox, states, leases, silences, plans].reduce((sum, r) => sum + (r.rowCount ?? 0), 0);
  });
}
