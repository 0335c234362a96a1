import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  BRIEF_V8_FLAGS,
  compileCacheDir,
  DEFAULT_V8_FLAGS,
  isBrief,
  LOAD_BUILTIN,
  leanUntilBusy,
  RUN_CPU_BUDGET_MS,
  setFlagsAfter,
  BRIEF_BUILTINS,
  RUN_V8_FLAGS,
  unsupportedNode,
  v8FlagsFor,
} from '../../src/cli/bin';

describe('the guardrail binary', () => {
  it('runs brief commands without the optimising compilers, but not those that may run long', () => {
    expect(isBrief(['validate', '--config', 'g.yaml'])).toBe(true);
    expect(isBrief(['checks'])).toBe(true);
    // "did you mean" compares each missing table with the whole catalog; alerts may list 20,000 of them
    expect(isBrief(['validate', '--online'])).toBe(false);
    expect(isBrief(['alerts'])).toBe(false);
    expect(isBrief(['run'])).toBe(false);
    expect(isBrief(['serve'])).toBe(false);
  });

  it('runs every command lean, the brief ones leaner, with flags this V8 knows, and restores its defaults', () => {
    expect(v8FlagsFor(['validate', '--config', 'g.yaml'])).toBe(BRIEF_V8_FLAGS);
    expect(v8FlagsFor(['run', '--config', 'g.yaml'])).toBe(RUN_V8_FLAGS);
    expect(v8FlagsFor(['alerts'])).toBe(RUN_V8_FLAGS);
    expect(v8FlagsFor(['validate', '--online'])).toBe(RUN_V8_FLAGS);
    expect(v8FlagsFor(['serve'])).toBe(RUN_V8_FLAGS);
    // An unknown flag is only a warning from V8: each must be listed by this Node, and the defaults restored must
    // be this Node's.
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    const listed = (name: string) =>
      new RegExp(`^\\s+--${name} \\(.*\\n\\s+type: (\\w+)\\s+default: (\\S+)`, 'm').exec(options);
    const nameOf = (flag: string) => /^--(?:no-)?([a-z-]+)/.exec(flag)![1]!;
    for (const flag of [...BRIEF_V8_FLAGS, ...RUN_V8_FLAGS])
      expect([flag, !!listed(nameOf(flag))]).toEqual([flag, true]);
    expect(DEFAULT_V8_FLAGS.map((f) => listed(nameOf(f))?.[2]?.replaceAll('"', ''))).toEqual(
      DEFAULT_V8_FLAGS,
    );
    expect(RUN_V8_FLAGS.map(nameOf)).toEqual(DEFAULT_V8_FLAGS.map(nameOf));
  });

  it('gives V8 its defaults back once the process has used its CPU budget, and for each lazy built-in until then', () => {
    const set: string[] = [];
    let cpu = 0;
    let poll: (() => void) | undefined;
    let stopped = 0;
    const global: Record<symbol, unknown> = {};
    leanUntilBusy(
      {
        setFlags: (flag) => set.push(flag),
        cpuMs: () => cpu,
        every: (f) => {
          poll = f;
          return () => stopped++;
        },
      },
      global,
    );
    expect(set).toEqual(RUN_V8_FLAGS);
    const load = global[LOAD_BUILTIN] as (id: string) => unknown;
    expect(load('node:path')).toBe(process.getBuiltinModule('node:path'));
    expect(set).toEqual([...RUN_V8_FLAGS, ...DEFAULT_V8_FLAGS, ...RUN_V8_FLAGS]);
    set.length = 0;
    cpu = RUN_CPU_BUDGET_MS - 1;
    poll!();
    expect(set).toEqual([]);
    cpu = RUN_CPU_BUDGET_MS;
    poll!();
    expect(set).toEqual(DEFAULT_V8_FLAGS);
    expect(stopped).toBe(1);
    expect(global[LOAD_BUILTIN]).toBeUndefined();
  });

  it("loads Node's built-ins with the defaults' flag hash while lean, so that Node's code cache of them is used", () => {
    // V8 refuses a code cache made with other flags (v8.cachedDataVersionTag() is their hash): a built-in first
    // loaded with the lean flags would be compiled from its source.
    const script = `
      const v8 = require('node:v8');
      const before = v8.cachedDataVersionTag();
      require(${JSON.stringify(join(__dirname, '../../dist/src/cli/main.js'))}).leanUntilBusy();
      const lean = v8.cachedDataVersionTag();
      let during;
      const get = process.getBuiltinModule;
      process.getBuiltinModule = (id) => ((during = v8.cachedDataVersionTag()), get(id));
      globalThis[Symbol.for('guardrail.loadBuiltin')]('node:https');
      console.log(JSON.stringify({ before, lean, during, after: v8.cachedDataVersionTag() }));`;
    const tags = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<
      string,
      number
    >;
    expect(tags.lean).not.toBe(tags.before);
    expect(tags).toEqual({ before: tags.before, lean: tags.lean, during: tags.before, after: tags.lean });
  });

  it('loads the built-ins every start needs before it changes the flags', () => {
    const done: string[] = [];
    setFlagsAfter(
      ['node:zlib', 'node:vm'],
      () => done.push('flags'),
      (id) => done.push(id),
    );
    expect(done).toEqual(['node:zlib', 'node:vm', 'flags']);
    expect(BRIEF_BUILTINS).toEqual(['node:zlib', 'node:vm']); // what brief-loader.ts reads on every start
  });

  it('really compiles nothing with Turbofan within the budget, and does once it is spent (the built binary)', () => {
    // Work in slices, so that the poll runs between them, as it does between a run's awaits.
    const script = `
      require(${JSON.stringify(join(__dirname, '../../dist/src/cli/main.js'))}).leanUntilBusy();
      const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
      function work() { let s = 0; for (let i = 0; i < 2e6; i++) s = (s + i * i) % 1000003; return s; }
      let said = false;
      (function slice() {
        work();
        if (!said && cpu() > ${RUN_CPU_BUDGET_MS} * 0.7) (said = true), console.log('--- budget nearly spent');
        if (cpu() > ${RUN_CPU_BUDGET_MS} * 1.5) return console.log('--- done');
        setImmediate(slice);
      })();`;
    const out = execFileSync(process.execPath, ['--trace-opt', '-e', script], { encoding: 'utf8' });
    const [before, after] = out.split('--- budget nearly spent');
    expect(after).toContain('--- done');
    expect(before).not.toMatch(/TURBOFAN/);
    expect(after).toMatch(/completed compiling .*work.*TURBOFAN/);
  });

  it('keeps its compile cache where NODE_COMPILE_CACHE says, else under the temporary folder', () => {
    expect(compileCacheDir({ NODE_COMPILE_CACHE: '/cache' })).toBe('/cache');
    expect(compileCacheDir({})).toMatch(/guardrail-compile-cache$/);
  });

  it('refuses a Node older than 22.12 with one line, not a stack trace', () => {
    expect(unsupportedNode('20.20.2')).toBe(
      'guardrail needs Node.js 22.12 or later (22 LTS); this is 20.20.2\n',
    );
    expect(unsupportedNode('22.11.0')).toMatch(/needs Node.js 22.12/);
    expect(unsupportedNode('22.12.0')).toBeUndefined();
    expect(unsupportedNode('24.1.0')).toBeUndefined();
  });
});
