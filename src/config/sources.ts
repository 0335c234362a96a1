import { realpathSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigIssue } from './errors';
import { formatPath } from './errors';
import { expandGlob } from './glob';
import { readYamlFile } from './yaml-file';

export interface SourceFile {
  path: string;
  /** The file as plain data, interpolated. */
  data: unknown;
  /** Path as shown in messages (relative to the working directory when shorter). */
  display: string;
  doc: Document;
  lines: LineCounter;
}

/** Where a part of the merged config came from: a prefix of the merged path and the matching path in a file. */
interface Origin {
  prefix: (string | number)[];
  file: SourceFile;
  docPath: (string | number)[];
}

// Keys merged across included files: maps by name, lists by concatenation.
const MAP_KEYS = new Set(['connections']);
const LIST_KEYS = new Set(['checks']);
const ALERT_MAP_KEYS = new Set(['channels']);
const ALERT_LIST_KEYS = new Set(['routes', 'silences']);

/** The merged config as plain data, with a way to find the file, line and column of any path in it. */
export class ConfigSources {
  readonly data: Record<string, unknown> = {};
  readonly issues: ConfigIssue[] = [];
  private readonly origins: Origin[] = [];

  constructor(readonly env: NodeJS.ProcessEnv) {}

  /** Reads a file and everything it includes (depth first, each file once, loops reported). */
  load(
    path: string,
    stack: string[] = [],
    parent?: { file: SourceFile; docPath: (string | number)[] },
  ): void {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      this.issues.push(
        parent
          ? { ...this.at(parent.file, parent.docPath), message: `included file not found: ${display(path)}` }
          : {
              file: display(path),
              path: '',
              message: 'config file not found (set --config or GUARDRAIL_CONFIG)',
            },
      );
      return;
    }
    if (stack.includes(real)) {
      const chain = [...stack, real].map(display).join(' → ');
      this.issues.push({ ...this.at(parent!.file, parent!.docPath), message: `include loop: ${chain}` });
      return;
    }
    if (this.origins.some((o) => o.file.path === real)) return;
    const file = this.parse(real);
    if (!file) return;
    const root = file.data;
    if (root === null || root === undefined) return;
    if (typeof root !== 'object' || Array.isArray(root)) {
      this.issues.push({
        ...this.at(file, []),
        message: 'a config file must be a mapping of keys (state, checks, ...)',
      });
      return;
    }
    this.merge(file, root as Record<string, unknown>);
    const includes = (root as Record<string, unknown>).include;
    if (includes === undefined) return;
    if (!Array.isArray(includes) || includes.some((i) => typeof i !== 'string')) {
      this.issues.push({ ...this.at(file, ['include']), message: 'include must be a list of file globs' });
      return;
    }
    includes.forEach((pattern: string, i) => {
      const { files: matches, tooWide } = expandGlob(pattern, dirname(real));
      if (tooWide) {
        this.issues.push({ ...this.at(file, ['include', i]), message: tooWide });
        return;
      }
      // A glob that matches nothing is a mistake too (a renamed folder, a typo): the checks of the files it was
      // meant to include would vanish from the agent without a word.
      if (matches.length === 0) {
        const glob = /[*?[{]/.test(pattern);
        this.issues.push({
          ...this.at(file, ['include', i]),
          message: glob
            ? `no file matches ${JSON.stringify(pattern)} (relative to the folder of this config file); ` +
              'remove the line if no file is meant to be included'
            : `included file not found: ${pattern}`,
        });
      }
      for (const match of matches) this.load(match, [...stack, real], { file, docPath: ['include', i] });
    });
  }

  /** Absolute path of the file that defines a path of the merged data. */
  fileOf(path: readonly (string | number)[]): string | undefined {
    return this.origin(path)?.file.path;
  }

  private origin(keys: readonly (string | number)[]): Origin | undefined {
    let best: Origin | undefined;
    for (const origin of this.origins) {
      const matches = origin.prefix.every((p, i) => keys[i] === p);
      if (matches && (!best || origin.prefix.length > best.prefix.length)) best = origin;
    }
    return best;
  }

  /** File, line and column for a path in the merged data (nearest existing node). */
  locate(path: readonly PropertyKey[], atKey = false): Omit<ConfigIssue, 'message'> {
    const keys = path.filter((p): p is string | number => typeof p !== 'symbol');
    const best = this.origin(keys);
    if (!best) return { file: this.origins[0]?.file.display ?? 'config', path: formatPath(keys) };
    return this.at(best.file, [...best.docPath, ...keys.slice(best.prefix.length)], atKey);
  }

  /** Position of the node at `docPath` (or of its key, for unknown keys), else of its nearest ancestor. */
  private at(file: SourceFile, docPath: (string | number)[], atKey = false): Omit<ConfigIssue, 'message'> {
    if (atKey && docPath.length) {
      const parent = docPath.length > 1 ? file.doc.getIn(docPath.slice(0, -1), true) : file.doc.contents;
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === docPath.at(-1))
        : undefined;
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) {
        const pos = file.lines.linePos(range[0]);
        return { file: file.display, line: pos.line, col: pos.col, path: formatPath(docPath) };
      }
    }
    for (let n = docPath.length; n >= 0; n--) {
      const node =
        n === 0 ? file.doc.contents : (file.doc.getIn(docPath.slice(0, n), true) as Node | undefined);
      if (node && typeof node === 'object' && 'range' in node && node.range) {
        const pos = file.lines.linePos(node.range[0]);
        return { file: file.display, line: pos.line, col: pos.col, path: formatPath(docPath) };
      }
    }
    return { file: file.display, path: formatPath(docPath) };
  }

  private parse(path: string): SourceFile | undefined {
    const read = readYamlFile(path, display(path), this.env);
    this.issues.push(...read.issues);
    if (read.issues.length) return undefined;
    const file: SourceFile = {
      path,
      display: read.display,
      doc: read.doc,
      lines: read.lines,
      data: read.data,
    };
    this.origins.push({ prefix: [], file, docPath: [] });
    return file;
  }

  private merge(file: SourceFile, root: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(root)) {
      if (key === 'include') continue;
      if (MAP_KEYS.has(key) || LIST_KEYS.has(key)) this.mergeInto(this.data, key, value, file, [key], [key]);
      else if (key === 'alerts' && value && typeof value === 'object' && !Array.isArray(value)) {
        const target = (this.data.alerts ??= {}) as Record<string, unknown>;
        for (const [sub, subValue] of Object.entries(value)) {
          const mergeable = ALERT_MAP_KEYS.has(sub) || ALERT_LIST_KEYS.has(sub);
          if (mergeable) this.mergeInto(target, sub, subValue, file, ['alerts', sub], ['alerts', sub]);
          else this.setOnce(target, sub, subValue, file, ['alerts', sub]);
        }
      } else this.setOnce(this.data, key, value, file, [key]);
    }
  }

  private setOnce(
    target: Record<string, unknown>,
    key: string,
    value: unknown,
    file: SourceFile,
    path: string[],
  ) {
    if (key in target) {
      const other = this.locate(path);
      this.issues.push({
        ...this.at(file, path),
        message: `${path.join('.')} is already set in ${other.file}`,
      });
      return;
    }
    target[key] = value;
    this.origins.push({ prefix: path, file, docPath: path });
  }

  private mergeInto(
    target: Record<string, unknown>,
    key: string,
    value: unknown,
    file: SourceFile,
    mergedPath: string[],
    docPath: string[],
  ): void {
    const node = file.doc.getIn(docPath, true);
    if (Array.isArray(value) && (isSeq(node) || node === undefined)) {
      const list = (target[key] ??= []) as unknown[];
      if (!Array.isArray(list)) return this.setOnce(target, key, value, file, docPath);
      value.forEach((item, i) => {
        this.origins.push({ prefix: [...mergedPath, list.length], file, docPath: [...docPath, i] });
        list.push(item);
      });
    } else if (value && typeof value === 'object' && !Array.isArray(value) && isMap(node)) {
      const map = (target[key] ??= {}) as Record<string, unknown>;
      for (const [name, item] of Object.entries(value)) {
        if (name in map) {
          const other = this.locate([...mergedPath, name]);
          this.issues.push({
            ...this.at(file, [...docPath, name]),
            message: `${mergedPath.join('.')}.${name} is already defined in ${other.file}:${other.line ?? '?'}`,
          });
          continue;
        }
        map[name] = item;
        this.origins.push({ prefix: [...mergedPath, name], file, docPath: [...docPath, name] });
      }
    } else {
      // Wrong type: keep it so that schema validation reports it at this location.
      this.setOnce(target, key, value, file, docPath);
    }
  }
}

/** A path as shown in messages: relative to the working directory when that is shorter. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}
