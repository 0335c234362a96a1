// The README's test command: makes sure what the tests need is here, builds the CLI that the end-to-end tests
// run, then runs jest (extra arguments are passed to jest).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';

const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const onPath = (name) => {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const pgBin = () =>
  onPath('initdb') ||
  (existsSync('/usr/lib/postgresql') &&
    readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)));

if (!existsSync('node_modules/.package-lock.json')) {
  console.error('node_modules is missing: running npm ci first');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
const missing = [];
if (!pgBin()) missing.push('postgresql');
if (!onPath('mariadbd') && !existsSync('/usr/sbin/mariadbd')) missing.push('mariadb-server');
if (missing.length) {
  console.error(
    `The tests start real database servers and need their binaries: ${missing.join(', ')}.\n` +
      `Install them (Debian/Ubuntu): apt-get install -y ${missing.join(' ')}`,
  );
  process.exit(1);
}
run('npm', ['run', 'build', '--silent']);

// jest's own summary, plus one plain closing line that any CI reader understands.
mkdirSync('.tmp', { recursive: true });
const results = '.tmp/jest-results.json';
rmSync(results, { force: true }); // never report a previous run's figures
const jest = spawnSync('npx', ['jest', '--json', `--outputFile=${results}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}
process.exit(jest.status ?? 1);
