import { existsSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/errors';
import { UsageError } from '../core/errors';
import { errorMessage, redact } from '../core/redact';
import { EXIT } from './options';
import { packageVersion } from './version';

/** Where containers mount the config (the image also sets `GUARDRAIL_CONFIG` to it). */
export const CONTAINER_CONFIG = '/etc/guardrail/guardrail.yaml';

/** `./guardrail.yaml`; when there is none, the container path if a file is there. */
export function defaultConfigPath(exists: (path: string) => boolean = existsSync): string {
  return !exists('guardrail.yaml') && exists(CONTAINER_CONFIG) ? CONTAINER_CONFIG : './guardrail.yaml';
}

function globalOptions(cmd: Command, defaultConfig: string): Command {
  return cmd
    .addOption(new Option('--config <file>', 'config file').env('GUARDRAIL_CONFIG').default(defaultConfig))
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
  const config = defaultConfigPath();
  globalOptions(program.command('run'), config)
    .description('run the enabled checks once, route alerts, persist state, exit')
    .option('--check <id...>', 'run only these checks (repeatable)')
    .option('--dry-run', 'render every alert that would be sent, send nothing, change no state')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--fail-on-findings', 'exit 1 when any finding is firing')
    .action(lazy(() => import('./run.js'), 'runCommand'));
  globalOptions(program.command('serve'), config)
    .description('schedule each check by its cron; serve /metrics, /healthz, /readyz')
    .action(lazy(() => import('./serve.js'), 'serveCommand'));
  globalOptions(program.command('validate'), config)
    .description('validate the config and print a summary')
    .action(lazy(() => import('./info.js'), 'validateCommand'));
  globalOptions(program.command('checks'), config)
    .description('list the check kinds and their config keys')
    .action(lazy(() => import('./info.js'), 'checksCommand'));
  globalOptions(program.command('iam-policy'), config)
    .description('print the least-privilege IAM policy the enabled checks need')
    .action(lazy(() => import('./info.js'), 'iamPolicyCommand'));
  globalOptions(program.command('schema'), config)
    .description("print the config's JSON Schema")
    .action(lazy(() => import('./info.js'), 'schemaCommand'));
  globalOptions(program.command('dashboards'), config)
    .description('write the Grafana dashboards and provisioning YAML')
    .option('--out <dir>', 'output folder', 'dashboards')
    .option('--check', 'write nothing; exit 1 when the files on disk differ')
    .action(lazy(() => import('./dashboards.js'), 'dashboardsCommand'));
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
  if (error instanceof UsageError) {
    process.stderr.write(`guardrail: ${error.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`guardrail: ${errorMessage(error)}\n`);
  if (process.env.GUARDRAIL_DEBUG && error instanceof Error)
    process.stderr.write(`${redact(error.stack ?? '')}\n`);
  return EXIT.checkFailed;
}

function formatIssueLine(issue: ConfigError['issues'][number]): string {
  return new ConfigError([issue]).message;
}

/** Runs the CLI on this process's arguments and exits with its code: what the `guardrail` binary does. */
export function runCli(): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`guardrail: ${errorMessage(error)}\n`);
      process.exit(EXIT.checkFailed);
    },
  );
}
