import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** Port the proxy listens on (127.0.0.1). */
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Rewrites `url` (any scheme) to go through the proxy. */
  wrap(url: string): string;
  /** Stops listening and cuts every open connection, as a server that goes away. */
  close(): Promise<void>;
}

/**
 * A TCP proxy to `target` that delays every chunk sent to the server by `delayMs`, so each request/response
 * round trip costs at least that much more (a remote database, seen from a 2-core CI box).
 */
export async function startTcpProxy(target: { host: string; port: number }, delayMs = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk) => {
      // Same-delay timers fire in insertion order, so the byte stream keeps its order.
      if (delayMs > 0) setTimeout(() => upstream.write(chunk), delayMs);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    accepted: () => accepted,
    wrap: (url) => throughPort(url, port),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The same URL, pointed at the proxy's loopback port. */
function throughPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

/**
 * The same proxy in a child process, so its buffers do not count in the benchmark's memory figures
 * (a real network sits outside the agent too).
 */
export async function startTcpProxyProcess(
  target: { host: string; port: number },
  delayMs: number,
): Promise<Omit<TcpProxy, 'accepted'>> {
  const { fork } = await import('node:child_process');
  const child = fork(__filename, [target.host, String(target.port), String(delayMs)], {
    execArgv: ['-r', require.resolve('./register.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
  });
  return {
    port,
    wrap: (url) => throughPort(url, port),
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill();
      await exited;
    },
  };
}

if (require.main === module && process.send) {
  const [host, port, delay] = process.argv.slice(2);
  void startTcpProxy({ host: host as string, port: Number(port) }, Number(delay)).then((proxy) =>
    process.send?.(proxy.port),
  );
}
