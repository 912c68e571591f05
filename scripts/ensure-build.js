import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildState } from './freshness.js';

/**
 * Before `npm start` (and `npm pack`): builds dist/ when it is missing or older than the sources,
 * so that `npm install && npm start` works on a fresh clone. Does nothing in an installed package
 * (no sources; dist/ came in the tarball).
 */
const root = join(import.meta.dirname, '..');
const state = buildState(root);
if (state.hasSources && (!state.built || state.newer)) {
  process.stderr.write(
    state.built
      ? `dist/ is older than ${state.newer}: rebuilding\n`
      : 'dist/ is not built yet: building\n',
  );
  const build = join(import.meta.dirname, 'build.js');
  const res = spawnSync(process.execPath, [build], { cwd: root, stdio: 'inherit' });
  process.exit(res.status ?? 1);
}
