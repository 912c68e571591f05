import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where openwx is installed and which version it is: the nearest package.json named "openwx"
 * above this module. The same answer from the sources (src/core) and from the compiled build
 * (dist/server/core), so paths such as the built console do not depend on the layout.
 */
let cached: { root: string; version: string } | undefined;

function find(): { root: string; version: string } {
  if (cached) return cached;
  let dir = import.meta.dirname;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'openwx') return (cached = { root: dir, version: pkg.version ?? '0.0.0' });
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json of openwx above ${import.meta.dirname}`);
    dir = parent;
  }
}

/** The directory that holds openwx's package.json. */
export function packageRoot(): string {
  return find().root;
}

/** openwx's version, from its package.json. */
export function packageVersion(): string {
  return find().version;
}
