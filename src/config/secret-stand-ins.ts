import { UNSET_SECRET } from '../core/url';
import { unsetVariableMessage, type ConfigIssue } from './errors';
import { ConfigSources } from './sources';

export { UNSET_SECRET, unsetSecret } from '../core/url';

export interface LoadOptions {
  /**
   * `placeholder`: an unset `${VAR}` (no default) in a secret-bearing key ({@link SECRET_KEYS}) reads as
   * {@link UNSET_SECRET}`VAR` instead of failing; anywhere else it is still an error. Only `iam-policy` asks for
   * it, and the commands that only read and write the state store (`alerts`, `silence`): they never connect to a
   * monitored database nor send. @default 'require'
   */
  secrets?: 'require' | 'placeholder';
  /**
   * With `placeholder`: the command opens the store `state.url` names (no `--state` given), so an unset variable
   * there stays an error; else an unset state URL is dropped. @default false
   */
  needsStateUrl?: boolean;
}

/** Keys whose values are, or carry, credentials: connection and state URLs, webhooks, passwords, secret ARNs. */
const SECRET_KEYS = new Set(['url', 'webhookUrl', 'password', 'secretArn']);

export function readSources(file: string, env: NodeJS.ProcessEnv, options: LoadOptions): ConfigSources {
  if (options.secrets !== 'placeholder') {
    const sources = new ConfigSources(env);
    sources.load(file);
    return sources;
  }
  return keepSecretStandIns(readStandingIn(file, env).sources, options.needsStateUrl ?? false);
}

/**
 * Reads `file` and its includes with each unset `${VAR}` (no default) read as {@link UNSET_SECRET}`VAR`, anywhere;
 * `unset` holds the problem each one is, as found in every file read. A file with an unset variable is not read at
 * all, nor what it includes: again until none is new.
 */
export function readStandingIn(
  file: string,
  env: NodeJS.ProcessEnv,
): { sources: ConfigSources; unset: ConfigIssue[] } {
  const standIn: NodeJS.ProcessEnv = { ...env };
  const stood = new Set<string>();
  const unset: ConfigIssue[] = [];
  for (;;) {
    const sources = new ConfigSources(standIn);
    sources.load(file);
    const fresh = sources.issues.filter((i) => i.unsetVariable && !stood.has(i.unsetVariable));
    if (!fresh.length) return { sources, unset };
    unset.push(...fresh);
    for (const { unsetVariable: name } of fresh) {
      stood.add(name!);
      standIn[name!] = `${UNSET_SECRET}${name}`;
    }
  }
}

/**
 * Stand-ins are for secrets only: elsewhere an unset variable is reported as usual; an unset state URL is dropped,
 * unless the command needs it (it would open another store than the one meant).
 */
function keepSecretStandIns(sources: ConfigSources, needsStateUrl: boolean): ConfigSources {
  const state = sources.data.state as Record<string, unknown> | undefined;
  if (state && typeof state.url === 'string' && state.url.includes(UNSET_SECRET) && !needsStateUrl)
    delete state.url;
  for (const { path, name } of standIns(sources.data)) {
    const stateUrl = path.length === 2 && path[0] === 'state' && path[1] === 'url';
    if (!SECRET_KEYS.has(String(path.at(-1))) || stateUrl)
      sources.issues.push({ ...sources.locate(path), message: unsetVariableMessage(name) });
  }
  return sources;
}

/** Every text of `data` holding a stand-in, with its path and the variable it stands for. */
export function standIns(data: unknown): { path: (string | number)[]; name: string }[] {
  const found: { path: (string | number)[]; name: string }[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      const name = node.includes(UNSET_SECRET) ? node.split(UNSET_SECRET)[1]?.match(/^\w+/)?.[0] : undefined;
      if (name) found.push({ path, name });
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node))
        visit(value, [...path, Array.isArray(node) ? Number(key) : key]);
    }
  };
  visit(data, []);
  return found;
}

/** `text` with each stand-in written as the `${VAR}` it stands for. */
export function showStandIns(text: string): string {
  return text.split(UNSET_SECRET).reduce((out, part) => out + part.replace(/^(\w+)/, '${$1}'));
}
