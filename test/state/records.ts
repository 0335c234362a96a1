import type { Finding } from '../../src/core/types';
import type { AlertState, OutboxRecord } from '../../src/state/types';

/** Builders for the contract test: a valid record, with the fields a case cares about overridden. */
export const finding: Finding = { key: 'vol-1', severity: 'warning', title: 'vol-1 unattached for 8 days' };

export function alert(overrides: Partial<AlertState> = {}): AlertState {
  return {
    checkId: 'idle',
    key: 'vol-1',
    status: 'firing',
    severity: 'warning',
    firstFiringAt: '2025-01-01T00:00:00.000Z',
    lastSeenAt: '2025-01-01T00:00:00.000Z',
    finding,
    ...overrides,
  };
}

export function message(id: string, createdAt: string, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id,
    channel: 'chat',
    checkId: 'idle',
    createdAt,
    payload: { text: `message ${id}`, lines: [1, 2] },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: createdAt,
    ...overrides,
  };
}
