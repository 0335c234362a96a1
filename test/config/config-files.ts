import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A valid config that the bad-input cases break one way each. */
export const BASE_CONFIG = `state: { url: "sqlite://state.db" }
connections:
  src: { type: duckdb }
  dst: { type: duckdb }
checks:
  - id: users-consistency
    kind: row-count-consistency
    source: src
    target: dst
    tables:
      - { source: main.users, target: main.users }
alerts:
  channels:
    console: { type: console }
  routes:
    - { channel: console }
`;

/** Writes files (path → content) into a new temp folder; returns the folder. */
export function writeConfigDir(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-config-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Values for the production example's secrets, so that it validates (they are never used to connect). */
export const PRODUCTION_SECRETS = {
  GAME1_MYSQL_URL: 'mysql://guardrail:pw@game1:3306/game1',
  AURORA_PG_URL: 'postgres://guardrail:pw@aurora:5432/app',
  REDSHIFT_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:dw',
  GCHAT_DATA_ENG: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t',
  GCHAT_FINOPS: 'https://chat.googleapis.com/v1/spaces/BBB/messages?key=k&token=t',
};

/** The error `fn` throws; a test that expected one fails when it throws none. */
export function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
