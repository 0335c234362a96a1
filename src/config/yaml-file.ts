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
    text = readFileSync(path, 'utf8');
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
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
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
