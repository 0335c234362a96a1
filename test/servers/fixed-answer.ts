import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on 127.0.0.1 that answers every request alike: a proxy in front of Chat, or a slow Chat. */
export interface FixedAnswer {
  /** A Chat-shaped webhook URL, with a key and token that must never be logged. */
  webhookUrl: string;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Answers every request with `status` and `body`, `delayMs` after the request ended. */
export async function startFixedAnswer(
  status: number,
  contentType: string,
  body: string,
  delayMs = 0,
): Promise<FixedAnswer> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    const answer = () => res.writeHead(status, { 'content-type': contentType }).end(body);
    req.on('end', () => setTimeout(answer, delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    webhookUrl: `http://127.0.0.1:${port}/v1/spaces/AAAAproxy/messages?key=KEY-SECRET-1234&token=TOKEN-SECRET-5678`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
