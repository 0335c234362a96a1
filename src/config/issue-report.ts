import type * as z from 'zod';
import { ConnectionConfig } from '../connectors/config';
import type { ConfigIssue } from './errors';
import type { ConfigSources } from './sources';

export type Report = (path: readonly PropertyKey[], message: string, checkId?: string) => void;
export type ZodReport = (error: z.ZodError, base: PropertyKey[], checkId?: string) => void;

/** The config's problems as they are found, each located in the file it was written in. */
export function issueCollector(sources: ConfigSources): {
  issues: ConfigIssue[];
  report: Report;
  zodIssues: ZodReport;
} {
  const issues: ConfigIssue[] = [];
  const report: Report = (path, message, checkId) =>
    issues.push({ ...sources.locate(path), message, ...(checkId ? { checkId } : {}) });
  const zodIssues: ZodReport = (error, base, checkId) => {
    for (const issue of error.issues.flatMap(withinUnion)) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const at = key === undefined ? [...base, ...issue.path] : [...base, ...issue.path, key];
        const around = issue.code === 'custom' && issue.params?.aroundStandIn === true;
        issues.push({
          ...sources.locate(at, key !== undefined),
          message: describeZodIssue(issue, key),
          ...(checkId ? { checkId } : {}),
          ...(around ? { aroundStandIn: true } : {}),
        });
      }
    }
  };
  return { issues, report, zodIssues };
}

/**
 * A value that fits none of a union's forms (`window: { column, size } | false`) gets the problems of the one form
 * its type fits, named as that form's own would be ("missing required key 'column'", "'5 minutes' is not a
 * duration"), not just "does not match any allowed form". Where no form, or more than one, fits its type, the
 * union's issue stays as it is.
 */
export function withinUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const fitting = (issue.errors ?? []).filter(
    (branch) =>
      branch.length > 0 &&
      !branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')),
  );
  if (fitting.length !== 1) return [issue];
  return fitting[0]!.flatMap((inner) => withinUnion({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** A zod issue in the config's words (zod's own text reads "Invalid input: expected string, received undefined"). */
export function describeZodIssue(issue: z.core.$ZodIssue, key?: string): string {
  if (issue.code === 'unrecognized_keys') return `unknown key '${key}'`;
  if (issue.code === 'invalid_type') {
    const got = (issue as { input?: unknown }).input;
    const name = issue.path.at(-1);
    if (got === undefined && typeof name === 'string') return `missing required key '${name}'`;
    if (got === undefined) return `required (expected ${issue.expected})`;
    // A schema's own words for the wrong type (a duration written as a number) win over zod's.
    if (!issue.message.startsWith('Invalid input')) return issue.message;
    if (typeof got === 'number' && !Number.isFinite(got)) return `expected a finite number, got ${got}`;
    return `expected ${issue.expected}, got ${Array.isArray(got) ? 'list' : got === null ? 'null' : typeof got}`;
  }
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union') {
    const { note, input } = issue as { note?: string; input?: unknown };
    if (note === 'No matching discriminator' && issue.path[0] === 'connections') {
      const types = ConnectionConfig.options.map((o) => o.shape.type.value).join(', ');
      const type = input && typeof input === 'object' ? (input as { type?: unknown }).type : input;
      return `unknown connection type '${String(type)}'; expected one of ${types}`;
    }
    return note ?? formsExpected(issue.errors ?? [], input) ?? 'does not match any allowed form';
  }
  return issue.message;
}

/** "expected a mapping or false, got true": what each form of a union takes, when the value's type fits none. */
function formsExpected(branches: z.core.$ZodIssue[][], input: unknown): string | undefined {
  const forms = branches.map((branch) => {
    const root = branch.find((i) => i.path.length === 0);
    if (root?.code === 'invalid_type') return root.expected === 'object' ? 'a mapping' : `a ${root.expected}`;
    if (root?.code === 'invalid_value') return root.values.map((v) => JSON.stringify(v)).join(' or ');
    return undefined;
  });
  if (!forms.length || forms.some((f) => f === undefined)) return undefined;
  // A text is not repeated: it may be a secret written in the wrong place.
  const got = Array.isArray(input)
    ? 'a list'
    : typeof input === 'number' || typeof input === 'boolean' || input === null
      ? String(input)
      : `a ${typeof input}`;
  return `expected ${[...new Set(forms)].join(' or ')}, got ${got}`;
}
