import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program some tests need, and the Debian package that has it. */
export interface Tool {
  name: string;
  debianPackage: string;
}

export function which(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
}

/**
 * `describe` when every tool is on PATH. Otherwise, locally: `describe.skip` with a message naming the packages;
 * under CI (CI=true): `describe` whose first test fails with that message, because CI must run everything.
 */
export function describeWithTools(tools: Tool[]): jest.Describe {
  const missing = tools.filter((t) => !which(t.name));
  if (missing.length === 0) return describe;
  const message =
    `needs ${missing.map((t) => t.name).join(', ')} on PATH: ` +
    `apt-get install -y ${[...new Set(missing.map((t) => t.debianPackage))].join(' ')}`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    return ((name: string, body: () => void) =>
      describe(name, () => {
        it(`has its tools (${message})`, () => {
          throw new Error(`CI runs every test: this one ${message}`);
        });
        body();
      })) as unknown as jest.Describe;
  }
  process.stderr.write(`skipped: tests that ${message}\n`);
  return describe.skip;
}

export const PROMTOOL: Tool = { name: 'promtool', debianPackage: 'prometheus' };
export const PROMETHEUS: Tool = { name: 'prometheus', debianPackage: 'prometheus' };
export const PUSHGATEWAY: Tool = { name: 'prometheus-pushgateway', debianPackage: 'prometheus-pushgateway' };
