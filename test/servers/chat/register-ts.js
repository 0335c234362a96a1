// Lets a child `node -r ./register-ts.js file.ts` run the repo's TypeScript, compiled by @swc/core as jest does
// (and `./x.js` imports of lazily loaded modules finding `./x.ts`): the benchmarks' hook, plus a marker.
'use strict';
require('../../../bench/register.js');
process.env.GUARDRAIL_TS_HOOK = '1';
