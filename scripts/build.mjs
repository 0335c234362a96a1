// `npm run build`: bundles the CLI with esbuild into dist/src/cli. guardrail.mjs is the CLI, ESM so that each
// lazily imported command, check client and SDK lands in its own chunk (chunks/) and loads only when used;
// main.js is the small CommonJS binary that turns on the compile cache and then imports guardrail.mjs, or runs a
// brief command from brief-HASH.cjs (src/cli/brief-loader.ts).
// Type checking is separate (`npm run typecheck`).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTERNAL } from './externals.mjs';

const OUT = 'dist/src/cli';
const FLOOR_OUT = 'dist/bench-floor';

// Bundled CommonJS packages call require() for Node built-ins; ESM has no require, so each chunk gets one.
const BANNER = [
  "import { createRequire as __guardrailRequire } from 'node:module';",
  "import { fileURLToPath as __guardrailPath } from 'node:url';",
  "import { dirname as __guardrailDirname } from 'node:path';",
  'const require = __guardrailRequire(import.meta.url);',
  'const __filename = __guardrailPath(import.meta.url);',
  'const __dirname = __guardrailDirname(__filename);',
].join('\n');

/**
 * src/aws/sdk/*.ts re-export from a client's index, which also builds the aggregated client (`EC2`, every
 * command, a call esbuild must keep). In the bundle each name comes from its own module instead.
 */
const sdkDeepImports = {
  name: 'aws-sdk-deep-imports',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]aws[\\/]sdk[\\/][\w-]+\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace(
        /export \{([^}]*)\} from '(@aws-sdk\/client-[\w-]+)';/g,
        (_all, names, pkg) =>
          names
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean)
            .map(
              (n) =>
                `export { ${n} } from '${pkg}/dist-es/${n.endsWith('Command') ? 'commands/' : ''}${n}.js';`,
            )
            .join('\n'),
      );
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * A client's schemas module declares every shape of the service (EC2's is 800 KB) as arrays whose objects
 * have computed keys, which esbuild cannot prove free of side effects, so it keeps them all. Each declaration
 * becomes a call marked pure, so that only the shapes of the commands sent stay.
 */
const pureSdkSchemas = {
  name: 'pure-aws-sdk-schemas',
  setup(b) {
    b.onLoad(
      { filter: /@aws-sdk[\\/]client-[\w-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      (args) => {
        const source = readFileSync(args.path, 'utf8').replace(
          /^(export )?var ([\w$]+) = (\[(?:.*\]|[\s\S]*?\n\]));$/gm,
          (_all, exported, name, value) =>
            `${exported ?? ''}var ${name} = /* @__PURE__ */ __shape(() => ${value});`,
        );
        return { contents: `const __shape = (f) => f();\n${source}`, loader: 'js' };
      },
    );
  },
};

/**
 * The SDK's XML reader builds every tag name and text one character at a time; src/aws/xml-parser.ts returns the
 * same values and errors (test/aws/xml-parser.test.ts compares them) with a fraction of the garbage. EC2, S3 and
 * CloudWatch replies are XML, so an idle sweep reads a few hundred KB of it.
 */
const XML_PARSER = fileURLToPath(new URL('../src/aws/xml-parser.ts', import.meta.url));
const fastXmlParser = {
  name: 'fast-xml-parser',
  setup(b) {
    let replaced = false;
    b.onLoad({ filter: /@aws-sdk[\\/]xml-builder[\\/]dist-es[\\/]xml-parser\.js$/ }, () => {
      replaced = true;
      return { contents: `export { parseXML } from ${JSON.stringify(XML_PARSER)};`, loader: 'js' };
    });
    // An SDK upgrade that moves the module must not quietly bring the slow reader back.
    b.onEnd((result) => {
      if (!replaced && !result.errors.length)
        throw new Error('fast-xml-parser: @aws-sdk/xml-builder/dist-es/xml-parser.js was not bundled');
    });
  },
};

/**
 * Node built-ins that packages import at the top for paths a run rarely or only later takes: commander and
 * node-cron's `child_process` (executable subcommands, forked background tasks), node-cron's and our `crypto`
 * (task ids, a hash or an id made late in a run), the AWS SDK's HTTP handler's `http2` (never used by the clients
 * Guardrail makes) and `http`/`https`. Loading `child_process` and `crypto` pulls in net, dgram, streams and
 * WebCrypto (about 10 ms and 3 MB before `guardrail validate` reads its config); importing `http` as an ES module
 * makes Node evaluate its lazy `WebSocket` export, which compiles all of undici (about 7 ms). From the importers
 * listed, each built-in is a stand-in that loads it (with require, as CommonJS) on first use: named imports are
 * functions that load and call it, the default import reads through. A name that is not a lower-case function
 * of the built-in (a class, a constant) fails the build rather than misbehave.
 */
/** The repository root: importers are matched by their path inside it. */
const CHECKOUT = dirname(dirname(fileURLToPath(import.meta.url)));
const LAZY_BUILTINS = {
  child_process: /^node_modules\/(commander|node-cron)\//,
  crypto: /^(node_modules\/node-cron|src|checks|alerts)\//,
  http: /^node_modules\/@smithy\/node-http-handler\//,
  https: /^node_modules\/@smithy\/node-http-handler\//,
  http2: /^node_modules\/@smithy\/node-http-handler\//,
};
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${Object.keys(LAZY_BUILTINS).join('|')})$`);
    b.onResolve({ filter }, (args) => {
      const name = args.path.replace(/^node:/, '');
      // Relative to the checkout, so that where it lies (e.g. under a folder named src) changes nothing.
      const importer = relative(CHECKOUT, args.importer).split(sep).join('/');
      return LAZY_BUILTINS[name].test(importer) ? { path: name, namespace: 'lazy-builtin' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const real = await import(`node:${args.path}`);
      const names = Object.keys(real).filter((n) => /^[a-z]/.test(n) && typeof real[n] === 'function');
      const lines = [
        `let loaded;`,
        // Through the binary's loader while it runs with other V8 flags than the defaults (src/cli/bin.ts).
        `const load = () => (loaded ??= (globalThis[Symbol.for('guardrail.loadBuiltin')] ?? require)('node:${args.path}'));`,
        `const lazy = (name) => (...a) => load()[name](...a);`,
        ...names.map((n) => `export const ${n} = lazy(${JSON.stringify(n)});`),
        `export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/**
 * Built-ins (and a package) required at the top for paths Guardrail never takes: pino reads
 * `worker_threads.isMainThread` for asynchronous destinations (Guardrail writes synchronously) and loads
 * thread-stream (worker_threads, assert) for transports; sonic-boom `assert` for a check of an asynchronous open;
 * the AWS SDK's CRC32 checksum `zlib`. Each is required where it is used instead: Node's own sources of the three
 * built-ins cost about 3 MB of RSS in every `run` (Node 22.3+ has zlib.crc32, which the SDK tested for). Likewise
 * the SDK's test of each reply body for a web stream, which loaded Node's web streams by reading their globals. A
 * package upgrade that changes those lines fails the build rather than bring them back unnoticed.
 */
const LAZY_REQUIRES = [
  {
    file: /[\\/]node_modules[\\/]pino[\\/]lib[\\/]tools\.js$/,
    rewrite: (source) =>
      source
        .replace("const { isMainThread } = require('worker_threads')\n", '')
        .replace(/\bisMainThread\b/g, "require('worker_threads').isMainThread"),
    expect: (source) => (source.match(/require\('worker_threads'\)\.isMainThread/g) ?? []).length === 1,
  },
  {
    // thread-stream, which requires worker_threads and assert at its top, serves only pino.transport().
    file: /[\\/]node_modules[\\/]pino[\\/]lib[\\/]transport\.js$/,
    rewrite: (source) =>
      source
        .replace("const ThreadStream = require('thread-stream')\n", '')
        .replace('new ThreadStream(', "new (require('thread-stream'))("),
    expect: (source) =>
      !/\bThreadStream\b/.test(source) && source.includes("new (require('thread-stream'))("),
  },
  {
    // The SDK's CRC32 checksum (S3 uploads, never sent by Guardrail) reads node:zlib at its top.
    sdk: true,
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/]crc32[\\/]Crc32Node\.js$/,
    rewrite: (source) =>
      source
        .replace('import * as zlib from "node:zlib";\n', '')
        .replace(
          'const zlibCrc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : undefined;',
          'const zlibCrc32 = (data, value) => process.getBuiltinModule("node:zlib").crc32(data, value);',
        ),
    expect: (source) => !/\bzlib\./.test(source.replace('getBuiltinModule("node:zlib").crc32', '')),
  },
  {
    // Each reply body is tested for a web ReadableStream and a Blob by reading those globals, which loads Node's web
    // streams (about 3 ms); a Node stream, which every reply here is, has neither getReader nor arrayBuffer.
    sdk: true,
    file: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]serde[\\/]util-stream[\\/]stream-type-check\.js$/,
    rewrite: (source) =>
      source
        .replace(
          'isReadableStream = (stream) => typeof ReadableStream === "function" &&',
          'isReadableStream = (stream) => typeof stream?.getReader === "function" && typeof ReadableStream === "function" &&',
        )
        .replace(
          'return typeof Blob === "function" &&',
          'return typeof blob?.arrayBuffer === "function" && typeof Blob === "function" &&',
        ),
    expect: (source) =>
      source.includes('typeof stream?.getReader === "function" && typeof ReadableStream') &&
      source.includes('typeof blob?.arrayBuffer === "function" && typeof Blob'),
  },
  {
    file: /[\\/]node_modules[\\/]sonic-boom[\\/]index\.js$/,
    rewrite: (source) =>
      source.replace(
        "const assert = require('assert')\n",
        "const assert = (...args) => require('assert')(...args)\n",
      ),
    expect: (source) => source.includes("const assert = (...args) => require('assert')(...args)"),
  },
];
/** The plugin for `rules`, each of which the bundle must hold. */
function lazyRequires(rules, { partial = false } = {}) {
  return {
    name: 'lazy-requires',
    setup(b) {
      const done = new Set();
      for (const [i, { file, rewrite, expect }] of rules.entries()) {
        b.onLoad({ filter: file }, (args) => {
          const contents = rewrite(readFileSync(args.path, 'utf8'));
          if (!expect(contents)) throw new Error(`lazy-requires: ${args.path} no longer reads as expected`);
          done.add(i);
          return { contents, loader: 'js' };
        });
      }
      b.onEnd((result) => {
        const missed = rules.filter((_, i) => !done.has(i)).map((r) => r.file);
        if (missed.length && !result.errors.length && !partial)
          throw new Error(`lazy-requires: not bundled: ${missed.join(', ')}`);
      });
    },
  };
}

/**
 * The brief bundle (src/cli/brief-loader.ts): the CLI as one CommonJS file for validate, checks, schema,
 * iam-policy and help. Their own lazily imported modules (and the warning logger) are inlined; any other dynamic
 * import, which no brief command reaches, stays an import of the ES-module chunk built for it.
 */
const BRIEF_INLINE =
  /^(\.\/(validate|info|iam-policy)\.js|\.\.\/engine\/cleanup\/permissions\.js|\.\.\/core\/log\.js)$/;
const SELF = Symbol('brief-only');
function briefOnly(chunkOf, outdir) {
  return {
    name: 'brief-only',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || BRIEF_INLINE.test(args.path) || args.pluginData === SELF)
          return;
        if (EXTERNAL.includes(args.path)) return { path: args.path, external: true };
        const { kind, resolveDir } = args;
        const resolved = await b.resolve(args.path, { kind, resolveDir, pluginData: SELF });
        const source = relative(CHECKOUT, resolved.path).split(sep).join('/');
        const chunk = chunkOf.get(source);
        if (!chunk) throw new Error(`brief bundle: no chunk for ${args.path} (from ${args.importer})`);
        const path = relative(outdir, join(OUT, chunk)).split(sep).join('/');
        return { path: path.startsWith('.') ? path : `./${path}`, external: true };
      });
    },
  };
}

/**
 * The external packages (scripts/externals.mjs) are CommonJS. An ES module that imports one makes Node's loader
 * scan its source, and every file it re-exports, for the names to export (cjs-module-lexer), which require skips
 * (src/core/externals.ts has the figures). A static import of one is required here, through the chunk's
 * createRequire (BANNER), and esbuild gives the importer its keys as names, and module.exports as the default as
 * Node does, except for a package marked __esModule (@duckdb/node-api, @google-cloud/bigquery), whose default
 * esbuild takes from its `default` key: import those by name (a review). A dynamic import() of one, which esbuild
 * would make a chunk of its own exporting only a default, fails the build: requireExternal loads those.
 */
const requireExternals = {
  name: 'require-externals',
  setup(b) {
    const filter = new RegExp(`^(${EXTERNAL.map((e) => e.replace(/[/.@-]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => {
      if (args.kind === 'require-call') return undefined;
      if (args.kind === 'dynamic-import')
        return {
          errors: [{ text: `import('${args.path}'): load it with requireExternal (src/core/externals.ts)` }],
        };
      return { path: args.path, namespace: 'external-require' };
    });
    b.onLoad({ filter: /.*/, namespace: 'external-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

rmSync(OUT, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  logLevel: 'warning',
  legalComments: 'none',
};
const cli = await build({
  ...common,
  entryPoints: { guardrail: 'src/cli/main.ts' },
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // The AWS SDK's ES modules, not its CommonJS build: only the commands Guardrail sends are kept.
  mainFields: ['module', 'main'],
  external: EXTERNAL,
  banner: { js: BANNER },
  plugins: [
    requireExternals,
    sdkDeepImports,
    pureSdkSchemas,
    lazyBuiltins,
    fastXmlParser,
    lazyRequires(LAZY_REQUIRES),
  ],
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
});
// Each lazily imported module's chunk, by source path, for the brief bundle's imports of them.
const chunkOf = new Map(
  Object.entries(cli.metafile.outputs)
    .filter(([, o]) => o.entryPoint)
    .map(([file, o]) => [o.entryPoint, relative(OUT, file).split(sep).join('/')]),
);
/**
 * Builds `entry` as a brief bundle (brief-HASH.cjs) and the binary that runs it (main.js, from src/cli/bin.ts) into
 * `outdir`; returns the brief bundle's metafile. `partial`: an entry that reaches only some of what the lazy
 * requires rewrite (the bench's floor), which the CLI's must reach in full.
 */
async function buildBinary(entry, outdir, { partial = false } = {}) {
  const brief = await build({
    ...common,
    entryPoints: { brief: entry },
    entryNames: '[name]-[hash]',
    outdir,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    // node-cron reads import.meta.url at the top (for its forked worker, never used by a brief command).
    define: { 'import.meta.url': '__guardrailImportMetaUrl' },
    // "use strict" first, so that the whole file is strict, as the ES modules are (esbuild's own comes after this).
    banner: {
      js: `"use strict";var __guardrailImportMetaUrl = require('node:url').pathToFileURL(__filename).href;`,
    },
    // The brief commands make no AWS call: the SDK is not in their bundle.
    plugins: [
      briefOnly(chunkOf, outdir),
      lazyBuiltins,
      lazyRequires(
        LAZY_REQUIRES.filter((r) => !r.sdk),
        { partial },
      ),
    ],
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
  });
  const briefFile = relative(outdir, Object.keys(brief.metafile.outputs)[0]);
  // brief-loader.ts reads the brief bundle as Latin-1, which is its text only while every byte is ASCII.
  const briefBytes = readFileSync(`${outdir}/${briefFile}`);
  const nonAscii = briefBytes.findIndex((b) => b > 0x7f);
  if (nonAscii >= 0)
    throw new Error(`${briefFile}: a byte that is not ASCII at ${nonAscii} (esbuild's charset?)`);
  await build({
    ...common,
    entryPoints: { main: 'src/cli/bin.ts' },
    outdir,
    format: 'cjs',
    define: { __GUARDRAIL_BRIEF_BUNDLE__: JSON.stringify(briefFile) },
  });
  return brief.metafile;
}
const brief = { metafile: await buildBinary('src/cli/main.ts', OUT) };
// `--floor` (bench/startup.bench.ts): two brief bundles built and started as `validate`'s is, one empty and one
// that only parses the config's data with the same schemas (bench/floor/), so that the bench can tell what of
// `validate`'s start-up is the binary's, zod's, and the rest.
if (process.argv.includes('--floor')) {
  rmSync(FLOOR_OUT, { recursive: true, force: true });
  for (const floor of ['empty', 'schemas'])
    await buildBinary(`bench/floor/${floor}.ts`, `${FLOOR_OUT}/${floor}`, { partial: true });
}

// Which package each chunk holds, for the test that a config without AWS checks loads no AWS client.
const chunks = Object.fromEntries(
  [...Object.entries(cli.metafile.outputs), ...Object.entries(brief.metafile.outputs)].map(([file, o]) => [
    file,
    [
      ...new Set(
        Object.keys(o.inputs).map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? 'guardrail'),
      ),
    ],
  ]),
);
writeFileSync('dist/bundle-packages.json', JSON.stringify(chunks, null, 1));
const bytes = Object.values(cli.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
const files = Object.keys(cli.metafile.outputs).length;
console.log(`built ${OUT}: ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MB`);
