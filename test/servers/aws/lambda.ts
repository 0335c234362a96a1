import type { FakeRegion } from './world';
import { json, type Reply } from './reply';

/** ListFunctions (REST-JSON, GET /2015-03-31/functions/?Marker=&MaxItems=). */
export function listFunctions(
  accountId: string,
  region: string,
  data: FakeRegion,
  query: URLSearchParams,
): Reply {
  const max = Math.min(Number(query.get('MaxItems') ?? 50), 50);
  const start = Number(query.get('Marker') ?? 0);
  const page = data.functions.slice(start, start + max).map((f) => ({
    FunctionName: f.name,
    FunctionArn: functionArn(accountId, region, f.name),
    Runtime: 'nodejs20.x',
    Timeout: f.timeoutSeconds,
    MemorySize: 256,
    LastModified: '2026-10-01T00:00:00.000+0000',
    PackageType: 'Zip',
  }));
  const next = start + max < data.functions.length ? String(start + max) : undefined;
  return json(200, { Functions: page, ...(next ? { NextMarker: next } : {}) });
}

/** ListTags (GET /2017-03-31/tags/{arn}). */
export function listTags(data: FakeRegion, arn: string): Reply {
  const name = arn.split(':').pop();
  const fn = data.functions.find((f) => f.name === name);
  if (!fn)
    return json(
      404,
      { Type: 'User', message: `Function not found: ${arn}` },
      { 'x-amzn-errortype': 'ResourceNotFoundException' },
    );
  return json(200, { Tags: fn.tags ?? {} });
}

export function functionArn(accountId: string, region: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}
