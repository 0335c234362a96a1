// `node --require test/cli/trace-modules.cjs ...`: records every module file the process loads, CommonJS and
// ES modules alike (Node's synchronous module hooks), and writes the list to $GUARDRAIL_TRACE_MODULES at exit.
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
process.on('exit', () => writeFileSync(process.env.GUARDRAIL_TRACE_MODULES, JSON.stringify([...loaded])));
