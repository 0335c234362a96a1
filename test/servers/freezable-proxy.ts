import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay to a real server that can be frozen: from then on it forwards nothing either way and closes nothing,
 * as a database that stops answering mid-run (a paused VM, a network partition) looks to its client.
 */
export interface FreezableProxy {
  port: number;
  freeze(): void;
  /** Freezes when the client next sends text containing `marker` (that chunk is not forwarded): mid-statement. */
  freezeOn(marker: string): void;
  /** Whether it froze (at once, or on its marker). */
  frozen(): boolean;
  close(): Promise<void>;
}

export async function startFreezableProxy(target: { host: string; port: number }): Promise<FreezableProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  let marker: string | undefined;
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      if (marker !== undefined && chunk.includes(marker)) frozen = true;
      if (!frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
    const end = () => {
      if (frozen) return; // a frozen peer says nothing, not even goodbye
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    freeze: () => void (frozen = true),
    freezeOn: (text) => void (marker = text),
    frozen: () => frozen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
