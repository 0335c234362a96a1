// `node --require test/cli/trace-modules.cjs ...`: records every module file the process loads, CommonJS and
// ES modules alike (Node's synchronous module hooks), and the built-ins Node compiled for it (`builtin:crypto`),
// and writes the list to $GUARDRAIL_TRACE_MODULES at exit.
'use strict';
const { registerHooks } = require('node:module');
const { writeFileSync } = require('node:fs');

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
const atStart = new Set(process.moduleLoadList);
process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((m) => !atStart.has(m) && m.startsWith('NativeModule '))
    .map((m) => `builtin:${m.slice('NativeModule '.length)}`);
  writeFileSync(process.env.GUARDRAIL_TRACE_MODULES, JSON.stringify([...loaded, ...builtins]));
});
