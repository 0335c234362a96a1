import type { YAMLError } from 'yaml';

/** One YAML syntax error, reworded for a person: where the slip is, what it is, and how to fix it. */
export interface YamlSlip {
  /** Offset of the line (or character) to point at. */
  offset: number;
  message: string;
}

interface Line {
  start: number;
  text: string;
  indent: number;
}

function lineAt(text: string, offset: number): Line {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end === -1 ? undefined : end);
  return { start, text: line, indent: /^[ \t]*/.exec(line)![0].length };
}

function nextLine(text: string, line: Line): Line | undefined {
  let start = line.start + line.text.length + 1;
  while (start < text.length) {
    const next = lineAt(text, start);
    if (next.text.trim() && !next.text.trim().startsWith('#')) return next;
    start += next.text.length + 1;
  }
  return undefined;
}

/** The key (or first word) a line starts with, for naming it in a hint. */
function keyOf(line: Line): string {
  return /^[\s-]*([^\s:{}[\],#]+)/.exec(line.text)?.[1] ?? line.text.trim();
}

/** The key written at `offset` (a duplicate key's, which may sit mid-line in `{ a: 1, a: 2 }`). */
function keyAt(text: string, offset: number): string | undefined {
  return /^(["']?)([^"'\s:{}[\],#]+)\1\s*:/.exec(text.slice(offset, offset + 200))?.[2];
}

const INDENT_HINT = (line: Line) => `align '${keyOf(line)}' with the keys above it; use spaces, not tabs`;
const BAD_INDENT = 'bad indentation of a mapping entry';
const FLOW_HINT = 'close every { and [ on the line that opens it, or write the mapping as indented lines';

/** `{ url: ${VAR} }` is not YAML (braces inside a flow mapping); say how to write it. */
function flowVariableHint(line: Line): string | undefined {
  return /[{[].*\$\{/.test(line.text)
    ? 'inside { } or [ ], quote values that use ${...}: "${VAR:-default}"'
    : undefined;
}

/**
 * The first error of a file, as one line: the parser's later errors follow from the first slip. The `yaml`
 * package's codes map to short hints; an implicit key that "spans lines" is a line indented too deep below it.
 * @see https://eemeli.org/yaml/#errors
 */
export function describeYamlError(text: string, error: YAMLError): YamlSlip {
  const offset = error.pos[0];
  const line = lineAt(text, offset);
  const said = error.message.split('\n')[0] ?? 'invalid YAML';
  const at = (where: Line, what: string, hint?: string): YamlSlip => ({
    offset: where.start + where.indent,
    message: `YAML syntax: ${what}${hint ? ` (hint: ${hint})` : ''}`,
  });
  const flow = flowVariableHint(line);
  if (flow) return { offset, message: `YAML syntax: ${said} (hint: ${flow})` };
  // YAML never takes a tab as indentation; the parser names it only in some places (not under a list item).
  if (error.code === 'TAB_AS_INDENT' || /^ *\t/.test(line.text))
    return {
      offset: line.start,
      message: 'YAML syntax: a tab in the indentation (hint: indent with spaces, not tabs)',
    };
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return {
        offset,
        message: `YAML syntax: ${said} (hint: '${keyAt(text, offset) ?? keyOf(line)}' is already set above in this mapping; keep one)`,
      };
    case 'BAD_INDENT':
      if (/^Flow/.test(said)) return { offset, message: `YAML syntax: ${said} (hint: ${FLOW_HINT})` };
      return at(line, BAD_INDENT, INDENT_HINT(line));
    case 'MISSING_CHAR':
      if (/without - indicator/.test(said)) return at(line, BAD_INDENT, INDENT_HINT(line));
      if (/quote/.test(said)) return { offset, message: `YAML syntax: ${said} (hint: close the quote)` };
      return { offset, message: `YAML syntax: ${said} (hint: ${FLOW_HINT})` };
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      const next = nextLine(text, line);
      if (next && next.indent > line.indent && !/:\s*(#.*)?$/.test(line.text))
        return at(next, BAD_INDENT, INDENT_HINT(next));
      return { offset, message: `YAML syntax: ${said} (hint: quote a value that contains ': ')` };
    }
    case 'MULTIPLE_DOCS':
      return {
        offset,
        message:
          "YAML syntax: a second document starts here (hint: a config file holds one YAML document; remove this '---', or move what follows to a file of its own)",
      };
    case 'BAD_SCALAR_START':
      return { offset, message: `YAML syntax: ${said} (hint: quote the value: "...")` };
    case 'UNEXPECTED_TOKEN':
      return at(
        line,
        said,
        `a line is indented differently from its neighbours, or a list and keys are mixed`,
      );
    default:
      return { offset, message: `YAML syntax: ${said}` };
  }
}
