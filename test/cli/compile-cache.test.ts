import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STALE_CACHE_MS } from '../../src/cli/brief-loader';
import { PRUNE_EVERY_MS, PRUNED_MARK, pruneCompileCache } from '../../src/cli/compile-cache';

const UID = 1000;
const NOW = Date.parse('2026-12-04T12:00:00Z');

/** A file in `root/folder`, read and written `ageMs` before NOW. */
function entry(root: string, folder: string, name: string, ageMs: number): string {
  mkdirSync(join(root, folder), { recursive: true });
  const file = join(root, folder, name);
  writeFileSync(file, 'cached');
  const at = (NOW - ageMs) / 1000;
  utimesSync(file, at, at);
  return file;
}

describe("pruning Node's compile cache", () => {
  it("removes its uid's entries unread for a week, once a day, and nothing else", () => {
    const root = mkdtempSync(join(tmpdir(), 'guardrail-cc-'));
    const old = STALE_CACHE_MS + 60_000;
    const stale = entry(root, `v22.23.5-x64-9ac5647c-${UID}`, '00019d12', old);
    const used = entry(root, `v22.23.5-x64-9ac5647c-${UID}`, '001d56aa', 3600_000);
    const otherFlags = entry(root, `v22.23.5-x64-02b1ac52-${UID}`, '002f1828', old);
    const otherUser = entry(root, `v22.23.5-x64-9ac5647c-${UID + 1}`, '00019d12', old);
    const brief = entry(root, '.', 'brief-GWIKRETW.cjs.validate.v22.23.5.x64.v8', old); // brief-loader's own

    expect(pruneCompileCache(root, UID, NOW)).toBe(2);
    expect([stale, used, otherFlags, otherUser, brief].map(existsSync)).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
    expect(readdirSync(root)).toContain(PRUNED_MARK);

    // Within a day nothing is read; after it, what went stale meanwhile goes.
    const later = entry(root, `v22.23.5-x64-9ac5647c-${UID}`, '00aaaaaa', old);
    expect(pruneCompileCache(root, UID, NOW + PRUNE_EVERY_MS - 60_000)).toBe(0);
    expect(existsSync(later)).toBe(true);
    expect(pruneCompileCache(root, UID, NOW + PRUNE_EVERY_MS + 60_000)).toBe(1);
    expect(existsSync(later)).toBe(false);
  });

  it('removes nothing where it cannot mark the folder (a read-only cache), so that no start reads it all again', () => {
    const root = mkdtempSync(join(tmpdir(), 'guardrail-cc-'));
    const stale = entry(root, `v22.23.5-x64-9ac5647c-${UID}`, '00019d12', STALE_CACHE_MS + 60_000);
    mkdirSync(join(root, PRUNED_MARK)); // a mark that cannot be written, and is old
    const at = (NOW - 2 * PRUNE_EVERY_MS) / 1000;
    utimesSync(join(root, PRUNED_MARK), at, at);

    expect(pruneCompileCache(root, UID, NOW)).toBe(0);
    expect(existsSync(stale)).toBe(true);
    expect(pruneCompileCache(join(root, 'missing'), UID, NOW)).toBe(0);
  });
});
