// Lets `node -r ./bench/register.js` load the repository's TypeScript directly (benchmarks, test child
// processes): each .ts file is compiled to CommonJS by @swc/core on first require.
'use strict';
const { transformSync } = require('@swc/core');
const fs = require('node:fs');

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  });
  module._compile(code, filename);
};
