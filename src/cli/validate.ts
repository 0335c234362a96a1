import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { formatDuration } from '../core/duration';
import { redactUrlSecrets } from '../core/url';
import { stateUrlFlag } from './flags';
import type { GlobalOptions } from './options';

interface ValidateFlags extends GlobalOptions {
  /** Also connect and check that every table and column named exists and can be read. */
  online?: boolean;
}

export async function validateCommand(flags: ValidateFlags): Promise<void> {
  const config = loadConfig(flags.config);
  // --state (or GUARDRAIL_STATE_URL) replaces state.url when the agent runs: checked as strictly.
  stateUrlFlag(flags);
  const lines = [`${config.file}: valid`];
  lines.push(`state: ${flags.state ? 'from --state' : redactUrlSecrets(config.state.url)}`);
  lines.push(`checks (${config.checks.length}):`);
  for (const c of config.checks) {
    const off = c.enabled ? '' : ' [disabled]';
    lines.push(
      `  ${c.id} (${c.kind}) schedule "${c.schedule}", timeout ${formatDuration(c.timeoutMs)}${off}`,
    );
  }
  lines.push(
    `connections: ${
      Object.entries(config.connections)
        .map(([n, c]) => `${n} (${c.type})`)
        .join(', ') || 'none'
    }`,
  );
  lines.push(`channels: ${config.channels.map((c) => `${c.name} (${c.type})`).join(', ') || 'none'}`);
  lines.push(`routes (first match wins):`);
  for (const r of config.alerts.routes)
    lines.push(`  ${r.match ? JSON.stringify(r.match) : '(everything else)'} → ${r.channel}`);
  lines.push(`silences: ${config.alerts.silences.length}`);
  for (const w of config.warnings) lines.push(`warning: ${w}`);
  if (flags.online) {
    // Loaded only here: the drivers are not for the offline validation a pull request runs.
    const { checkOnline } = await import('./validate-online.js');
    const online = await checkOnline(config);
    if (online.issues.length) throw new ConfigError(online.issues);
    lines.push(`online: ${online.tables} table${online.tables === 1 ? '' : 's'} found and readable`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
