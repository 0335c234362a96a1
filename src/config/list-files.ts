import { isMap, isScalar, type Document } from 'yaml';
import type * as z from 'zod';
import type { ListFiles } from '../../checks/types';
import { formatPath, type ConfigIssue } from './errors';
import { expandGlob } from './glob';
import { describeZodIssue, withinUnion } from './issue-report';
import { readYamlFile } from './yaml-file';
import { parseCoerced } from './coerce';

/** Where something stands in a file: for messages that point at it (`tables/shop.yaml:3:3`). */
export interface Position {
  file: string;
  line?: number;
  col?: number;
  /** Path inside that file, e.g. `tables[2].where`. */
  path?: string;
  /** Positions of the item's own keys (`where`, `window`, ...), when it is a mapping. */
  keys?: Record<string, Position>;
}

export interface ListFileResult {
  items: unknown[];
  /** Where each item came from, in the order of `items`. */
  positions: Position[];
  issues: Omit<ConfigIssue, 'checkId'>[];
}

/**
 * Reads the files a check's `listFiles` key names (globs relative to the folder of the file that defines the
 * check): each file is a YAML list of items, or a mapping with the list under `spec.into`. Every item is
 * validated by `spec.item`; every problem names the file, line and column, so `guardrail validate` catches an
 * analyst's typo in the pull request that adds a table. `unmatched` lists the index of each glob that matched no
 * file (a renamed folder, a typo).
 */
export function loadListFiles(
  spec: ListFiles,
  globs: string | string[],
  baseDir: string,
  env: NodeJS.ProcessEnv,
  display: (path: string) => string,
): ListFileResult & { unmatched: number[]; tooWide: { index: number; message: string }[] } {
  const globbed = (Array.isArray(globs) ? globs : [globs]).map((g) => expandGlob(g, baseDir));
  const tooWide = globbed.flatMap((g, index) => (g.tooWide ? [{ index, message: g.tooWide }] : []));
  // A glob that stopped short is an error: none of its files is read, rather than some.
  const matches = globbed.map((g) => (g.tooWide ? [] : g.files));
  const files = [...new Set(matches.flat())];
  const result: ListFileResult = { items: [], positions: [], issues: [] };
  for (const file of files) {
    const one = loadListFile(spec, file, env, display(file));
    result.items.push(...one.items);
    result.positions.push(...one.positions);
    result.issues.push(...one.issues);
  }
  // Each glob on its own: one that matches nothing beside one that matches must not pass unseen either.
  const unmatched = globbed.flatMap((found, i) => (found.files.length || found.tooWide ? [] : [i]));
  return { ...result, unmatched, tooWide };
}

function loadListFile(spec: ListFiles, path: string, env: NodeJS.ProcessEnv, file: string): ListFileResult {
  const read = readYamlFile(path, file, env);
  const { doc, lines } = read;
  const at = (offset: number | undefined) => {
    const pos = lines.linePos(offset ?? 0);
    return { file, line: pos.line, col: pos.col };
  };
  const issues: ListFileResult['issues'] = read.issues;
  if (read.data === undefined && issues.length) return { items: [], positions: [], issues };
  const base = isMap(doc.contents) ? [spec.into] : [];
  // The mapping form holds the list and nothing else: a `window:` or `tolerance:` beside it would apply to no table
  // (a review found them dropped without a word).
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (key === spec.into) continue;
      const message =
        `unknown key '${String(key)}': a file of ${spec.into} is a list, or a mapping with only '${spec.into}:' ` +
        `(set it on each item, or on the check)`;
      const range = (pair.key as { range?: [number, number, number] } | null)?.range;
      issues.push({ ...at(range?.[0]), path: String(key), message });
    }
  }
  const raw: unknown = base.length ? (read.data as Record<string, unknown> | null)?.[spec.into] : read.data;
  if (!Array.isArray(raw)) {
    const message = `expected a list of ${spec.into}, or a mapping with the list under '${spec.into}:'`;
    return {
      items: [],
      positions: [],
      issues: [...issues, { ...at(doc.contents?.range?.[0]), path: '', message }],
    };
  }
  const items: unknown[] = [];
  const positions: Position[] = [];
  const unset = new Set(issues.filter((i) => i.unsetVariable).map((i) => i.path));
  raw.forEach((item, i) => {
    const parsed = parseCoerced(spec.item as z.ZodType, item);
    if (parsed.success) {
      items.push(parsed.data);
      const keys = item && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item) : [];
      const own = Object.fromEntries(
        keys.map((k) => [k, { ...nodeAt(doc, [...base, i, k], at), path: formatPath([...base, i, k]) }]),
      );
      positions.push({ ...nodeAt(doc, [...base, i], at), path: formatPath([...base, i]), keys: own });
      return;
    }
    for (const issue of parsed.error.issues.flatMap(withinUnion)) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [k]) : [[]];
      for (const extra of keys) {
        const docPath = [
          ...base,
          i,
          ...issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
          ...extra,
        ];
        const path = formatPath(docPath);
        // An unset ${VAR} is reported as such; the empty text it left is not a second problem.
        if (unset.has(path)) continue;
        const message = describeZodIssue(issue, extra[0]);
        issues.push({ ...nodeAt(doc, docPath, at), path, message });
      }
    }
  });
  return { items, positions, issues };
}

function nodeAt(
  doc: Document,
  path: (string | number)[],
  at: (offset?: number) => { file: string; line: number; col: number },
) {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node && node.range) {
      return at((node.range as [number, number, number])[0]);
    }
  }
  return at(0);
}
