// `node scripts/prune-bundled.mjs [--list] [node_modules]`, in the image's build stage after `npm prune --omit=dev`: removes
// every package the bundle already holds. What the bundled CLI loads from node_modules is the external packages
// (scripts/externals.mjs) and what they depend on; the rest (the AWS SDK, zod, yaml, the Grafana SDK, ...) is
// bundled, and was 84 MB of the image that nothing read. Source maps and type declarations go too.
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTERNAL } from './externals.mjs';

/** A package's folder as Node finds it from `from` (a package folder, or the root): nearest node_modules first. */
function findPackage(name, from, root) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** The folders of `roots` and of every package they depend on (dependencies, optional and peer ones installed). */
export function packageClosure(nodeModules, roots) {
  const root = dirname(resolve(nodeModules));
  const kept = new Set();
  const queue = roots.map((name) => ({ name, from: root, required: true }));
  while (queue.length) {
    const { name, from, required } = queue.shift();
    const dir = findPackage(name, from, root);
    if (!dir) {
      if (required) throw new Error(`prune-bundled: ${name} (needed from ${from}) is not installed`);
      continue; // an optional dependency for another platform, or an optional peer
    }
    if (kept.has(dir)) continue;
    kept.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const optionalPeers = manifest.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(manifest.dependencies ?? {}))
      queue.push({ name: dep, from: dir, required: true });
    for (const dep of Object.keys(manifest.optionalDependencies ?? {}))
      queue.push({ name: dep, from: dir, required: false });
    for (const dep of Object.keys(manifest.peerDependencies ?? {}))
      queue.push({ name: dep, from: dir, required: !optionalPeers[dep]?.optional });
  }
  return kept;
}

/** The package an import names: `mysql2/promise` is `mysql2`, `@scope/name/x` is `@scope/name`. */
export function packageName(spec) {
  return spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
}

/** The package folders directly under `nodeModules` (scoped ones inside their scope). */
function topLevelPackages(nodeModules) {
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@')
        ? readdirSync(join(nodeModules, name)).map((inner) => join(nodeModules, name, inner))
        : [join(nodeModules, name)],
    );
}

function removeFiles(dir, test) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removeFiles(path, test);
    else if (test(entry.name)) rmSync(path);
  }
}

function sizeOf(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? sizeOf(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return bytes;
}

/** Removes from `nodeModules` what the externals do not need; returns the packages removed. */
export function pruneBundled(nodeModules, roots = [...new Set(EXTERNAL.map(packageName))]) {
  const kept = packageClosure(nodeModules, roots);
  const removed = [];
  for (const dir of topLevelPackages(nodeModules)) {
    if (kept.has(realpathSync(dir))) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  for (const scope of readdirSync(nodeModules).filter((n) => n.startsWith('@'))) {
    if (!readdirSync(join(nodeModules, scope)).length) rmSync(join(nodeModules, scope), { recursive: true });
  }
  rmSync(join(nodeModules, '.bin'), { recursive: true, force: true }); // links to the packages' own commands
  removeFiles(nodeModules, (name) => name.endsWith('.map') || name.endsWith('.d.ts'));
  return removed;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // --list: print the folders of the packages kept (relative to node_modules' folder), one a line, and remove nothing.
  const list = process.argv.includes('--list');
  const nodeModules = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'node_modules');
  if (list) {
    const root = dirname(nodeModules);
    for (const dir of [...packageClosure(nodeModules, [...new Set(EXTERNAL.map(packageName))])].sort())
      console.log(relative(root, dir));
  } else {
    const before = sizeOf(nodeModules);
    const removed = pruneBundled(nodeModules);
    const after = sizeOf(nodeModules);
    console.log(
      `prune-bundled: removed ${removed.length} bundled packages, ${((before - after) / 2 ** 20).toFixed(0)} MB; ` +
        `${(after / 2 ** 20).toFixed(0)} MB left`,
    );
  }
}
