import { parse, visit, type Document, isScalar } from 'yaml';

const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_VAR = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

export interface MissingVariable {
  name: string;
  node: { range?: [number, number, number] | null };
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string scalar of the document, in place (so that node
 * positions stay right for error messages). `$$` is a literal `$`. A plain scalar that is exactly one
 * reference takes the YAML type of its value (`port: ${PORT}` becomes a number).
 */
export function interpolate(doc: Document, env: NodeJS.ProcessEnv): MissingVariable[] {
  const missing: MissingVariable[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const source = node.value;
      const replaced = source.replace(VAR, (all, name?: string, fallback?: string) => {
        if (all === '$$') return '$';
        const value = env[name as string];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        missing.push({ name: name as string, node });
        return '';
      });
      node.value = node.type === 'PLAIN' && WHOLE_VAR.test(source) ? typedScalar(replaced) : replaced;
    },
  });
  return missing;
}

function typedScalar(text: string): unknown {
  if (text === '') return '';
  try {
    const value: unknown = parse(text);
    return typeof value === 'number' || typeof value === 'boolean' ? value : text;
  } catch {
    return text;
  }
}

export function isStringScalar(node: unknown): boolean {
  return isScalar(node) && typeof node.value === 'string';
}
