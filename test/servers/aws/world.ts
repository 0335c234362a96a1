/** The fake AWS estate the loopback server answers from, per account and region. */
export interface FakeVolume {
  id: string;
  sizeGiB: number;
  type: string;
  state: 'available' | 'in-use' | 'creating';
  iops?: number;
  throughput?: number;
  tags?: Record<string, string>;
}

export interface FakeAddress {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
  publicIpv4Pool?: string;
  tags?: Record<string, string>;
}

export interface FakeFunction {
  name: string;
  timeoutSeconds: number;
  tags?: Record<string, string>;
  invocations?: number;
  errors?: number;
  throttles?: number;
  /** Maximum Duration in ms; undefined = no datapoint. */
  maxDurationMs?: number;
  /**
   * The StatusCode of this function's metric results, with no values (`InternalError`, `Forbidden`), or with
   * its values but no page to complete them (`PartialData`). @default 'Complete'
   */
  metricStatus?: 'InternalError' | 'Forbidden' | 'PartialData';
  /**
   * Each metric of this function answers in two parts, as CloudWatch may: PartialData with part of the values, and
   * the same Id again, Complete with the rest, at the end of the results (so on a later page when pages are small).
   */
  splitAcrossPages?: boolean;
}

export interface FakeUpload {
  key: string;
  uploadId: string;
  initiated: string;
  /** Size of each uploaded part, in bytes. */
  parts: number[];
}

export interface FakeBucket {
  name: string;
  tags?: Record<string, string>;
  /** `transition`: an enabled rule moving objects; `abort-only`: only AbortIncompleteMultipartUpload. */
  lifecycle?: 'transition' | 'abort-only';
  intelligentTiering?: boolean;
  uploads?: FakeUpload[];
  /** CloudWatch `BucketSizeBytes` (StandardStorage); undefined = no datapoint. */
  standardBytes?: number;
  /** CloudWatch `NumberOfObjects` (AllStorageTypes). */
  objects?: number;
  /** Its bucket policy denies Guardrail: every call on it is AccessDenied. */
  denied?: boolean;
  /** ListBuckets leaves `BucketRegion` out (older endpoints), so the client needs GetBucketLocation. */
  hideRegion?: boolean;
}

export interface FakeSnapshot {
  id: string;
  volumeId: string;
  state: 'pending' | 'completed' | 'error';
  tags?: Record<string, string>;
  /** Ends in `error` instead of `completed` (`faults.failSnapshot`). */
  fails?: boolean;
  /** DescribeSnapshots calls that still show it pending after the first (`faults.slowSnapshot`). */
  pendingFor?: number;
}

export interface FakeRegion {
  snapshots?: FakeSnapshot[];
  volumes: FakeVolume[];
  addresses: FakeAddress[];
  functions: FakeFunction[];
  /** Buckets located in this region (ListBuckets lists those of every region of the account). */
  buckets?: FakeBucket[];
}

export interface FakeAccount {
  id: string;
  /** Role that AssumeRole accepts for this account. */
  roleArn?: string;
  externalId?: string;
  regions: Record<string, FakeRegion>;
}

/** What the server does wrong on purpose. */
export interface Faults {
  /** `account/region` or `account/region/service:Action` answered with AccessDenied. */
  deny: Set<string>;
  /** `service:Action` → how many calls to throttle before answering. */
  throttle: Map<string, number>;
  /** Added to every response (ms). */
  latencyMs: number;
  /** `service:Action`s whose every page names the same next token (a buggy or hostile endpoint). */
  repeatToken: Set<string>;
  /** `account/region`s whose calls are never answered. */
  hang: Set<string>;
  /** Volume ids whose snapshots end in state `error`. */
  failSnapshot: Set<string>;
  /** Volume id → tags its owner adds while a snapshot of it is pending (seen by the first DescribeSnapshots). */
  tagDuringSnapshot: Map<string, Record<string, string>>;
  /** Volume id → how many more DescribeSnapshots show its snapshots pending (a large volume's first snapshot). */
  slowSnapshot: Map<string, number>;
}

export function emptyRegion(): FakeRegion {
  return { volumes: [], addresses: [], functions: [] };
}

export function newFaults(): Faults {
  return {
    deny: new Set(),
    throttle: new Map(),
    latencyMs: 0,
    repeatToken: new Set(),
    hang: new Set(),
    tagDuringSnapshot: new Map(),
    failSnapshot: new Set(),
    slowSnapshot: new Map(),
  };
}

/** Access key the server hands out for an account's assumed role; it names the account on later calls. */
export function sessionKeyFor(accountId: string): string {
  return `ASIA${accountId}`;
}
