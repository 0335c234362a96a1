import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { TableFileConfig, type TablePairConfig } from './schema';

/** Folders never searched for mapping files. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.guardrail']);

async function listFiles(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...(await listFiles(root, full)));
    } else if (entry.isFile()) {
      out.push(relative(root, full).split(sep).join('/'));
    }
  }
  return out;
}

/** Files (relative to `configDir`, sorted) matching any of the globs. */
export async function expandTableFiles(configDir: string, globs: string | string[]): Promise<string[]> {
  const patterns = (Array.isArray(globs) ? globs : [globs]).map((g) => g.replace(/^\.\//, ''));
  const isMatch = picomatch(patterns);
  return (await listFiles(configDir)).filter((f) => isMatch(f)).sort();
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** Parses one mapping file; every error reads `file:line:col path: message`. */
export function parseTableFile(file: string, text: string): TablePairConfig[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined): string => {
    const pos = lineCounter.linePos(offset ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length) {
    throw new Error(doc.errors.map((e) => `${at(e.pos[0])} ${e.message.split('\n')[0]}`).join('\n'));
  }
  const parsed = TableFileConfig.safeParse(doc.toJS() ?? []);
  if (parsed.success) return Array.isArray(parsed.data) ? parsed.data : parsed.data.tables;
  throw new Error(parsed.error.issues.map((issue: z.core.$ZodIssue) => locate(doc, issue, at)).join('\n'));
}

function locate(
  doc: ReturnType<typeof parseDocument>,
  issue: z.core.$ZodIssue,
  at: (offset: number | undefined) => string,
): string {
  // The deepest node that exists on the issue's path carries the position.
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range)
      return `${at(node.range[0])} ${formatPath(path) || '(file)'}: ${issue.message}`;
  }
  return `${at(0)} ${formatPath(path) || '(file)'}: ${issue.message}`;
}

/** Loads the table pairs of every file the globs match; a glob matching no file is an error. */
export async function loadTableFiles(
  configDir: string,
  globs: string | string[],
): Promise<TablePairConfig[]> {
  const files = await expandTableFiles(configDir, globs);
  if (files.length === 0) {
    throw new Error(`tableFiles: no file matches ${JSON.stringify(globs)} in ${configDir}`);
  }
  const pairs: TablePairConfig[] = [];
  for (const file of files) {
    pairs.push(...parseTableFile(file, await readFile(join(configDir, file), 'utf8')));
  }
  return pairs;
}
