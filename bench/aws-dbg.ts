process.on('exit', (c) => console.log('exit', c));
process.on('unhandledRejection', (e) => console.log('unhandled', e));
require('/work/main/bench/idle-sweep.bench.ts').main().then(() => console.log('done'), (e: unknown) => console.log('err', e));
