import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

const MAGIC = /[*?[\]{}()!]/;
// Deep trees under a config folder are unusual; bound the walk so a stray `**` cannot scan a disk.
const MAX_ENTRIES = 50_000;

/** Expands a glob relative to `baseDir` into sorted absolute file paths (Node 20 has no fs.glob). */
export function expandGlob(pattern: string, baseDir: string): string[] {
  const absolute = resolve(baseDir, pattern);
  if (!MAGIC.test(pattern)) return safeIsFile(absolute) ? [absolute] : [];
  const parts = absolute.split(sep);
  const firstMagic = parts.findIndex((p) => MAGIC.test(p));
  const root = parts.slice(0, firstMagic).join(sep) || sep;
  const isMatch = picomatch(parts.slice(firstMagic).join('/'), { dot: false });
  const found: string[] = [];
  let seen = 0;
  const walk = (dir: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (++seen > MAX_ENTRIES) return;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (isMatch(relative(root, full).split(sep).join('/'))) found.push(full);
    }
  };
  walk(root);
  return found.sort();
}

function safeIsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
