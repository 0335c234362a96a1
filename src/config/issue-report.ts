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
    for (const issue of error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const at = key === undefined ? [...base, ...issue.path] : [...base, ...issue.path, key];
        issues.push({
          ...sources.locate(at, key !== undefined),
          message: describeZodIssue(issue, key),
          ...(checkId ? { checkId } : {}),
        });
      }
    }
  };
  return { issues, report, zodIssues };
}

/** A zod issue in the config's words (zod's own text reads "Invalid input: expected string, received undefined"). */
export function describeZodIssue(issue: z.core.$ZodIssue, key?: string): string {
  if (issue.code === 'unrecognized_keys') return `unknown key '${key}'`;
  if (issue.code === 'invalid_type') {
    const got = (issue as { input?: unknown }).input;
    const name = issue.path.at(-1);
    if (got === undefined && typeof name === 'string') return `missing required key '${name}'`;
    if (got === undefined) return `required (expected ${issue.expected})`;
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
    return note ?? 'does not match any allowed form';
  }
  return issue.message;
}
