import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database holds every secret openwx keeps, sealed or not: its directory is the
 * owner's alone (0700), whatever the umask. PGlite creates its files with the process's umask
 * (0644, or 0666 under umask 000) and offers no mode of its own; setting process.umask would
 * change every file the process writes, so instead the directory is created (or made) 0700 —
 * nobody else can reach what is inside — and what PGlite wrote is made 0600/0700 after it opens
 * and again when it closes. Symbolic links are left alone.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Makes every file under `dir` 0600 and every directory 0700 (the tree PGlite wrote). */
export function restrictTree(dir: string): void {
  const walk = (path: string): void => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return; // Removed meanwhile.
    }
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (st.isFile() && (st.mode & 0o777 & ~0o600) !== 0) {
      chmodSync(path, st.mode & 0o600);
    }
  };
  walk(dir);
}
