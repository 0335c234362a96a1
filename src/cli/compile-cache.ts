// Node keeps its compile cache in a folder per Node version, V8 flag hash and uid, one file per module it compiled,
// and removes nothing: every build of the bundle names its chunks anew, so each upgrade left its chunks' entries
// behind (about 3 MB each; 193 MB had built up in one folder on a development machine). Guardrail removes, once a
// day, the entries of its own uid's folders that went unread for STALE_CACHE_MS.
import { readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STALE_CACHE_MS } from './brief-loader';

/** The file whose time says when the folder was last pruned. */
export const PRUNED_MARK = '.guardrail-pruned';
export const PRUNE_EVERY_MS = 24 * 3600_000;
/** Node's folders: `v22.23.5-x64-9ac5647c-1000` (version, arch, V8's cachedDataVersionTag, uid). */
const NODE_FOLDER = /^v\d+\.\d+\.\d+-[\w.-]+-(\d+)$/;

/**
 * Removes the entries of `root`'s Node compile-cache folders for `uid` neither read nor written for STALE_CACHE_MS
 * (read: the access time, which a mount with `relatime`, the default, keeps within a day; with `noatime` an entry in
 * use is removed a week after it was written, and written again by the next start).
 * At most once per PRUNE_EVERY_MS, marked in `root`: nothing is read when the mark is recent, and nothing is removed
 * when the mark cannot be written (a read-only cache, as the image ships). Best effort: never throws. Returns how many
 * entries it removed.
 */
export function pruneCompileCache(root: string, uid = process.getuid?.(), now = Date.now()): number {
  const mark = join(root, PRUNED_MARK);
  try {
    if (statSync(mark).mtimeMs > now - PRUNE_EVERY_MS) return 0;
  } catch {
    // never pruned
  }
  try {
    writeFileSync(mark, '');
    utimesSync(mark, now / 1000, now / 1000);
  } catch {
    return 0;
  }
  let removed = 0;
  try {
    for (const folder of readdirSync(root)) {
      const owner = NODE_FOLDER.exec(folder)?.[1];
      if (owner === undefined || (uid !== undefined && Number(owner) !== uid)) continue;
      // The folders stay, emptied or not: the one this process writes to at exit among them.
      const dir = join(root, folder);
      for (const name of readdirSync(dir)) {
        const file = join(dir, name);
        try {
          const { atimeMs, mtimeMs } = statSync(file);
          if (Math.max(atimeMs, mtimeMs) < now - STALE_CACHE_MS) {
            unlinkSync(file);
            removed++;
          }
        } catch {
          // gone meanwhile, or not ours to remove
        }
      }
    }
  } catch {
    // clean-up is best effort
  }
  return removed;
}
