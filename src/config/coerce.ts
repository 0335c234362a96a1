import type * as z from 'zod';

// Each pass fixes every field that zod reports at once; nesting (a union whose branch only shows its next
// problem after the first is fixed) needs a few passes, never many.
const MAX_PASSES = 5;

/**
 * Parses `data`, letting number and boolean fields take the text of an environment variable
 * (`port: ${PORT}` → 9464, `enabled: ${ON}` → true). Only a field that wants a number or boolean and got a
 * string that reads as one is converted; strings stay strings everywhere else.
 */
export function parseCoerced<S extends z.ZodType>(
  schema: S,
  data: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  let current = data;
  for (let pass = 0; ; pass++) {
    const result = schema.safeParse(current, { reportInput: true });
    if (result.success || pass === MAX_PASSES) return result;
    const fixes = result.error.issues.flatMap((issue) => {
      if (issue.code !== 'invalid_type') return [];
      const value = converted(issue.expected, (issue as { input?: unknown }).input);
      return value === undefined ? [] : [{ path: issue.path, value }];
    });
    if (!fixes.length) return result;
    current = structuredClone(current);
    for (const fix of fixes) current = setIn(current, fix.path, fix.value);
  }
}

function converted(expected: string, input: unknown): number | boolean | undefined {
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if ((expected === 'number' || expected === 'int') && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
    return Number(text);
  }
  if (expected === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return undefined;
}

function setIn(root: unknown, path: readonly PropertyKey[], value: unknown): unknown {
  if (!path.length) return value;
  let node = root as Record<PropertyKey, unknown>;
  for (const key of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return root;
    node = node[key] as Record<PropertyKey, unknown>;
  }
  if (node && typeof node === 'object') node[path[path.length - 1] as PropertyKey] = value;
  return root;
}
