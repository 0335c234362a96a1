import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROVISIONING_FILE, renderDashboardFiles, staleDashboardFiles } from '../../src/dashboards/files';

const ROOT = join(__dirname, '../..');
const COMMITTED = join(ROOT, 'dashboards');
// The same built entry point CI runs (`npm test` builds it first).
const CLI = join(ROOT, 'dist/src/cli/main.js');

function committedCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-dashboards-'));
  cpSync(COMMITTED, dir, { recursive: true });
  return dir;
}

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
}

describe('committed dashboards', () => {
  it('equal what the generator writes (run `guardrail dashboards` when this fails)', () => {
    expect(staleDashboardFiles(COMMITTED)).toEqual([]);
  });

  it('are byte-identical from one generation to the next', () => {
    expect(renderDashboardFiles()).toEqual(renderDashboardFiles());
  });

  it('come with a file-provisioning provider pointing at the dashboards folder', () => {
    const yaml = renderDashboardFiles().find((f) => f.file === PROVISIONING_FILE);

    expect(parse(yaml?.content ?? '')).toEqual({
      apiVersion: 1,
      providers: [
        expect.objectContaining({
          name: 'guardrail',
          type: 'file',
          folder: 'Guardrail',
          options: expect.objectContaining({ path: expect.any(String) }),
        }),
      ],
    });
  });
});

describe('staleDashboardFiles', () => {
  it('names a changed, a missing and an unexpected file', () => {
    const dir = committedCopy();
    appendFileSync(join(dir, 'guardrail-idle-waste.json'), ' ');
    rmSync(join(dir, PROVISIONING_FILE));
    writeFileSync(join(dir, 'old-dashboard.json'), '{}');

    const stale = staleDashboardFiles(dir);

    expect(stale).toEqual([
      { file: 'guardrail-idle-waste.json', problem: 'changed' },
      { file: 'old-dashboard.json', problem: 'unexpected' },
      { file: PROVISIONING_FILE, problem: 'missing' },
    ]);
  });
});

describe('guardrail dashboards (built CLI)', () => {
  it('--check exits 0 on an up-to-date copy', () => {
    const result = cli(['dashboards', '--out', committedCopy(), '--check']);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('up to date');
  });

  it('--check exits 1 after a file is modified, naming it and the command to run', () => {
    const dir = committedCopy();
    writeFileSync(join(dir, 'guardrail-agent-health.json'), '{}\n');

    const result = cli(['dashboards', '--out', dir, '--check']);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('guardrail-agent-health.json (changed)');
    expect(result.stderr).toContain('run: guardrail dashboards --out');
  });

  it('writes into an empty folder what --check then accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-dashboards-'));

    const written = cli(['dashboards', '--out', dir]);
    const checked = cli(['dashboards', '--out', dir, '--check']);

    expect(written.status).toBe(0);
    expect(written.stdout).toContain(`wrote ${renderDashboardFiles().length} files`);
    expect(checked.status).toBe(0);
  });
});
