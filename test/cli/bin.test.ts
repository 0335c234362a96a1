import { compileCacheDir, isBrief, unsupportedNode } from '../../src/cli/bin';

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
