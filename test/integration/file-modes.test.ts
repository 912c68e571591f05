import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The data directory is the owner's alone whatever the umask: under umask 000 a fresh sandbox
 * data directory (sandbox.json, the PGlite database and its lock file) has no file readable by
 * the group or others. Runs openwx's own code in a child process started with umask 000.
 */
const CHILD = `
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './src/config/config.ts';
import { openPglite } from './src/store/db.ts';
import { LOCK_FILE } from './src/store/pglite-lock.ts';
const dir = process.env.DATA_DIR;
const config = loadConfig({ OPENWX_DATA_DIR: dir, OPENWX_LOG_LEVEL: 'silent' });
const pglite = join(config.dataDir, 'pglite');
const db = await openPglite(pglite);
const modes = {
  umask: process.umask(),
  lock: lstatSync(join(pglite, LOCK_FILE)).mode & 0o777,
  pglite: lstatSync(pglite).mode & 0o777,
};
await db.query('CREATE TABLE t (x int)');
await db.query('INSERT INTO t VALUES (1)');
await db.close();
console.log(JSON.stringify(modes));
`;

/** Every path under `dir` whose mode lets the group or others in, with its mode. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) found.push(`${path} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

test('under umask 000 the data directory, sandbox.json, the database and its lock are 0600/0700', () => {
  const parent = mkdtempSync(join(tmpdir(), 'openwx-modes-'));
  const dir = join(parent, 'data');
  try {
    const out = execFileSync(
      'sh',
      [
        '-c',
        'umask 000 && exec "$0" --import tsx --input-type=module -e "$CHILD"',
        process.execPath,
      ],
      {
        cwd: process.cwd(),
        env: { ...process.env, CHILD, DATA_DIR: dir },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const modes = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    assert.equal(modes['umask'], 0, 'the child runs with umask 000');
    assert.equal(modes['lock']?.toString(8), '600', 'the lock file');
    assert.equal(modes['pglite']?.toString(8), '700', 'the database directory while open');
    assert.equal((lstatSync(dir).mode & 0o777).toString(8), '700', 'the data directory');
    assert.equal(
      (lstatSync(join(dir, 'sandbox.json')).mode & 0o777).toString(8),
      '600',
      'sandbox.json',
    );
    assert.ok(readdirSync(join(dir, 'pglite')).length > 3, 'the database has files');
    assert.deepEqual(openToOthers(dir), []);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
