import { connect, createServer, type Server, type Socket } from 'node:net';

/** How a promise settled and after how long. */
export interface Settled<T> {
  ms: number;
  value?: T;
  error?: string;
}

/** Awaits `work` and says how it settled, without throwing. */
export async function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  const started = Date.now();
  try {
    const value = await work;
    return { ms: Date.now() - started, value };
  } catch (err) {
    return { ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The same URL on 127.0.0.1:`port` (the black hole's, later the server's again). */
export function onPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

/** The port of an `http://127.0.0.1:N` endpoint or a database URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * The server is back on the same address: listens on `port` (which a black hole has just released) and
 * forwards every connection to the working server on `target`.
 */
export async function forwardOnPort(port: number, target: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
