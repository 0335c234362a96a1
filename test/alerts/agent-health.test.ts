import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentHealthResult } from '../../alerts/agent-health';
import { processResults } from '../../alerts/pipeline';
import { openStateStore } from '../../src/state/open-store';

const NOW = new Date('2026-11-22T01:00:00Z');

describe('agent health findings', () => {
  it('pages for a channel that rejects messages and for one that keeps failing, and is ok otherwise', () => {
    const broken = new Map([
      [
        'data-eng',
        { error: 'HTTP 404 NOT_FOUND', status: 404, since: '2026-11-21T23:00:00Z', firstReported: false },
      ],
    ]);
    const failing = new Map([
      [
        'finops',
        { attempts: 6, since: '2026-11-22T00:10:00Z', error: 'request failed (ENOTFOUND); will retry' },
      ],
    ]);

    const unhealthy = agentHealthResult({ broken, failing }, NOW);
    const healthy = agentHealthResult({ broken: new Map(), failing: new Map() }, NOW);

    expect(unhealthy.status).toBe('firing');
    expect(unhealthy.findings.map((f) => [f.key, f.severity, f.title])).toEqual([
      [
        'channel-broken:data-eng',
        'critical',
        "Alert channel 'data-eng' rejects messages (HTTP 404): fix its configuration",
      ],
      [
        'channel-failing:finops',
        'critical',
        "Alert channel 'finops' has failed 6 attempts to deliver; messages are waiting since 2026-11-22T00:10:00Z",
      ],
    ]);
    expect([healthy.status, healthy.findings]).toEqual(['ok', []]);
  });

  it('tells, once, of messages a working channel rejected and dropped (HTTP 400): their alerts never arrive', () => {
    const rejected = new Map([
      ['data-eng', { error: 'HTTP 400 INVALID_ARGUMENT', status: 400, count: 2, firstId: 'msg-17' }],
    ]);

    const result = agentHealthResult({ broken: new Map(), failing: new Map(), rejected }, NOW);

    expect(result.status).toBe('firing');
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'message-rejected:data-eng:msg-17',
        severity: 'critical',
        lifecycle: 'event',
        title: "Alert channel 'data-eng' rejected 2 messages (HTTP 400); they were dropped",
      }),
    ]);
  });
});

// A trial: a broken channel taken out of the config closed its alert as RESOLVED, though it was never fixed.
it('retires the alert of a broken channel taken out of the config, and resolves one that works again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-health-'));
  const store = await openStateStore(`sqlite://${join(dir, 'state.db')}`, '/');
  const config = {
    routes: [{ channel: 'console' }],
    silences: [],
    repeatInterval: 3_600_000,
    sendResolved: true,
  };
  const broken = (name: string) =>
    [
      name,
      { error: 'HTTP 404 NOT_FOUND', status: 404, since: NOW.toISOString(), firstReported: false },
    ] as const;
  try {
    await processResults(
      [
        agentHealthResult({ broken: new Map([broken('chat'), broken('pager')]), failing: new Map() }, NOW, [
          'chat',
          'pager',
          'console',
        ]),
      ],
      config,
      store,
      NOW,
      false,
    );
    const later = new Date(NOW.getTime() + 60_000);
    const out = await processResults(
      [agentHealthResult({ broken: new Map(), failing: new Map() }, later, ['pager', 'console'])],
      config,
      store,
      later,
      false,
    );

    expect(out.findings.get('guardrail-agent')?.map((f) => `${f.key}:${f.state}`)).toEqual([
      'channel-broken:chat:retired',
      'channel-broken:pager:resolved',
    ]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
