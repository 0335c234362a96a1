import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeConfigDir } from '../config/config-files';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

/** A GCE metadata server that answers every probe with a 500: google-auth-library warns about that. */
async function brokenMetadataServer(): Promise<{ host: string; requests: () => number; close: () => void }> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.statusCode = 500;
    res.end('broken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, requests: () => requests, close: () => server.close() };
}

// An AWS client (lambda-errors, against a closed port) and a BigQuery client (no credentials anywhere).
const CONFIG = `state: { url: 'sqlite://state.db' }
aws: { region: us-east-1, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }
connections:
  bq: { type: bigquery, projectId: my-project, location: US, statementTimeout: 5s }
checks:
  - { id: lambda, kind: lambda-errors, timeout: 10s }
  - { id: bq-cost, kind: bigquery-expensive-queries, connection: bq, projects: [my-project], regions: [region-us], timeout: 10s }
alerts: { channels: {}, routes: [] }
`;

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const dir = writeConfigDir({ 'guardrail.yaml': CONFIG });
  const child = spawn(
    process.execPath,
    [CLI, 'run', '--config', join(dir, 'guardrail.yaml'), '--format', 'json'],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir, // no gcloud credentials file
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'secret',
        ...env,
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

const lines = (stderr: string) => stderr.split('\n').filter((line) => line.trim() !== '');
const parses = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

describe('stderr of the built CLI', () => {
  it('is JSON lines even when the SDKs warn (NodeVersionSupportWarning, MetadataLookupWarning)', async () => {
    const metadata = await brokenMetadataServer();

    // ping-only: probe the metadata server whatever the BIOS says, so that its MetadataLookupWarning is raised.
    const { code, stderr } = await run({
      GCE_METADATA_HOST: metadata.host,
      METADATA_SERVER_DETECTION: 'ping-only',
    });
    metadata.close();

    expect(code).toBe(3);
    expect(lines(stderr).filter((line) => !parses(line))).toEqual([]);
    const warnings = lines(stderr)
      .map((line) => JSON.parse(line) as { msg: string; warning?: string; detail?: string })
      .filter((log) => log.msg === 'process warning');
    expect(warnings.map((w) => w.warning)).toContain('MetadataLookupWarning');
    if (Number(process.versions.node.split('.')[0]) < 22) {
      expect(warnings.map((w) => w.detail)).toContainEqual(
        expect.stringMatching(/^NodeVersionSupportWarning/),
      );
    }
  });

  it('does not probe the GCE metadata server off GCP when no credentials are found', async () => {
    const metadata = await brokenMetadataServer();

    const { stderr } = await run({ GCE_METADATA_HOST: metadata.host });
    metadata.close();

    expect(metadata.requests()).toBe(0);
    expect(lines(stderr).filter((line) => !parses(line))).toEqual([]);
    expect(stderr).not.toContain('MetadataLookupWarning');
  });
});
