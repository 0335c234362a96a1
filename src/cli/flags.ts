import { StateUrl } from '../config/schema';
import { UsageError } from '../core/errors';

/** `--state`, checked like `state.url` (a malformed URL is a usage error: exit 2, nothing runs). */
export function stateUrlFlag(flags: { state?: string }): { stateUrl?: string } {
  if (flags.state === undefined) return {};
  if (!StateUrl.safeParse(flags.state).success) {
    throw new UsageError('--state must be sqlite://PATH or postgres://USER@HOST/DB');
  }
  return { stateUrl: flags.state };
}
