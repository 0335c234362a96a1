import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { formatPath, unsetVariableMessage, type ConfigIssue } from './errors';
import { interpolate } from './interpolate';
import { describeYamlError } from './yaml-hints';

/** Aliases expand on conversion; bounded so that a "billion laughs" file is an error, not a hang. */
const MAX_ALIAS_COUNT = 100;

export interface YamlFile {
  path: string;
  /** Path as shown in messages. */
  display: string;
  doc: Document;
  lines: LineCounter;
  /** The file as plain data (after `${VAR}` interpolation); undefined when it has errors. */
  data?: unknown;
  issues: ConfigIssue[];
}

/** Reads, parses and interpolates one YAML file; every problem becomes a located issue, never a throw. */
export function readYamlFile(path: string, display: string, env: NodeJS.ProcessEnv): YamlFile {
  const lines = new LineCounter();
  const issue = (offset: number | undefined, message: string): ConfigIssue => {
    const pos = offset === undefined ? undefined : lines.linePos(offset);
    return { file: display, ...(pos ? { line: pos.line, col: pos.col } : {}), path: '', message };
  };
  let text: string;
  try {
    const decoded = decodeUtf8(readFileSync(path));
    if (typeof decoded !== 'string') {
      const doc = parseDocument('');
      return { path, display, doc, lines, issues: [{ file: display, ...decoded, path: '' }] };
    }
    text = decoded;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const doc = parseDocument('');
    return {
      path,
      display,
      doc,
      lines,
      issues: [issue(undefined, `cannot read the file (${code ?? 'error'})`)],
    };
  }
  // Merge keys (`<<: *defaults`), as Kubernetes and Compose files use them: YAML 1.1, not 1.2, so off by default;
  // a review found them refused as "unknown key '<<'".
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const file: YamlFile = { path, display, doc, lines, issues: [] };
  // One located line: the parser's later errors follow from the first slip.
  const first = doc.errors[0];
  if (first) {
    const slip = describeYamlError(text, first);
    file.issues.push(issue(slip.offset, slip.message));
  }
  if (file.issues.length) return file;
  for (const miss of interpolate(doc, env)) {
    const message = unsetVariableMessage(miss.name);
    const path = formatPath(miss.path);
    file.issues.push({ ...issue(miss.node.range?.[0], message), path, unsetVariable: miss.name });
  }
  try {
    file.data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    file.issues.push(issue(0, `YAML: ${error instanceof Error ? error.message : String(error)}`));
  }
  return file;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A config file's text, else where and why it is not UTF-8. A byte-order mark is dropped (Windows editors write
 * one; YAML took it for a character before a top-level `-`). A UTF-16 file and a Latin-1 byte are named as such:
 * Latin-1 read as UTF-8 turned a table's name into U+FFFD without a word.
 */
export function decodeUtf8(bytes: Uint8Array): string | { line: number; col: number; message: string } {
  const bom16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (bom16 || bytes.subarray(0, 4096).includes(0))
    return { line: 1, col: 1, message: 'the file is UTF-16 (or holds NUL bytes): save it as UTF-8' };
  try {
    return UTF8.decode(bytes);
  } catch {
    const bad = firstInvalid(bytes);
    if (bad < 0) return { line: 1, col: 1, message: 'not UTF-8 text: save the file as UTF-8' };
    const before = bytes.subarray(0, bad);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const line = before.filter((b) => b === 0x0a).length + 1;
    const col = [...new TextDecoder().decode(bytes.subarray(lineStart, bad))].length + 1;
    const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
    return { line, col, message: `not UTF-8 text (byte 0x${byte}): save the file as UTF-8` };
  }
}

/** Where the first byte sequence that is not UTF-8 starts (lead and continuation bytes only), else -1. */
function firstInvalid(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const more =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (more < 0) return i;
    for (let k = 1; k <= more; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return -1;
}
