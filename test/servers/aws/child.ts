import { startFakeAws, type FakeAwsOptions } from './server';

/** Started by `startFakeAwsProcess`: the fake AWS in its own process, driven over IPC. */
export interface ChildStart {
  options: FakeAwsOptions;
  latencyMs: number;
}

function send(message: unknown): void {
  process.send?.(message);
}

process.once('message', (start: ChildStart) => {
  // Frozen unless told otherwise (an estate that cleanup tests change cannot be rendered up front).
  void startFakeAws({ frozen: true, ...start.options }).then((server) => {
    server.faults.latencyMs = start.latencyMs;
    process.on('message', (message: string) => {
      if (message === 'calls') send({ calls: server.calls });
      if (message === 'close') void server.close().then(() => process.disconnect());
    });
    send({ url: server.url });
  });
});
