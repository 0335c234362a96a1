import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getMetricData } from './cloudwatch';
import { ec2Cleanup } from './ec2-cleanup';
import { describeAddresses, describeRegions, describeVolumes, prerender, type RenderedRegion } from './ec2';
import { listFunctions, listTags } from './lambda';
import { s3Action, s3Answer, s3Error } from './s3';
import { json, type Reply } from './reply';
import { assumeRole, getCallerIdentity } from './sts';
import {
  emptyRegion,
  newFaults,
  sessionKeyFor,
  type FakeAccount,
  type FakeRegion,
  type Faults,
} from './world';
import { ec2Error, queryError } from './xml';

/** One API call the server received, as IAM names it. */
export interface RecordedCall {
  /** IAM action, e.g. `ec2:DescribeVolumes`. */
  action: string;
  accountId: string;
  region: string;
  accessKeyId: string;
}

export interface FakeAwsServer {
  url: string;
  calls: RecordedCall[];
  faults: Faults;
  close(): Promise<void>;
}

export interface FakeAwsOptions {
  accounts: FakeAccount[];
  /** Account the static (non-assumed) credentials belong to. */
  callerAccountId: string;
  /** Results per GetMetricData page (forces NextToken). */
  metricPageSize?: number;
  /** Items per S3 listing page (ListBuckets, ListMultipartUploads, ListParts), to force continuation. */
  s3PageSize?: number;
  /** The estate never changes while the server runs, so EC2 item XML is rendered once, up front (benchmarks). */
  frozen?: boolean;
}

const IAM_PREFIX: Record<string, string> = {
  ec2: 'ec2',
  sts: 'sts',
  monitoring: 'cloudwatch',
  lambda: 'lambda',
  s3: 's3',
};

/** A loopback AWS: one port for EC2, STS, CloudWatch and Lambda, told apart by the SigV4 credential scope. */
export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAwsServer> {
  const calls: RecordedCall[] = [];
  const faults = newFaults();
  const rendered = new Map<FakeRegion, RenderedRegion>();
  if (options.frozen) {
    for (const account of options.accounts)
      for (const [name, data] of Object.entries(account.regions)) rendered.set(data, prerender(name, data));
  }
  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const reply = handle(options, faults, calls, rendered, req, body);
      if (reply === HANG) return; // the socket stays open until the client gives up or the server closes
      if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
      res.writeHead(reply.status, { 'x-amzn-requestid': 'req-1', ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    faults,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function handle(
  options: FakeAwsOptions,
  faults: Faults,
  calls: RecordedCall[],
  rendered: Map<FakeRegion, RenderedRegion>,
  req: IncomingMessage,
  body: string,
): Reply | typeof HANG {
  const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\/aws4_request/.exec(
    req.headers.authorization ?? '',
  );
  if (!scope) return json(403, { message: 'missing SigV4 Authorization' });
  const [, accessKeyId = '', region = '', service = ''] = scope;
  const account = options.accounts.find((a) => sessionKeyFor(a.id) === accessKeyId);
  const accountId = account?.id ?? options.callerAccountId;
  const url = new URL(req.url ?? '/', 'http://x');
  const form = new URLSearchParams(body);
  const operation =
    service === 's3' ? s3Action(req.method ?? 'GET', url) : operationOf(service, req, url, form);
  const action = `${IAM_PREFIX[service] ?? service}:${operation}`;
  calls.push({ action, accountId, region, accessKeyId });

  const left = faults.throttle.get(action) ?? 0;
  if (left > 0) {
    faults.throttle.set(action, left - 1);
    return failure(service, 'throttle');
  }
  if (faults.deny.has(`${accountId}/${region}`) || faults.deny.has(`${accountId}/${region}/${action}`)) {
    return failure(service, 'deny');
  }
  if (faults.hang.has(`${accountId}/${region}`)) return HANG;
  if (service === 's3') {
    return s3Answer(
      options.accounts.find((a) => a.id === accountId),
      region,
      action,
      url,
      options.s3PageSize,
    );
  }
  const data = options.accounts.find((a) => a.id === accountId)?.regions[region] ?? emptyRegion();
  const reply = answer(options, accountId, region, action, data, form, body, url, rendered, faults);
  return faults.repeatToken.has(action) ? withRepeatedToken(action, reply) : reply;
}

/** Marks a call the server never answers (`faults.hang`). */
const HANG = Symbol('hang');

/** The same next-page token on every page, whatever the page. */
export const REPEATED_TOKEN = 'page-again';

function withRepeatedToken(action: string, reply: Reply): Reply {
  if (reply.status !== 200) return reply;
  if (action.startsWith('ec2:')) {
    const body = reply.body
      .replace(/<nextToken>[^<]*<\/nextToken>/, '')
      .replace(/(<\/\w+Response>)$/, `<nextToken>${REPEATED_TOKEN}</nextToken>$1`);
    return { ...reply, body };
  }
  const key = action === 'lambda:ListFunctions' ? 'NextMarker' : 'NextToken';
  return { ...reply, body: JSON.stringify({ ...JSON.parse(reply.body), [key]: REPEATED_TOKEN }) };
}

function answer(
  options: FakeAwsOptions,
  accountId: string,
  region: string,
  action: string,
  data: FakeRegion,
  form: URLSearchParams,
  body: string,
  url: URL,
  rendered: Map<FakeRegion, RenderedRegion>,
  faults: Faults,
): Reply {
  switch (action) {
    case 'sts:AssumeRole':
      return assumeRole(options.accounts, form);
    case 'sts:GetCallerIdentity':
      return getCallerIdentity(accountId);
    case 'ec2:DescribeVolumes':
      return describeVolumes(region, data, form, rendered.get(data));
    case 'ec2:DescribeAddresses':
      return describeAddresses(data, rendered.get(data), form);
    case 'ec2:DescribeRegions':
      return describeRegions(Object.keys(options.accounts.find((a) => a.id === accountId)?.regions ?? {}));
    case 'cloudwatch:GetMetricData':
      return getMetricData(data, body, options.metricPageSize);
    case 'lambda:ListFunctions':
      return listFunctions(accountId, region, data, url.searchParams);
    case 'lambda:ListTags':
      return listTags(data, decodeURIComponent(url.pathname.replace('/2017-03-31/tags/', '')));
    default:
      return (
        ec2Cleanup(action, data, form, faults) ??
        json(400, { message: `fake AWS does not implement ${action}` })
      );
  }
}

function operationOf(service: string, req: IncomingMessage, url: URL, form: URLSearchParams): string {
  if (service === 'monitoring')
    return (
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? ''
    );
  if (service === 'lambda') {
    if (url.pathname.startsWith('/2015-03-31/functions')) return 'ListFunctions';
    if (url.pathname.startsWith('/2017-03-31/tags/')) return 'ListTags';
    return url.pathname;
  }
  return form.get('Action') ?? '';
}

function failure(service: string, kind: 'throttle' | 'deny'): Reply {
  const xml = { 'content-type': 'text/xml' };
  const deny = 'You are not authorized to perform this operation.';
  switch (service) {
    case 's3':
      return kind === 'throttle'
        ? s3Error(503, 'SlowDown', 'Please reduce your request rate.')
        : s3Error(403, 'AccessDenied', 'Access Denied');
    case 'ec2':
      return kind === 'throttle'
        ? { status: 503, headers: xml, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') }
        : { status: 403, headers: xml, body: ec2Error('UnauthorizedOperation', deny) };
    case 'monitoring': {
      const code = kind === 'throttle' ? 'Throttling' : 'AccessDenied';
      return json(
        kind === 'throttle' ? 400 : 403,
        { __type: `com.amazonaws.cloudwatch#${code}`, message: kind === 'throttle' ? 'Rate exceeded' : deny },
        {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${code};Sender`,
        },
      );
    }
    case 'lambda':
      return kind === 'throttle'
        ? json(
            429,
            { Type: 'User', message: 'Rate exceeded', Reason: 'CallerRateLimitExceeded' },
            { 'x-amzn-errortype': 'TooManyRequestsException' },
          )
        : json(403, { Type: 'User', message: deny }, { 'x-amzn-errortype': 'AccessDeniedException' });
    default:
      return kind === 'throttle'
        ? { status: 400, headers: xml, body: queryError('Throttling', 'Rate exceeded') }
        : { status: 403, headers: xml, body: queryError('AccessDenied', deny) };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
