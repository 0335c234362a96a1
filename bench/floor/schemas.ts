// The floor under `guardrail validate` that zod sets: the same schemas parse the production example's data, read
// as JSON (no YAML reader, no `${VAR}`s, no tables files, no CLI, no summary). `npm run build -- --floor` builds it
// as the brief bundle is built, with a binary of its own (dist/bench-floor/schemas/main.js) that starts it as the real one
// starts `validate`: same V8 flags, same code cache written after the run. bench/startup.bench.ts times it beside
// `validate`; what `validate` takes above it is Guardrail's and the YAML reader's, the rest is zod's and Node's.
import { readFileSync } from 'node:fs';
import { findCheck } from '../../checks/registry';
import { parseChannels } from '../../src/config/channels';
import { parseCoerced } from '../../src/config/coerce';
import { checkSchema } from '../../src/config/schema';
import { parseTopLevel } from '../../src/config/top-level';

/** Where the bench wrote the example's data (the merged config after interpolation, as JSON). */
export const FLOOR_DATA_ENV = 'GUARDRAIL_FLOOR_DATA';

export function runCli(): void {
  const fail = (what: unknown): never => {
    throw new Error(`the floor's data does not validate: ${JSON.stringify(what)}`);
  };
  const file = process.env[FLOOR_DATA_ENV] ?? fail(`${FLOOR_DATA_ENV} is not set`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const data = parseTopLevel(raw, (error) => fail(error.issues)) ?? fail('top level');
  let parsed = 0;
  for (const item of data.checks as Array<{ kind: string }>) {
    const result = parseCoerced(checkSchema(findCheck(item.kind) ?? fail(item.kind)), item);
    if (!result.success) fail(result.error.issues);
    parsed++;
  }
  const channels = parseChannels(
    data,
    (path, message) => fail([path, message]),
    (error) => fail(error.issues),
  );
  process.stdout.write(`${file}: ${parsed} checks and ${channels.length} channels valid\n`);
}
