import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `npm run dev`: the server from the TypeScript sources, restarted when they change (tsx watch),
 * and the console rebuilt into dist/console when web/ changes (vite build --watch; reload the
 * page). Ctrl-C stops both.
 */
const root = join(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));

function bin(pkg, name) {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { bin: bins } = JSON.parse(readFileSync(manifest, 'utf8'));
  return join(dirname(manifest), typeof bins === 'string' ? bins : bins[name]);
}

const children = [
  [bin('vite', 'vite'), 'build', '--watch', '--config', 'web/vite.config.ts'],
  [bin('tsx', 'tsx'), 'watch', '--clear-screen=false', 'src/app/main.ts', 'serve'],
].map((args) =>
  // Each in its own process group, so that Ctrl-C reaches them once, through this script.
  spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  }),
);

let status;
const stopAll = (signal) => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const child of children) {
  // When one stops (or crashes), stop the other; exit with the first one's status.
  child.on('exit', (code) => {
    status ??= code ?? 0;
    stopAll('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(status);
  });
}
// npm passes a Ctrl-C on to this script as well: a second signal within a second is that copy.
let lastSignal = 0;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (Date.now() - lastSignal > 1000) stopAll(signal);
    lastSignal = Date.now();
  });
}
