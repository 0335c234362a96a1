import { resolve } from 'node:path';
import { StateUrl } from '../config/schema';
import { UsageError } from '../core/errors';

/**
 * `--state`, checked like `state.url` (a malformed URL is a usage error: exit 2, nothing runs), and
 * `GUARDRAIL_STATE_DIR`, the folder relative sqlite paths resolve against instead of the config file's (the image
 * sets it to its writable volume, since its config folder is read-only).
 */
export function stateUrlFlag(
  flags: { state?: string },
  env: NodeJS.ProcessEnv = process.env,
): { stateUrl?: string; stateDir?: string } {
  const stateDir = env.GUARDRAIL_STATE_DIR ? { stateDir: resolve(env.GUARDRAIL_STATE_DIR) } : {};
  if (flags.state === undefined) return stateDir;
  const parsed = StateUrl.safeParse(flags.state);
  if (!parsed.success) {
    // The message, not the value: a PostgreSQL URL holds the password.
    const why = parsed.error.issues.map((i) => i.message).find((m) => m.includes('value hidden'));
    throw new UsageError(`--state must be sqlite://PATH or postgres://USER@HOST/DB${why ? `: ${why}` : ''}`);
  }
  return { stateUrl: flags.state, ...stateDir };
}
