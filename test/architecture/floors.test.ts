import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * The floors of the house, ground first. A file may import from its own room or from a room on a lower floor;
 * rooms on the same floor do not know each other. docs/architecture.md draws the same picture.
 */
const FLOORS: readonly (readonly string[])[] = [
  ['src/core'],
  ['src/state', 'src/aws', 'src/dashboards'],
  ['src/connectors'],
  ['checks', 'alerts'],
  ['src/config'],
  ['src/engine'],
  ['src/cli'],
];
const ROOMS = FLOORS.flat();

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm;

/** The project files a file imports (type-only imports included: they tie the design just the same). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => resolveModule(file, m[1]!));
}

function resolveModule(from: string, spec: string): string {
  const base = relative(ROOT, join(ROOT, dirname(from), spec)).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(join(ROOT, candidate)).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`${from}: cannot resolve '${spec}'`);
}

const roomOf = (file: string) => ROOMS.find((room) => file === room || file.startsWith(`${room}/`));
const floorOf = (room: string) => FLOORS.findIndex((rooms) => rooms.includes(room));

const FILES = ROOMS.flatMap(sourceFiles);
const GRAPH = new Map(FILES.map((file) => [file, importsOf(file)]));

/** Every import cycle among the files (Tarjan's strongly connected components of two files or more). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the floors of the house', () => {
  it('reads every source file of every room', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES.filter((f) => !roomOf(f))).toEqual([]);
  });

  it('has no import that runs up a floor or across to another room of the same floor', () => {
    const wrong = [...GRAPH].flatMap(([file, imports]) =>
      imports
        .filter((target) => {
          const from = roomOf(file)!;
          const to = roomOf(target);
          if (!to) return true; // outside the house (a test or a bench): never from source
          return to !== from && floorOf(to) >= floorOf(from);
        })
        .map((target) => `${file} -> ${target}`),
    );

    expect(wrong).toEqual([]);
  });

  it('has no import circle', () => {
    expect(cycles(GRAPH)).toEqual([]);
  });

  it('keeps each check kind to its own folder: no check imports another, nor the registry', () => {
    const kindOf = (file: string) => /^checks\/([^/]+)\//.exec(file)?.[1];
    const wrong = [...GRAPH].flatMap(([file, imports]) => {
      const kind = kindOf(file);
      if (!kind) return [];
      return imports
        .filter(
          (target) => target.startsWith('checks/') && kindOf(target) !== kind && target !== 'checks/types.ts',
        )
        .map((target) => `${file} -> ${target}`);
    });

    expect(wrong).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);

    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });
});
