import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Whether dist/ was built from the sources as they are now. The build writes dist/build.json last,
 * with its modification time set to when the build started; a source file or directory (a
 * deleted or renamed file changes its directory) modified after that makes the build stale.
 * An installed package has no sources: its dist/ came in the tarball and is never stale.
 */
export const STAMP = join('dist', 'build.json');

/** What the build reads: the server, the console, and the settings of both. */
const SOURCES = ['src', 'web', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIP = new Set(['node_modules', 'dist']);

/** The first path under `path` modified after `since` (ms), or undefined. */
function newerThan(path, since) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  if (st.mtimeMs > since) return path;
  if (!st.isDirectory()) return undefined;
  for (const entry of readdirSync(path)) {
    if (SKIP.has(entry)) continue;
    const found = newerThan(join(path, entry), since);
    if (found) return found;
  }
  return undefined;
}

/**
 * @param {string} root the directory of openwx's package.json
 * @returns {{ hasSources: boolean, built: boolean, newer?: string }} `newer`: a source (relative
 *   to root) modified after the build, when there is a build and it is stale
 */
export function buildState(root) {
  const hasSources = existsSync(join(root, 'src'));
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return { hasSources, built: false };
  if (!hasSources) return { hasSources, built: true };
  const builtAt = statSync(stamp).mtimeMs;
  for (const source of SOURCES) {
    const found = newerThan(join(root, source), builtAt);
    if (found) return { hasSources, built: true, newer: relative(root, found) };
  }
  return { hasSources, built: true };
}
