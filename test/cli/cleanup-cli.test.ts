import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAwsProcess, type FakeAwsProcess } from '../servers/aws/process';
import { emptyRegion } from '../servers/aws/world';

const CLI = join(__dirname, '../../dist/src/cli/main.js');
const ACCOUNT = '111111111111';

/** The fake AWS runs in its own process, so the CLI can be run synchronously against it. */
describe('guardrail cleanup (built entry point) against the fake AWS', () => {
  let aws: FakeAwsProcess;
  let dir: string;
  let config: string;
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--config', config], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        GUARDRAIL_LOG_LEVEL: 'warn',
        AWS_ACCESS_KEY_ID: 'AKIDSTATICFAKE',
        AWS_SECRET_ACCESS_KEY: 'fake-secret',
      },
    });

  beforeAll(async () => {
    aws = await startFakeAwsProcess({
      frozen: false,
      callerAccountId: ACCOUNT,
      accounts: [
        {
          id: ACCOUNT,
          regions: {
            'us-east-1': {
              ...emptyRegion(),
              volumes: [
                { id: 'vol-a', sizeGiB: 100, type: 'gp3', state: 'available' },
                { id: 'vol-b', sizeGiB: 10, type: 'gp2', state: 'available' },
              ],
            },
          },
        },
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'guardrail-cleanup-'));
    config = join(dir, 'guardrail.yaml');
    writeFileSync(
      config,
      [
        'state: { url: "sqlite://state.db" }',
        `aws: { region: us-east-1, endpoint: "${aws.url}", maxAttempts: 1 }`,
        'checks:',
        '  - { id: idle-ebs, kind: idle-ebs-volumes, gp2: false }',
        'alerts:',
        '  channels: { console: { type: console } }',
        '  routes: [ { channel: console } ]',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => aws.close());

  it('writes a plan, announces it, applies it once, and refuses it edited, made up or expired', () => {
    const planFile = join(dir, 'plan.json');

    const planned = cli(['cleanup', 'plan', '--check', 'idle-ebs', '--out', planFile, '--notify']);
    // A plan file reformatted (compact, keys in another order) is the same plan.
    const written = readFileSync(planFile, 'utf8');
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    writeFileSync(planFile, JSON.stringify(reversed(JSON.parse(written))));
    const dry = cli(['cleanup', 'apply', planFile, '--dry-run']);
    writeFileSync(planFile, written);
    const applied = cli(['cleanup', 'apply', planFile, '--snapshot-poll', '10ms']);
    const again = cli(['cleanup', 'apply', planFile]);
    const text = readFileSync(planFile, 'utf8');
    const plan = JSON.parse(text) as {
      id: string;
      expiresAt: string;
      actions: { monthlySavingUsd: number }[];
    };
    // An edited plan (a later expiry, a bigger saving) and a made-up one are refused: a FinOps trial's forged plan
    // deleted a volume it named and recorded its invented saving.
    writeFileSync(planFile, JSON.stringify({ ...plan, expiresAt: '2099-01-01T00:00:00.000Z' }));
    const edited = cli(['cleanup', 'apply', planFile]);
    writeFileSync(planFile, JSON.stringify({ ...plan, id: 'plan-2026-12-03-madeup00' }));
    const madeUp = cli(['cleanup', 'apply', planFile]);
    // Expiry is the recorded plan's, whatever the file says.
    writeFileSync(planFile, text);
    const db = new Database(join(dir, 'state.db'));
    db.prepare('UPDATE guardrail_cleanup_plan SET expires_at = ? WHERE plan_id = ?').run(
      '2020-01-01T00:00:00.000Z',
      plan.id,
    );
    db.close();
    const expired = cli(['cleanup', 'apply', planFile]);

    expect([planned.status, planned.stderr]).toEqual([0, expect.stringContaining('summary sent to console')]);
    expect(planned.stdout).toContain('Cleanup plan plan-');
    expect(plan.actions).toHaveLength(2);
    expect([dry.status, dry.stdout]).toEqual([
      0,
      expect.stringContaining('dry run: 2 would be done, 0 skipped, 0 failed'),
    ]);
    expect([applied.status, applied.stdout]).toEqual([
      0,
      expect.stringContaining('2 done, 0 skipped, 0 failed; $9.00/month saved at list price'),
    ]);
    expect(again.stdout).toContain('already-done');
    expect(again.stdout).toContain('0 done, 0 skipped, 0 failed; $0.00/month saved');
    expect([edited.status, edited.stderr]).toEqual([
      2,
      expect.stringContaining(`plan ${plan.id} is not the plan guardrail cleanup plan wrote`),
    ]);
    expect([madeUp.status, madeUp.stderr]).toEqual([
      2,
      expect.stringContaining('plan plan-2026-12-03-madeup00 has no record in this state store'),
    ]);
    expect([expired.status, expired.stderr]).toEqual([2, expect.stringContaining('expired at 2020-01-01')]);
  });

  it('exits 3 naming the check when the check could not run (AWS refuses the connection)', () => {
    const refused = join(dir, 'refused.yaml');
    writeFileSync(refused, readFileSync(config, 'utf8').replace(aws.url, 'http://127.0.0.1:9'));

    const result = spawnSync(
      process.execPath,
      [CLI, 'cleanup', 'plan', '--check', 'idle-ebs', '--config', refused],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_ACCESS_KEY_ID: 'AKIDSTATICFAKE',
          AWS_SECRET_ACCESS_KEY: 'fake-secret',
        },
      },
    );

    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/^guardrail: check idle-ebs could not run: /m);
  });

  it('iam-policy --cleanup adds the scoped delete', () => {
    const policy = JSON.parse(cli(['iam-policy', '--cleanup']).stdout) as { Statement: { Sid: string }[] };

    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'GuardrailReadOnly',
      'GuardrailCleanupTags',
      'GuardrailCleanupSnapshots',
      'GuardrailCleanupUntagKeptVolumes',
      'GuardrailCleanupDeletePlannedVolumes',
    ]);
  });
});
