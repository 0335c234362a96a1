import { existsSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/errors';
import { blockingCallsReturned } from '../core/blocking-calls';
import { CheckFailedError, UsageError } from '../core/errors';
import { errorMessage, redact } from '../core/redact';
import { EXIT } from './options';
import { packageVersion } from './version';

/** Where containers mount the config (the image also sets `GUARDRAIL_CONFIG` to it). */
export const CONTAINER_CONFIG = '/etc/guardrail/guardrail.yaml';

/** `./guardrail.yaml`; when there is none, the container path if a file is there. */
export function defaultConfigPath(exists: (path: string) => boolean = existsSync): string {
  return !exists('guardrail.yaml') && exists(CONTAINER_CONFIG) ? CONTAINER_CONFIG : './guardrail.yaml';
}

const configOption = () =>
  new Option('--config <file>', 'config file').env('GUARDRAIL_CONFIG').default(defaultConfigPath());
const formatOption = () =>
  new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
/** For repeatable options: `--label a=b --label c=d`. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function globalOptions(cmd: Command): Command {
  return cmd
    .addOption(configOption())
    .addOption(
      new Option('--state <url>', 'state store URL (overrides state.url)').env('GUARDRAIL_STATE_URL'),
    );
}

/** Loads a command's module only when it runs: `validate` must not pay for database drivers or metrics. */
function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return async (...args: unknown[]) => {
    const command = (await load())[name] as unknown as (...a: unknown[]) => Promise<void>;
    await command(...args);
  };
}

export function buildProgram(): Command {
  const program = new Command('guardrail')
    .description('Observability and cost-guard agent for data platform teams')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError();
  globalOptions(program.command('run'))
    .description('run the enabled checks once, route alerts, persist state, exit')
    .option('--check <id...>', 'run only these checks (repeatable)')
    .option('--dry-run', 'render every alert that would be sent, send nothing, change no state')
    .addOption(formatOption())
    .option('--fail-on-findings', 'exit 1 when any finding is firing')
    .action(lazy(() => import('./run.js'), 'runCommand'));
  globalOptions(program.command('serve'))
    .description('schedule each check by its cron; serve /metrics, /healthz, /readyz')
    .action(lazy(() => import('./serve.js'), 'serveCommand'));
  globalOptions(program.command('validate'))
    .description('validate the config and print a summary')
    .option(
      '--online',
      'also connect (read-only) and check that every table and column named exists and is readable',
    )
    .action(lazy(() => import('./validate.js'), 'validateCommand'));
  globalOptions(program.command('checks'))
    .description('list the check kinds and their config keys')
    .action(lazy(() => import('./info.js'), 'checksCommand'));
  globalOptions(program.command('iam-policy'))
    .description('print the least-privilege IAM policy the enabled checks need (no secret, no network)')
    .addOption(
      new Option(
        '--role <role>',
        'with aws.accounts: the runner identity, or the member accounts’ role',
      ).choices(['runner', 'member']),
    )
    .option('--cleanup', 'add the scoped permissions of `guardrail cleanup apply`')
    .action(lazy(() => import('./iam-policy.js'), 'iamPolicyCommand'));
  globalOptions(program.command('schema'))
    .description("print the config's JSON Schema")
    .action(lazy(() => import('./info.js'), 'schemaCommand'));
  program
    .command('alerts')
    .description(
      'list the alerts in the state store: firing (default), pending, silenced, resolved, retired, event or all',
    )
    .addOption(configOption())
    // `--state` names the filter here, as on-call people type it; a state URL (with ://) is still accepted.
    .addOption(
      new Option(
        '--state <filter|url>',
        'firing, pending, silenced, resolved, retired, event or all; or a state store URL',
      ).argParser(collect),
    )
    .option('--check <id>', "only this check's alerts")
    .addOption(formatOption())
    .action(lazy(() => import('./alerts.js'), 'alertsCommand'));
  globalOptions(program.command('retire'))
    .description(
      'close, without a notice, the open alerts of a check that no longer runs (renamed, deleted or disabled)',
    )
    .requiredOption('--check <id>', 'the check whose alerts to close')
    .action(lazy(() => import('./alerts.js'), 'retireCommand'));
  const silence = program.command('silence').description('silence alerts during an incident, from the CLI');
  globalOptions(silence.command('add'))
    .description('silence a check (or some of its keys or labels) until a time or for a while')
    .requiredOption('--check <id>', 'the check to silence')
    .option('--key <glob>', 'only finding keys matching this glob (e.g. shop.*)')
    .option('--label <name=value>', 'only findings with this label (repeatable)', collect)
    .option('--until <time>', 'end: a date (end of that day, UTC) or an ISO date-time')
    .option('--for <duration>', 'end: this long from now (e.g. 4h, 30m, 2d)')
    .requiredOption('--reason <text>', 'why (shown on the alert)')
    .option('--by <name>', 'who silences (default: $USER)')
    .action(lazy(() => import('./silence.js'), 'silenceAddCommand'));
  globalOptions(silence.command('list'))
    .description("list the active silences, the config's and the store's")
    .option('--all', 'include the expired ones')
    .addOption(formatOption())
    .action(lazy(() => import('./silence.js'), 'silenceListCommand'));
  globalOptions(silence.command('expire'))
    .description('end a silence now; its alerts are announced again at the next run if still firing')
    .argument('<id>', 'the id printed by silence add')
    .action(lazy(() => import('./silence.js'), 'silenceExpireCommand'));
  globalOptions(program.command('dashboards'))
    .description('write the Grafana dashboards and provisioning YAML')
    .option('--out <dir>', 'output folder', 'dashboards')
    .option('--check', 'write nothing; exit 1 when the files on disk differ')
    .action(lazy(() => import('./dashboards.js'), 'dashboardsCommand'));
  const cleanup = program
    .command('cleanup')
    .description('plan, then apply, the removal of what a check found');
  globalOptions(cleanup.command('plan'))
    .description('run a check now and write which resources a cleanup would touch, and how')
    .requiredOption('--check <id>', 'the check whose findings to plan for')
    .option('--out <file>', 'write the plan here (default: stdout)')
    .option('--mark', 'tag each resource guardrail:cleanup-after=DATE; apply waits for that date')
    .option('--notify', "send the plan's summary to the channel the check's alerts are routed to")
    .action(lazy(() => import('./cleanup.js'), 'cleanupPlanCommand'));
  globalOptions(cleanup.command('apply'))
    .description('apply a plan: only its resources, each re-checked right before acting')
    .argument('<plan>', 'the plan file')
    .option('--dry-run', 'show what it would do now, change nothing')
    .option('--continue-on-error', 'go on with the next resource after an unexpected error')
    .option(
      '--snapshot-poll <duration>',
      'how often to check a snapshot before deleting its volume (40 checks at most)',
      '15s',
    )
    .action(lazy(() => import('./cleanup.js'), 'cleanupApplyCommand'));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    process.exitCode = undefined;
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(
      `Invalid configuration (${error.issues.length} problem${error.issues.length > 1 ? 's' : ''}):\n`,
    );
    process.stderr.write(error.issues.map((i) => `  ${formatIssueLine(i)}`).join('\n') + '\n');
    return EXIT.usage;
  }
  if (error instanceof CheckFailedError) {
    process.stderr.write(`guardrail: ${errorMessage(error)}\n`);
    return EXIT.checkFailed;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`guardrail: ${error.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`guardrail: ${errorMessage(error)}\n`);
  if (process.env.GUARDRAIL_DEBUG && error instanceof Error)
    process.stderr.write(`${redact(error.stack ?? '')}\n`);
  return EXIT.failed;
}

function formatIssueLine(issue: ConfigError['issues'][number]): string {
  return new ConfigError([issue]).message;
}

/**
 * Node prints process warnings raw, over several lines, on stderr, which is promised to be JSON lines: its printer
 * (the default 'warning' listener, what `--no-warnings` turns off) gives way to the logger.
 */
function logWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    void import('../core/log.js').then((m) => m.logProcessWarning(warning));
  });
}

/** Runs the CLI on this process's arguments and exits with its code: what the `guardrail` binary does. */
export function runCli(): void {
  logWarnings();
  // A reader that stops early (`guardrail schema | head -1`) closes the pipe: what it did not read is not wanted,
  // and the command ends as it would have, without a stack trace of the write that found the pipe closed.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', ignoreClosedPipe);
  main(process.argv.slice(2)).then(exitAfterOutput, (error: unknown) => {
    process.stderr.write(`guardrail: ${errorMessage(error)}\n`);
    exitAfterOutput(EXIT.failed);
  });
}

function ignoreClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
}

/** How long exiting waits for a call into the operating system to return (see src/core/blocking-calls.ts). */
const BLOCKED_CALL_WAIT_MS = 5_000;

/**
 * Exits once what was written to stdout and stderr has left the process, and any call into the operating system
 * still pending has returned (a statement interrupted at its timeout, over a slow mount) or `BLOCKED_CALL_WAIT_MS`
 * passed. Writes to a pipe complete later, and `process.exit` drops what is still queued: a JSON report piped to
 * `jq` was cut at 64 KiB, exit code unchanged.
 */
function exitAfterOutput(code: number): void {
  let open = 2;
  const done = () => {
    if (--open === 0) void blockingCallsReturned(BLOCKED_CALL_WAIT_MS).then(() => process.exit(code));
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
