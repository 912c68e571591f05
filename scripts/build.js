import { spawnSync } from 'node:child_process';
import {
  cpSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { STAMP } from './freshness.js';

/**
 * `npm run build`: the server compiled by tsc into dist/server (with every non-TypeScript file of
 * src/ it reads at run time, such as the SQL migrations, copied beside it), the console built by
 * vite into dist/console, then dist/build.json (see freshness.js). Needs the devDependencies.
 */
const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const require = createRequire(join(root, 'package.json'));
const say = (msg) => process.stderr.write(`build: ${msg}\n`);

function bin(pkg, name) {
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    say(`${pkg} is not installed; the build needs the devDependencies: run \`npm install\` first`);
    process.exit(1);
  }
  const { bin: bins } = JSON.parse(readFileSync(manifest, 'utf8'));
  return join(dirname(manifest), typeof bins === 'string' ? bins : bins[name]);
}

function run(label, args) {
  const t0 = Date.now();
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    say(`${label} failed${res.status === null ? ` (${res.signal})` : ''}`);
    process.exit(1);
  }
  say(`${label} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Every file under src/ that tsc does not compile, copied to the same place under dist/server. */
function copyAssets(dir) {
  let copied = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copied += copyAssets(path);
    else if (!/\.tsx?$/.test(entry.name)) {
      cpSync(path, join(dist, 'server', relative(join(root, 'src'), path)));
      copied++;
    }
  }
  return copied;
}

function size(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, e) => sum + size(join(path, e)), 0);
}

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
run('server (tsc -p tsconfig.build.json)', [bin('typescript', 'tsc'), '-p', 'tsconfig.build.json']);
say(`copied ${copyAssets(join(root, 'src'))} non-TypeScript files of src/`);
run('console (vite build)', [bin('vite', 'vite'), 'build', '--config', 'web/vite.config.ts']);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const stamp = join(root, STAMP);
writeFileSync(stamp, `${JSON.stringify({ version, builtAt: new Date(started).toISOString() })}\n`);
utimesSync(stamp, started / 1000, started / 1000);
const mib = (p) => (size(p) / 2 ** 20).toFixed(1);
say(
  `dist/ ready in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(server ${mib(join(dist, 'server'))} MiB, console ${mib(join(dist, 'console'))} MiB)`,
);
