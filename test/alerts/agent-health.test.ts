import { agentHealthResult } from '../../alerts/agent-health';

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
