import { isPair, isScalar, isSeq, visit, type Document } from 'yaml';

const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface MissingVariable {
  name: string;
  node: { range?: [number, number, number] | null };
  /** Where the value stands in its file, e.g. `['alerts', 'channels', 'finops', 'webhookUrl']`. */
  path: (string | number)[];
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string scalar of the document, in place (so that node
 * positions stay right for error messages). `$$` is a literal `$`. Values stay strings (an account id
 * `012345678901` must not become a number); number and boolean fields accept them (see coerce.ts).
 */
export function interpolate(doc: Document, env: NodeJS.ProcessEnv): MissingVariable[] {
  const missing: MissingVariable[] = [];
  visit(doc, {
    Scalar(key, node, ancestry) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      node.value = node.value.replace(VAR, (all, name?: string, fallback?: string) => {
        if (all === '$$') return '$';
        const value = env[name as string];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        missing.push({ name: name as string, node, path: keyPath([...ancestry, node]) });
        return '';
      });
    },
  });
  return missing;
}

/** The keys and indexes that lead from the document to the last node of `ancestry`. */
function keyPath(ancestry: readonly unknown[]): (string | number)[] {
  return ancestry.flatMap((node, i): (string | number)[] => {
    if (isPair(node)) return [String(isScalar(node.key) ? node.key.value : node.key)];
    if (isSeq(node)) return [node.items.indexOf(ancestry[i + 1])];
    return [];
  });
}
