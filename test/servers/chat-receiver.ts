import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { discoveryValidator } from './chat/discovery-validator';
import { FAILURES, googleError, seeded, type ChatOutcome } from './chat/outcomes';

export type { ChatOutcome } from './chat/outcomes';

export interface ReceivedMessage {
  requestId: string | undefined;
  space: string;
  name: string;
  threadName: string;
  body: Record<string, unknown>;
  query: Record<string, string>;
}

export interface ChatReceiverOptions {
  /** Outcomes for the next requests, in order; after them, `random` or 'ok'. */
  schedule?: ChatOutcome[];
  /** Fails this share of requests (after the schedule) with an outcome drawn from `failures`. */
  random?: { seed: number; failureRate: number; failures?: readonly ChatOutcome[] };
  key?: string;
  token?: string;
  /** Seconds sent in `Retry-After` for '429-retry-after'. */
  retryAfterSeconds?: number;
  /** Called when a message is created, before the answer (the crash test kills its child here). */
  onCreate?: (message: ReceivedMessage, count: number) => void;
}

export interface ChatReceiver {
  /** A webhook URL for a space, with the receiver's key and token. */
  webhookUrl(space?: string): string;
  /** Messages created, in order (a repeated requestId does not create another one). */
  readonly messages: ReceivedMessage[];
  /** Every request, with the outcome it got. */
  readonly requests: { requestId: string | undefined; outcome: ChatOutcome | 'duplicate' | 'invalid' }[];
  /** Requests that repeated a requestId already created and got the existing message back. */
  duplicates(): number;
  schedule(outcomes: ChatOutcome[]): void;
  close(): Promise<void>;
}

/**
 * A Google Chat incoming-webhook stand-in on 127.0.0.1: checks key and token, validates the body against the
 * discovery document (400 on unknown fields, as Chat), honours `requestId` as the API reference documents
 * ("specifying an existing request ID returns the message created with that ID"), and fails on demand.
 */
export async function startChatReceiver(options: ChatReceiverOptions = {}): Promise<ChatReceiver> {
  const key = options.key ?? 'test-key-AIzaSyDdI0hCZtE6vySjMm';
  const token = options.token ?? 'test-token-Qm9vZ2xlQ2hhdFRva2Vu';
  const validate = discoveryValidator();
  const random = options.random ? seeded(options.random.seed) : undefined;
  const queue = [...(options.schedule ?? [])];
  const messages: ReceivedMessage[] = [];
  const requests: ChatReceiver['requests'] = [];
  const byRequestId = new Map<string, ReceivedMessage>();
  const threads = new Map<string, string>();
  const sockets = new Set<Socket>();

  const next = (): ChatOutcome => {
    const scheduled = queue.shift();
    if (scheduled) return scheduled;
    if (!random || !options.random || random() >= options.random.failureRate) return 'ok';
    const pool = options.random.failures ?? FAILURES;
    return pool[Math.floor(random() * pool.length)] ?? 'ok';
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const query = Object.fromEntries(url.searchParams);
    const requestId = query.requestId;
    const match = /^\/v1\/spaces\/([^/]+)\/messages$/.exec(url.pathname);
    const fail = (status: number, why: string) => {
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(googleError(status, `${why} (${req.url})`));
    };
    if (req.method !== 'POST' || !match) return fail(404, 'Requested entity was not found.');
    if (query.key !== key || query.token !== token) return fail(403, 'The caller does not have permission');

    const existing = requestId ? byRequestId.get(requestId) : undefined;
    if (existing) {
      requests.push({ requestId, outcome: 'duplicate' });
      return reply(res, existing);
    }
    const outcome = next();
    requests.push({ requestId, outcome });
    if (outcome === 'reset') return req.socket.destroy();
    if (outcome === 'hang') return;
    if (outcome === '429-retry-after') {
      res.setHeader('retry-after', String(options.retryAfterSeconds ?? 1));
      return fail(429, 'Resource has been exhausted (e.g. check quota).');
    }
    if (outcome !== 'ok' && outcome !== 'created-then-reset') return fail(Number(outcome), 'Request failed');

    const parsed = parseJson(body);
    const errors = parsed === undefined ? ['body is not JSON'] : validate(parsed);
    if (errors.length) {
      requests[requests.length - 1] = { requestId, outcome: 'invalid' };
      return fail(400, `Invalid JSON payload received. ${errors.slice(0, 3).join('; ')}`);
    }
    const message = create(match[1] ?? '', parsed as Record<string, unknown>, query);
    options.onCreate?.(message, messages.length);
    if (outcome === 'created-then-reset') return req.socket.destroy();
    reply(res, message);
  };

  function create(
    space: string,
    body: Record<string, unknown>,
    query: Record<string, string>,
  ): ReceivedMessage {
    const threadKey = (body.thread as { threadKey?: string } | undefined)?.threadKey;
    // Without messageReplyOption Chat ignores the key and starts a new thread.
    const keyed = threadKey && query.messageReplyOption === 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD';
    const id = messages.length + 1;
    const threadName = (keyed && threads.get(threadKey)) || `spaces/${space}/threads/t${id}`;
    if (keyed) threads.set(threadKey, threadName);
    const message = {
      requestId: query.requestId,
      space,
      name: `spaces/${space}/messages/m${id}`,
      threadName,
      body,
      query,
    };
    messages.push(message);
    if (query.requestId) byRequestId.set(query.requestId, message);
    return message;
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    webhookUrl: (space = 'AAAAtest') =>
      `http://127.0.0.1:${port}/v1/spaces/${space}/messages?key=${encodeURIComponent(key)}&token=${encodeURIComponent(token)}`,
    messages,
    requests,
    duplicates: () => requests.filter((r) => r.outcome === 'duplicate').length,
    schedule: (outcomes) => queue.push(...outcomes),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, message: ReceivedMessage): void {
  // Webhook posts get only name and thread.name back.
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ name: message.name, thread: { name: message.threadName } }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
