#!/usr/bin/env node
// The `openwx` command (`npx openwx …`, `npm start`, the container's CMD).
//
// Which code runs:
// - the compiled build in dist/ when it is there and not older than the sources (always the case
//   in an installed package, which has no sources);
// - in a checkout whose dist/ is missing or stale, the TypeScript sources through tsx when tsx is
//   installed (a devDependency), so `npx openwx` never runs code older than what you edited; it
//   says so on stderr when a stale dist/ is passed over (`npm run build` refreshes it);
// - a stale dist/ without tsx still runs, with a warning; no dist/ and no tsx: run `npm run build`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildState } from '../scripts/freshness.js';

const root = join(import.meta.dirname, '..');
const compiled = join(import.meta.dirname, '..', 'dist', 'server', 'app', 'main.js');
const state = buildState(root);
const built = state.built && existsSync(compiled);

async function tsxRegister() {
  try {
    return (await import('tsx/esm/api')).register;
  } catch {
    return undefined;
  }
}

const register = built && !state.newer ? undefined : state.hasSources && (await tsxRegister());
if (register) {
  if (built)
    process.stderr.write(`openwx: dist/ is older than ${state.newer}; running the sources\n`);
  register();
  await import('../src/app/main.ts');
} else if (built) {
  if (state.newer)
    process.stderr.write(`openwx: dist/ is older than ${state.newer}; run \`npm run build\`\n`);
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write('openwx is not built: run `npm run build` (or `npm install` first)\n');
  process.exit(1);
}
