import { asIs, type Queryable } from './postgres-db';
import { ERROR_KEY_SQL } from '../core/types';
import {
  ALERT_STATE_COLUMNS,
  ALERT_STATE_UPDATE,
  OUTBOX_COLUMNS,
  alertStateValues,
  outboxValues,
  toAlertState,
  toPreviousAlertState,
  uniqueKeys,
  type AlertStateRow,
} from './rows';
import type { AlertDecision, AlertState, PreviousAlertState } from './types';

/** First key of the two-key advisory locks on check alert states ("alrt"); migrations use a one-key lock. */
export const ALERT_LOCK_SPACE = 0x616c7274;

export type { Queryable } from './postgres-db';

/**
 * The check's alert states; with `keys`, only the firing and pending conditions and the states of `keys` (see
 * StateStore).
 */
export async function readAlertStates(db: Queryable, checkId: string): Promise<AlertState[]> {
  const { rows } = await db.query<AlertStateRow>(
    'SELECT * FROM guardrail_alert_state WHERE check_id = $1 ORDER BY key',
    [checkId],
  );
  return rows.map((row) => toAlertState(row, asIs));
}

/** A run's previous states (see PreviousAlertState): a condition of the run's keys without its finding. */
export async function readPreviousAlertStates(
  db: Queryable,
  checkId: string,
  keys: readonly string[],
): Promise<PreviousAlertState[]> {
  const { rows } = await db.query<AlertStateRow>(
    `SELECT check_id, key, status, severity, first_firing_at, last_seen_at, last_notified_at, resolved_at,
         pending_runs, silence, lifecycle,
         CASE WHEN lifecycle = 'condition' AND key = ANY($2::text[]) AND NOT ${ERROR_KEY_SQL} THEN NULL
           ELSE finding END AS finding
       FROM guardrail_alert_state WHERE check_id = $1
       AND ((lifecycle = 'condition' AND status IN ('firing', 'pending')) OR key = ANY($2::text[]))
     ORDER BY key`,
    [checkId, uniqueKeys([...keys])],
  );
  return rows.map((row) => toPreviousAlertState(row, asIs));
}

/** Every check's alert states, by check id then key. */
export async function readEveryAlertState(db: Queryable): Promise<AlertState[]> {
  const { rows } = await db.query<AlertStateRow>(
    'SELECT * FROM guardrail_alert_state ORDER BY check_id, key',
  );
  return rows.map((row) => toAlertState(row, asIs));
}

/** Upserts the states and enqueues the messages (a message already there is left as it is). */
export async function writeAlerts(client: Queryable, { states, outbox }: AlertDecision): Promise<void> {
  for (const state of states) {
    await client.query(
      `INSERT INTO guardrail_alert_state (${ALERT_STATE_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb)
       ON CONFLICT (check_id, key) DO UPDATE SET ${ALERT_STATE_UPDATE}`,
      alertStateValues(state),
    );
  }
  for (const record of outbox) {
    await client.query(
      `INSERT INTO guardrail_outbox (${OUTBOX_COLUMNS})
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
      outboxValues(record),
    );
  }
}
