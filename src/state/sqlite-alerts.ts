import type { Database } from 'better-sqlite3';
import { ERROR_KEY_SQL } from '../core/types';
import {
  ALERT_STATE_COLUMNS,
  ALERT_STATE_UPDATE,
  OUTBOX_COLUMNS,
  alertStateValues,
  outboxValues,
  toAlertState,
  toPreviousAlertState,
  type AlertStateRow,
} from './rows';
import { decode } from './sqlite-db';
import type { AlertDecision, AlertState, PreviousAlertState } from './types';

const ALL_STATES = 'SELECT * FROM guardrail_alert_state WHERE check_id = ? ORDER BY key';
/** The firing and pending conditions and the states of the keys in the JSON array `?`. */
/** A run's previous states (see PreviousAlertState): a condition of the run's keys without its finding. */
const RUN_STATES = `SELECT check_id, key, status, severity, first_firing_at, last_seen_at, last_notified_at,
    resolved_at, pending_runs, silence, lifecycle,
    CASE WHEN lifecycle = 'condition' AND key IN (SELECT value FROM json_each(@keys)) AND NOT ${ERROR_KEY_SQL}
      THEN NULL ELSE finding END AS finding
  FROM guardrail_alert_state WHERE check_id = @checkId
  AND ((lifecycle = 'condition' AND status IN ('firing', 'pending')) OR key IN (SELECT value FROM json_each(@keys)))
  ORDER BY key`;

export function readAlertStates(db: Database, checkId: string): AlertState[] {
  const rows = db.prepare(ALL_STATES).all(checkId) as AlertStateRow[];
  return rows.map((row) => toAlertState(row, decode));
}

export function readPreviousAlertStates(
  db: Database,
  checkId: string,
  keys: readonly string[],
): PreviousAlertState[] {
  const rows = db.prepare(RUN_STATES).all({ checkId, keys: JSON.stringify(keys) }) as AlertStateRow[];
  return rows.map((row) => toPreviousAlertState(row, decode));
}

/** Every check's alert states, by check id then key. */
export function readEveryAlertState(db: Database): AlertState[] {
  const rows = db
    .prepare('SELECT * FROM guardrail_alert_state ORDER BY check_id, key')
    .all() as AlertStateRow[];
  return rows.map((row) => toAlertState(row, decode));
}

/** Upserts the states and enqueues the messages (a message already there is left as it is). */
export function writeAlerts(db: Database, { states, outbox }: AlertDecision): void {
  const upsert = db.prepare(
    `INSERT INTO guardrail_alert_state (${ALERT_STATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (check_id, key) DO UPDATE SET ${ALERT_STATE_UPDATE}`,
  );
  const enqueue = db.prepare(
    `INSERT INTO guardrail_outbox (${OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  );
  for (const state of states) upsert.run(alertStateValues(state));
  for (const record of outbox) enqueue.run(outboxValues(record));
}
