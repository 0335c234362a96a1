import { relative, resolve } from 'node:path';
import { staleDashboardFiles, writeDashboardFiles } from '../dashboards/files';

export interface DashboardsOptions {
  /** Output folder, relative to the working directory. */
  out: string;
  /** Compare instead of writing; exit 1 when anything differs. */
  check?: boolean;
}

export async function dashboardsCommand(flags: DashboardsOptions): Promise<void> {
  const dir = resolve(flags.out);
  const shown = relative(process.cwd(), dir) || '.';
  if (!flags.check) {
    const files = writeOrExplain(dir, shown);
    process.stdout.write(`wrote ${files.length} files to ${shown}/\n`);
    warnUnexpected(dir);
    return;
  }
  const stale = staleDashboardFiles(dir);
  if (stale.length === 0) {
    process.stdout.write(`dashboards in ${shown}/ are up to date\n`);
    return;
  }
  const lines = [`dashboards in ${shown}/ are stale:`, ...stale.map((s) => `  ${s.file} (${s.problem})`)];
  lines.push(
    `run: guardrail dashboards --out ${shown}${stale.some((s) => s.problem === 'unexpected') ? ', and delete the unexpected files' : ''}`,
  );
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exitCode = 1;
}

/**
 * A folder that cannot be written (the image's read-only root, where the default `dashboards` is /app/dashboards;
 * a path through a file) is named, with the way out, instead of Node's bare "EACCES: permission denied, mkdir".
 */
function writeOrExplain(dir: string, shown: string): ReturnType<typeof writeDashboardFiles> {
  try {
    return writeDashboardFiles(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    throw new Error(
      `cannot write the dashboards to ${shown}/ (${code}): give a writable folder with --out, e.g. --out /tmp/dashboards`,
      { cause: error },
    );
  }
}

/** Writing never deletes: a JSON file left over from a removed dashboard is for a human to remove. */
function warnUnexpected(dir: string): void {
  for (const s of staleDashboardFiles(dir)) {
    if (s.problem === 'unexpected')
      process.stderr.write(`warning: ${s.file} is not generated; Grafana still provisions it\n`);
  }
}
