import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkSchema } from '../../src/config/schema';
import type { AnyCheckDefinition } from '../../checks/types';
import type { Measurement } from '../../src/core/types';

export const CHECKS_DIR = join(__dirname, '../../checks');

/** YAML blocks of a check's readme that look like check configs (have a `kind:` of this check). */
export function readmeExamples(def: AnyCheckDefinition): unknown[] {
  const readme = readFileSync(join(CHECKS_DIR, def.kind, 'readme.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map(
    (m) => parse(m[1] as string) as unknown,
  );
  const configs: unknown[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.kind === def.kind) configs.push(record);
      else Object.values(record).forEach(visit);
    }
  };
  blocks.forEach(visit);
  return configs;
}

/** The same table of cases for every check plugin (metadata, docs, example configs). */
export function testCheck(def: AnyCheckDefinition): void {
  describe(`check ${def.kind}`, () => {
    it('has complete metadata: kebab-case kind, one-line description, permissions list', () => {
      expect(def.kind).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(def.description.length).toBeGreaterThan(10);
      expect(def.description).not.toContain('\n');
      expect(Array.isArray(def.permissions)).toBe(true);
      for (const action of def.permissions) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9*]+$/);
    });

    it('declares its measurements: snake_case names, one-line help, label names, gauge or counter', () => {
      for (const m of def.measurements) {
        expect(m.name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(m.name.endsWith('_total')).toBe(m.type === 'counter');
        expect(m.help.length).toBeGreaterThan(10);
        expect(m.help).not.toContain('\n');
        for (const label of m.labels) expect(label).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(m.labels).not.toContain('check'); // the engine adds it
      }
      expect(new Set(def.measurements.map((m) => m.name)).size).toBe(def.measurements.length);
    });

    it('validates its own example config', () => {
      const result = checkSchema(def).safeParse({ id: 'example', kind: def.kind, ...def.example });

      expect(result.error?.issues ?? []).toEqual([]);
    });

    it('has a readme.md whose example configs validate', () => {
      expect(existsSync(join(CHECKS_DIR, def.kind, 'readme.md'))).toBe(true);
      const examples = readmeExamples(def);

      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        expect(checkSchema(def).safeParse(example).error?.issues ?? []).toEqual([]);
      }
    });

    it('rejects unknown keys (a typo must not be ignored)', () => {
      const result = checkSchema(def).safeParse({
        id: 'example',
        kind: def.kind,
        ...def.example,
        typoKey: 1,
      });

      expect(result.success).toBe(false);
    });
  });
}

/** Fails when a check reports a measurement its kind does not declare, or with labels it does not declare. */
export function expectDeclared(def: AnyCheckDefinition, measurements: readonly Measurement[]): void {
  const declared = new Map(def.measurements.map((m) => [m.name, new Set(['check', ...m.labels])]));
  const undeclared = measurements.flatMap((m) => {
    const labels = declared.get(m.name);
    if (!labels) return [`${m.name} (not declared)`];
    const extra = Object.keys(m.labels).filter((l) => !labels.has(l));
    return extra.length ? [`${m.name} {${extra.join(', ')}} (labels not declared)`] : [];
  });
  // The benchmarks run checks through this kit outside jest, where there is no `expect`.
  if (typeof expect === 'undefined') {
    if (undeclared.length) throw new Error(`undeclared measurements: ${undeclared.join(', ')}`);
    return;
  }
  expect(undeclared).toEqual([]);
}
