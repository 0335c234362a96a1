import type { FakeAccount, FakeBucket } from './world';
import { el } from './xml';
import type { Reply } from './reply';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const CREATED = '2026-01-05T10:00:00.000Z';
const xml = { 'content-type': 'application/xml' };

/** The REST-XML error body S3 answers with (`NoSuchTagSet`, `SlowDown`, `AccessDenied`, ...). */
export function s3Error(status: number, code: string, message: string): Reply {
  return {
    status,
    headers: xml,
    body: `<?xml version="1.0" encoding="UTF-8"?><Error>${el('Code', code)}${el('Message', message)}<RequestId>req-1</RequestId></Error>`,
  };
}

function ok(root: string, inner: string): Reply {
  return {
    status: 200,
    headers: xml,
    body: `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${NS}">${inner}</${root}>`,
  };
}

/** Which IAM action an S3 REST request is: the method, whether a bucket/key is named, and the sub-resource. */
export function s3Action(method: string, url: URL): string {
  const [, bucket = '', ...key] = url.pathname.split('/');
  const q = url.searchParams;
  if (!bucket) return 'ListAllMyBuckets';
  if (key.length > 0 && q.has('uploadId')) {
    return method === 'DELETE' ? 'AbortMultipartUpload' : 'ListMultipartUploadParts';
  }
  if (q.has('location')) return 'GetBucketLocation';
  if (q.has('tagging')) return 'GetBucketTagging';
  if (q.has('lifecycle')) return 'GetLifecycleConfiguration';
  if (q.has('intelligent-tiering')) return 'GetIntelligentTieringConfiguration';
  if (q.has('uploads')) return 'ListBucketMultipartUploads';
  return `${method} ${url.pathname}`;
}

interface Located {
  bucket: FakeBucket;
  region: string;
}

function locate(account: FakeAccount | undefined, name: string): Located | undefined {
  for (const [region, data] of Object.entries(account?.regions ?? {})) {
    const bucket = data.buckets?.find((b) => b.name === name);
    if (bucket) return { bucket, region };
  }
  return undefined;
}

/** Answers one S3 call; `pageSize` caps every listing's page (forces continuation). */
export function s3Answer(
  account: FakeAccount | undefined,
  signedRegion: string,
  action: string,
  url: URL,
  pageSize = Infinity,
): Reply {
  const q = url.searchParams;
  if (action === 's3:ListAllMyBuckets') return listBuckets(account, q, pageSize);
  const [, name = '', ...keyParts] = url.pathname.split('/');
  const found = locate(account, decodeURIComponent(name));
  if (!found) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
  const { bucket, region } = found;
  if (bucket.denied) return s3Error(403, 'AccessDenied', 'Access Denied');
  if (action === 's3:GetBucketLocation') {
    // us-east-1 is the empty constraint.
    return ok('LocationConstraint', region === 'us-east-1' ? '' : region);
  }
  // S3 answers a request signed for another region with a redirect error, not the data.
  if (signedRegion !== region) {
    return s3Error(301, 'PermanentRedirect', `The bucket is in ${region}; use that endpoint`);
  }
  switch (action) {
    case 's3:GetBucketTagging':
      if (!bucket.tags) return s3Error(404, 'NoSuchTagSet', 'The TagSet does not exist');
      return ok(
        'Tagging',
        `<TagSet>${Object.entries(bucket.tags)
          .map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`)
          .join('')}</TagSet>`,
      );
    case 's3:GetLifecycleConfiguration':
      if (!bucket.lifecycle) {
        return s3Error(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
      }
      return ok(
        'LifecycleConfiguration',
        `<Rule><ID>rule-1</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>` +
          (bucket.lifecycle === 'transition'
            ? '<Transition><Days>30</Days><StorageClass>INTELLIGENT_TIERING</StorageClass></Transition>'
            : '<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>') +
          '</Rule>',
      );
    case 's3:GetIntelligentTieringConfiguration':
      return ok(
        'ListBucketIntelligentTieringConfigurationsOutput',
        '<IsTruncated>false</IsTruncated>' +
          (bucket.intelligentTiering
            ? '<IntelligentTieringConfiguration><Id>archive</Id><Status>Enabled</Status><Tiering><Days>90</Days><AccessTier>ARCHIVE_ACCESS</AccessTier></Tiering></IntelligentTieringConfiguration>'
            : ''),
      );
    case 's3:ListBucketMultipartUploads':
      return listUploads(bucket, q, pageSize);
    case 's3:ListMultipartUploadParts':
      return listParts(bucket, decodeURIComponent(keyParts.join('/')), q, pageSize);
    case 's3:AbortMultipartUpload': {
      const before = bucket.uploads?.length ?? 0;
      bucket.uploads = bucket.uploads?.filter((u) => u.uploadId !== q.get('uploadId'));
      if ((bucket.uploads?.length ?? 0) === before)
        return s3Error(404, 'NoSuchUpload', 'The specified upload does not exist');
      return { status: 204, headers: {}, body: '' };
    }
    default:
      return s3Error(400, 'NotImplemented', `fake S3 does not implement ${action}`);
  }
}

function listBuckets(account: FakeAccount | undefined, q: URLSearchParams, pageSize: number): Reply {
  const all = Object.entries(account?.regions ?? {}).flatMap(([region, data]) =>
    (data.buckets ?? []).map((b) => ({ b, region })),
  );
  const max = Math.min(Number(q.get('max-buckets') ?? 10_000), pageSize);
  const start = Number(q.get('continuation-token') ?? 0);
  const page = all.slice(start, start + max);
  const next = start + max < all.length ? String(start + max) : undefined;
  const items = page
    .map(
      ({ b, region }) =>
        `<Bucket>${el('Name', b.name)}${el('CreationDate', CREATED)}${b.hideRegion ? '' : el('BucketRegion', region)}</Bucket>`,
    )
    .join('');
  return ok(
    'ListAllMyBucketsResult',
    `<Owner><ID>owner-1</ID></Owner><Buckets>${items}</Buckets>${el('ContinuationToken', next)}`,
  );
}

function listUploads(bucket: FakeBucket, q: URLSearchParams, pageSize: number): Reply {
  const all = [...(bucket.uploads ?? [])].sort(
    (a, b) => a.key.localeCompare(b.key) || a.uploadId.localeCompare(b.uploadId),
  );
  const max = Math.min(Number(q.get('max-uploads') ?? 1000), pageSize);
  const keyMarker = q.get('key-marker') ?? '';
  const idMarker = q.get('upload-id-marker') ?? '';
  const after = all.filter((u) => u.key > keyMarker || (u.key === keyMarker && u.uploadId > idMarker));
  const page = after.slice(0, max);
  const truncated = after.length > max;
  const last = page[page.length - 1];
  const items = page
    .map(
      (u) =>
        `<Upload>${el('Key', u.key)}${el('UploadId', u.uploadId)}<Initiator><ID>x</ID></Initiator>` +
        `<StorageClass>STANDARD</StorageClass>${el('Initiated', u.initiated)}</Upload>`,
    )
    .join('');
  return ok(
    'ListMultipartUploadsResult',
    `${el('Bucket', bucket.name)}${el('KeyMarker', keyMarker)}${el('UploadIdMarker', idMarker)}` +
      (truncated && last
        ? `${el('NextKeyMarker', last.key)}${el('NextUploadIdMarker', last.uploadId)}`
        : '') +
      `${el('MaxUploads', max)}${el('IsTruncated', truncated)}${items}`,
  );
}

function listParts(bucket: FakeBucket, key: string, q: URLSearchParams, pageSize: number): Reply {
  const upload = bucket.uploads?.find((u) => u.key === key && u.uploadId === q.get('uploadId'));
  if (!upload) return s3Error(404, 'NoSuchUpload', 'The specified upload does not exist');
  const max = Math.min(Number(q.get('max-parts') ?? 1000), pageSize);
  const start = Number(q.get('part-number-marker') ?? 0);
  const page = upload.parts.slice(start, start + max);
  const truncated = start + max < upload.parts.length;
  const items = page
    .map(
      (size, i) =>
        `<Part>${el('PartNumber', start + i + 1)}${el('LastModified', upload.initiated)}<ETag>"e"</ETag>${el('Size', size)}</Part>`,
    )
    .join('');
  return ok(
    'ListPartsResult',
    `${el('Bucket', bucket.name)}${el('Key', key)}${el('UploadId', upload.uploadId)}${el('PartNumberMarker', start)}` +
      (truncated ? el('NextPartNumberMarker', start + max) : '') +
      `${el('MaxParts', max)}${el('IsTruncated', truncated)}${items}`,
  );
}
