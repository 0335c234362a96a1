import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy to a real server that can turn into a black hole: the server that stops answering mid-run. */
export interface HangProxy {
  port: number;
  /** From now on nothing passes either way, on open connections and new ones; no connection is closed. */
  hang(): void;
  close(): Promise<void>;
}

export async function startHangProxy(target: { host: string; port: number }): Promise<HangProxy> {
  const sockets = new Set<Socket>();
  let hanging = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (hanging) return void client.pause();
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('hang proxy has no port');
  return {
    port: address.port,
    hang: () => {
      hanging = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
