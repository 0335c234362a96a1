import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

const MAGIC = /[*?[\]{}()!]/;
// Deep trees under a config folder are unusual; bound the walk so a stray `**` cannot scan a disk.
export const MAX_GLOB_ENTRIES = 50_000;

export interface GlobResult {
  /** The matching files, sorted absolute paths. */
  files: string[];
  /**
   * Set when the walk stopped at MAX_GLOB_ENTRIES entries: what to tell the user. `files` is then incomplete, and a
   * caller must say so rather than read part of what was meant (a review found tables files silently not read).
   */
  tooWide?: string;
}

/**
 * Expands a glob relative to `baseDir` (Node 20 has no fs.glob). As `*` and `**` match no name that starts with a
 * dot, the walk does not enter such folders (.git) unless the pattern names one.
 */
export function expandGlob(pattern: string, baseDir: string): GlobResult {
  const absolute = resolve(baseDir, pattern);
  if (!MAGIC.test(pattern)) return { files: safeIsFile(absolute) ? [absolute] : [] };
  const parts = absolute.split(sep);
  const firstMagic = parts.findIndex((p) => MAGIC.test(p));
  const root = parts.slice(0, firstMagic).join(sep) || sep;
  const rest = parts.slice(firstMagic);
  const isMatch = picomatch(rest.join('/'), { dot: false });
  const intoDotFolders = rest.some((p) => p.startsWith('.'));
  const files: string[] = [];
  let seen = 0;
  let full = false;
  const walk = (dir: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (full || ++seen > MAX_GLOB_ENTRIES) {
        full = true;
        return;
      }
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (intoDotFolders || !entry.name.startsWith('.')) walk(path);
      } else if (isMatch(relative(root, path).split(sep).join('/'))) files.push(path);
    }
  };
  walk(root);
  files.sort();
  if (!full) return { files };
  const tooWide =
    `${JSON.stringify(pattern)} stopped after ${MAX_GLOB_ENTRIES.toLocaleString('en-US')} files and folders ` +
    `under ${relative(baseDir, root) || '.'} without reading them all; narrow it (name the folder before any **, e.g. tables/**/*.yaml)`;
  return { files, tooWide };
}

function safeIsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
