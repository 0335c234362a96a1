import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, removeTempDirs } from '../state/engines';
import { alert } from '../state/records';
import { openStateStore } from '../../src/state/open-store';
import { renameCheck } from '../kit/quickstart';

// The built entry point, as in cli.test.ts: `npm run build` first.
const CLI = join(__dirname, '../../dist/src/cli/main.js');
const QUICKSTART = join(__dirname, '../../examples/quickstart');

afterAll(removeTempDirs);

/** A private copy of the quickstart: `shop.orders` drifts, so each run reports one finding. */
function quickstartCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-silence-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  return join(dir, 'guardrail.yaml');
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, USER: 'ci-user', GUARDRAIL_LOG_LEVEL: 'warn', ...env },
  });
}

const findingsOf = (stdout: string) =>
  (JSON.parse(stdout) as { checks: { findings: Record<string, unknown>[] }[] }).checks[0]!.findings;

describe.each(engines)('guardrail alerts and silence on the %s store', (_engine, newUrl) => {
  it('silences a firing alert, lists it with by/why/until, and announces it again once expired', async () => {
    const config = quickstartCopy();
    const env = { GUARDRAIL_STATE_URL: await newUrl() };
    const run = () => cli(['run', '--config', config, '--format', 'json'], env);
    expect(findingsOf(run().stdout).map((f) => f.state)).toEqual(['new']);

    const add = cli(
      ['silence', 'add', '--config', config, '--check', 'shop-consistency', '--key', 'shop.*'].concat([
        '--for',
        '4h',
        '--reason',
        'backfill running, INC-42',
        '--by',
        'alice',
      ]),
      env,
    );
    const id =
      /^silence ([0-9a-f]{8}) added: check=shop-consistency key=shop\.\* until .+ UTC, by alice: backfill running, INC-42\n$/.exec(
        add.stdout,
      )?.[1];
    const silenced = run();
    const listed = cli([
      'alerts',
      '--config',
      config,
      '--state',
      'silenced',
      '--state',
      env.GUARDRAIL_STATE_URL,
    ]);
    const json = cli(['alerts', '--config', config, '--format', 'json'], env);
    const silences = cli(['silence', 'list', '--config', config], env);

    expect([add.status, id]).toEqual([0, expect.any(String)]);
    expect(silenced.status).toBe(0);
    expect(findingsOf(silenced.stdout)).toEqual([
      expect.objectContaining({
        key: 'shop.orders',
        state: 'silenced',
        silencedBy: 'alice',
        silenceReason: 'backfill running, INC-42',
        silencedUntil: expect.any(String),
      }),
    ]);
    expect(JSON.parse(silenced.stdout).notifications).toEqual({
      sent: 0,
      failed: 0,
      pending: 0,
      suppressed: 1,
    });
    expect(listed.stdout).toMatch(/^CHECK +KEY +SEVERITY +STATUS +SINCE +LAST NOTIFIED +TITLE\n/);
    expect(listed.stdout).toMatch(
      /\nshop-consistency +shop\.orders +critical +silenced +\d{4}-.+ UTC +\d{4}-.+ UTC +shop\.orders: /,
    );
    expect(listed.stdout).toMatch(
      /\n {2}↳ silenced by alice until \d{4}-\d\d-\d\d \d\d:\d\d UTC: backfill running, INC-42\n$/,
    );
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        check: 'shop-consistency',
        key: 'shop.orders',
        status: 'silenced',
        silencedBy: 'alice',
      }),
    ]);
    expect(silences.stdout).toContain(`${id}  check=shop-consistency key=shop.*`);

    const expire = cli(['silence', 'expire', id!, '--config', config], env);
    const again = cli(['run', '--config', config], env);
    const firing = cli(['alerts', '--config', config, '--format', 'json'], env);
    const none = cli(['silence', 'list', '--config', config], env);
    const all = cli(['silence', 'list', '--all', '--config', config], env);

    expect([expire.status, expire.stdout]).toEqual([
      0,
      `silence ${id} expired: the next run announces its alerts again if they still fire\n`,
    ]);
    expect(again.stdout).toContain('🟠 STILL FIRING CRITICAL shop.orders');
    expect(again.stdout).toMatch(/\n {6}was silenced by alice until .+ UTC: backfill running, INC-42\n/);
    expect(again.stdout).toContain('Notifications: 1 sent');
    expect(JSON.parse(firing.stdout).map((a: { status: string }) => a.status)).toEqual(['firing']);
    expect(none.stdout).toBe('No active silences.\n');
    expect(all.stdout).toContain(`${id}  check=shop-consistency key=shop.*`);
    expect(all.stdout).toContain('expired by hand');
  });

  // A trial: a typo in --key or --label was accepted silently, and the silence muted nothing.
  it('adds a silence matching none of the firing alerts, warning on stderr with the nearest key or label', async () => {
    const config = quickstartCopy();
    const env = { GUARDRAIL_STATE_URL: await newUrl() };
    cli(['run', '--config', config], env);
    const add = (...match: string[]) =>
      cli(
        ['silence', 'add', '--config', config, '--check', 'shop-consistency', ...match].concat([
          '--for',
          '1h',
          '--reason',
          'r',
        ]),
        env,
      );
    const none =
      "warning: silence ID matches none of check shop-consistency's firing or pending alerts (1 now), so it mutes " +
      'only alerts yet to come';

    const key = add('--key', 'shop.orderz');
    const label = add('--label', 'tabel=x');
    const value = add('--label', 'table=shop.orderz');
    const matching = add('--key', 'shop.*', '--label', 'table=shop.orders');
    const listed = cli(['silence', 'list', '--config', config, '--format', 'json'], env);

    expect([key.status, label.status, value.status, matching.status]).toEqual([0, 0, 0, 0]);
    expect(key.stdout).toMatch(/^silence [0-9a-f]{8} added: check=shop-consistency key=shop\.orderz until /);
    expect([key, label, value, matching].map((r) => r.stderr.replace(/ [0-9a-f]{8} /, ' ID '))).toEqual([
      `${none}; nearest keys: shop.orders\n`,
      `${none}; no alert has label tabel (nearest: table)\n`,
      `${none}; no alert has table=shop.orderz (nearest: table=shop.orders)\n`,
      '',
    ]);
    expect(JSON.parse(listed.stdout)).toHaveLength(4);
  });
});

describe('guardrail alerts and silence: usage errors (exit 2)', () => {
  it('lists the config check ids for an unknown one, and refuses a bad --until, --for or --state', () => {
    const config = quickstartCopy();
    const add = (...extra: string[]) =>
      cli(['silence', 'add', '--config', config, '--reason', 'r', ...extra]);

    const unknown = add('--check', 'nope', '--for', '1h');
    const past = add('--check', 'shop-consistency', '--until', '2020-01-01');
    const notDate = add('--check', 'shop-consistency', '--until', 'tomorrow');
    const both = add('--check', 'shop-consistency', '--until', '2099-01-01', '--for', '1h');
    const badFor = add('--check', 'shop-consistency', '--for', '4 hours');
    const noReason = cli([
      'silence',
      'add',
      '--config',
      config,
      '--check',
      'shop-consistency',
      '--for',
      '1h',
    ]);
    const alerts = cli(['alerts', '--config', config, '--check', 'nope']);
    const filter = cli(['alerts', '--config', config, '--state', 'burning']);
    const expire = cli(['silence', 'expire', 'deadbeef', '--config', config]);

    expect([unknown.status, unknown.stderr]).toEqual([
      2,
      "guardrail: unknown check id: nope; the config's checks: shop-consistency, guardrail-agent\n",
    ]);
    expect([past.status, past.stderr]).toEqual([2, 'guardrail: --until 2020-01-01 is in the past\n']);
    expect([notDate.status, notDate.stderr]).toEqual([
      2,
      "guardrail: --until: 'tomorrow' is not a date; expected YYYY-MM-DD or an ISO date-time\n",
    ]);
    expect([both.status, badFor.status, noReason.status]).toEqual([2, 2, 2]);
    expect(both.stderr).toContain('exactly one of --until TIME or --for DURATION');
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    expect([alerts.status, alerts.stderr]).toEqual([
      2,
      "guardrail: unknown check id: nope; the config's checks: shop-consistency, guardrail-agent\n",
    ]);
    expect([filter.status, filter.stderr]).toEqual([
      2,
      'guardrail: --state must be one of firing, pending, silenced, resolved, retired, event, all (or a state store URL)\n',
    ]);
    expect([expire.status, expire.stderr]).toEqual([
      2,
      'guardrail: no silence with id deadbeef (guardrail silence list --all shows them)\n',
    ]);
  });

  it('says so when nothing fires, and defaults --by to $USER', () => {
    const config = quickstartCopy();

    const empty = cli(['alerts', '--config', config]);
    // The statuses the listing shows are filters too (a trial asked for resolved ones and was refused).
    const resolved = cli(['alerts', '--config', config, '--state', 'resolved']);
    const add = cli([
      'silence',
      'add',
      '--config',
      config,
      '--check',
      'shop-consistency',
      '--until',
      '2099-01-01',
      '--reason',
      'r',
    ]);

    expect([empty.status, empty.stdout]).toEqual([0, 'No firing alerts.\n']);
    expect([resolved.status, resolved.stdout]).toEqual([0, 'No resolved alerts.\n']);
    expect(add.stdout).toContain('until 2099-01-01 23:59 UTC, by ci-user: r');
  });
});

// A review: `alerts` and `silence list` refused to run without the webhook's variable, though neither sends.
describe('guardrail alerts and silence without the secrets they do not use', () => {
  const withSecrets = (state: string) => {
    const config = quickstartCopy();
    const text = readFileSync(config, 'utf8')
      .replace("state: { url: 'sqlite://.guardrail/state.db' }", `state: { url: "${state}" }`)
      .replace(
        '    console: { type: console }',
        '    console: { type: console }\n    chat: { type: google-chat, webhookUrl: "${CHAT_WEBHOOK}" }',
      );
    writeFileSync(config, text);
    return config;
  };

  it('run with an unset webhook variable; the state URL they open must still be set', () => {
    const config = withSecrets('${STATE_URL:-sqlite://.guardrail/state.db}');
    const unsetState = withSecrets('${STATE_URL}');

    const alerts = cli(['alerts', '--config', config]);
    const silences = cli(['silence', 'list', '--config', config]);
    const noState = cli(['alerts', '--config', unsetState]);
    // The store the first `alerts` opened; and a mistyped one, which a command that only reads does not make.
    const given = cli([
      'alerts',
      '--config',
      unsetState,
      '--state',
      `sqlite://${join(config, '../.guardrail/state.db')}`,
    ]);
    const mistyped = cli(['alerts', '--config', config, '--state', `sqlite://${join(config, '../sate.db')}`]);

    expect([alerts.status, alerts.stdout, alerts.stderr]).toEqual([0, 'No firing alerts.\n', '']);
    expect([silences.status, silences.stderr]).toEqual([0, '']);
    expect(noState.status).toBe(2);
    expect(noState.stderr).toMatch(/state\.url: environment variable STATE_URL is not set/);
    expect(noState.stderr).not.toMatch(/CHAT_WEBHOOK/);
    expect([given.status, given.stdout]).toEqual([0, 'No firing alerts.\n']);
    expect([mistyped.status, mistyped.stdout]).toEqual([2, '']);
    expect(mistyped.stderr).toBe(
      `guardrail: no state store at ${join(config, '../sate.db')} (--state or GUARDRAIL_STATE_URL): ` +
        '`guardrail run` and `serve` make it there\n',
    );
    expect(existsSync(join(config, '../sate.db'))).toBe(false);
  });
});

describe('guardrail alerts: a check error whose driver message spans lines', () => {
  // DuckDB's errors are cut to their first line since 2026-12-04; a store written before holds them whole (a blank
  // line, the SQL and a caret line), as may another driver's message.
  it('lists it on one row, its lines joined by spaces', async () => {
    const config = quickstartCopy();
    const store = await openStateStore(`sqlite://${join(config, '../.guardrail/state.db')}`, tmpdir());
    const title =
      'Check shop-consistency could not run: IO Error: No files found that match the pattern "missing.csv"\n\n' +
      "LINE 1: ... AS SELECT * FROM read_csv_auto('missing.csv')\n                        ^";
    try {
      await store.migrate();
      await store.commitAlerts(
        [
          alert({
            checkId: 'shop-consistency',
            key: 'check-error',
            lastNotifiedAt: '2026-12-01T00:00:00.000Z',
            finding: { key: 'check-error', severity: 'warning', title },
          }),
        ],
        [],
      );
    } finally {
      await store.close();
    }

    const listed = cli(['alerts', '--config', config]);

    expect(listed.status).toBe(0);
    expect(listed.stdout.split('\n')).toEqual([
      expect.stringMatching(/^CHECK +KEY +SEVERITY +STATUS +SINCE +LAST NOTIFIED +TITLE$/),
      expect.stringMatching(
        /^shop-consistency +check-error +warning +firing +.+ UTC +.+ UTC +Check shop-consistency could not run: .*missing\.csv" LINE 1: .* \^$/,
      ),
      '',
    ]);
  });
});

// A trial: renamed or disabled, a check's firing alert stayed in `guardrail alerts` with nothing to say why, and
// `alerts --check` with its old id was refused.
describe('guardrail alerts of a check that no longer runs', () => {
  it('lists them, says why nothing resolves them, and takes the old id in --check', () => {
    const config = quickstartCopy();
    expect(cli(['run', '--config', config]).status).toBe(0);
    const text = readFileSync(config, 'utf8');
    renameCheck(config);

    const renamed = cli(['alerts', '--config', config]);
    const byOldId = cli(['alerts', '--config', config, '--check', 'shop-consistency', '--format', 'json']);
    const typo = cli(['alerts', '--config', config, '--check', 'shop-consistncy']);
    // Disabled, beside a check that still runs (a config with every check disabled is refused).
    const another =
      '  - id: shop-products\n    kind: row-count-consistency\n    source: source\n    target: target\n' +
      '    tables:\n      - { source: shop.products, target: shop_raw.products }\n';
    writeFileSync(
      config,
      text
        .replace('    kind: row-count-consistency\n', '    kind: row-count-consistency\n    enabled: false\n')
        .replace('\nalerts:\n', `${another}\nalerts:\n`),
    );
    const disabled = cli(['alerts', '--config', config]);

    expect(renamed.status).toBe(0);
    expect(renamed.stdout).toContain(
      'check shop-consistency is not in the config: nothing runs to resolve this alert; it stays as it was',
    );
    expect(byOldId.status).toBe(0);
    expect(JSON.parse(byOldId.stdout)).toEqual([
      expect.objectContaining({
        check: 'shop-consistency',
        key: 'shop.orders',
        checkNotRun: 'not-in-config',
      }),
    ]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('unknown check id: shop-consistncy');
    expect(disabled.stdout).toContain(
      'check shop-consistency is disabled: nothing runs to resolve this alert',
    );
  });

  it('closes them with guardrail retire, and refuses to close those of a check that runs', () => {
    const config = quickstartCopy();
    expect(cli(['run', '--config', config]).status).toBe(0);
    const running = cli(['retire', '--config', config, '--check', 'shop-consistency']);
    renameCheck(config);

    const retired = cli(['retire', '--config', config, '--check', 'shop-consistency']);
    const again = cli(['retire', '--config', config, '--check', 'shop-consistency']);
    const typo = cli(['retire', '--config', config, '--check', 'shop-consistncy']);
    const listed = cli(['alerts', '--config', config, '--state', 'retired', '--format', 'json']);
    const firing = cli(['alerts', '--config', config]);

    expect([running.status, running.stderr]).toEqual([
      2,
      'guardrail: check shop-consistency runs with this config: its next run closes the alerts it no longer sees\n',
    ]);
    expect([retired.status, retired.stdout]).toEqual([
      0,
      'Retired 1 alert(s) of check shop-consistency, no notice sent: shop.orders\n',
    ]);
    expect(again.stdout).toBe('No open alerts of check shop-consistency.\n');
    expect(typo.status).toBe(2);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        check: 'shop-consistency',
        key: 'shop.orders',
        status: 'retired',
        // When it closed (a trial found no trace of it).
        resolvedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
    expect(firing.stdout).toBe('No firing alerts.\n');
  });
});
