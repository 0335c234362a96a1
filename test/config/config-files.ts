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
export function writeConfigDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-config-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
