/**
 * zod, for every schema Guardrail declares: import `* as z` from here, not from 'zod', so that this runs before
 * any schema is built. Jitless: zod compiles a fast path per object schema with `new Function` on its first
 * parse, which pays off only for a schema parsed thousands of times; Guardrail parses its config and a cleanup
 * plan once per process, where the compiling cost more than it saved (and the V8 optimiser it wakes, memory).
 */
import { config } from 'zod';

config({ jitless: true });

export * from 'zod';
