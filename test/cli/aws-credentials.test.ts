import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

// A FinOps trial with no credentials anywhere got "Could not load credentials from any providers": it names the
// check but nothing to set.
it('names what to set when no AWS credentials are found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-no-creds-'));
  writeFileSync(
    join(dir, 'guardrail.yaml'),
    [
      "state: { url: 'sqlite://state.db' }",
      "aws: { region: us-east-1, endpoint: 'http://127.0.0.1:9' }",
      'checks:',
      '  - { id: idle-eip, kind: idle-elastic-ips }',
      'alerts:',
      '  channels: { console: { type: console } }',
      '  routes: [{ channel: console }]',
      '',
    ].join('\n'),
  );
  // Only what a bare container has: no AWS variables, no ~/.aws, no instance metadata.
  const env = { PATH: process.env.PATH ?? '', HOME: dir, AWS_EC2_METADATA_DISABLED: 'true' };

  const result = spawnSync(
    process.execPath,
    [CLI, 'run', '--config', join(dir, 'guardrail.yaml'), '--format', 'json'],
    {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );

  const report = JSON.parse(result.stdout) as { checks: { id: string; error?: string }[] };
  expect(result.status).toBe(3);
  expect(report.checks[0]?.error).toMatch(
    /^Could not load credentials from any providers \(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an IAM role/,
  );
});
