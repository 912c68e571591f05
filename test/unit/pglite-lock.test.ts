import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openPglite } from '../../src/store/db.ts';
import { DatabaseInUseError, LOCK_FILE, lockPgliteDir } from '../../src/store/pglite-lock.ts';

/** One process at a time in a PGlite directory (src/store/pglite-lock.ts). */

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openwx-lock-test-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  assert.ok(r.pid);
  return r.pid;
}

describe('the PGlite directory lock', () => {
  it('holds the directory while the database is open and lets it go when it closes', async () => {
    const dir = join(tempDir(), 'pglite');
    const db = await openPglite(dir);
    const lockFile = join(dir, LOCK_FILE);
    const held = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; startedAt: string };
    assert.equal(held.pid, process.pid);
    assert.ok(!Number.isNaN(Date.parse(held.startedAt)));

    await assert.rejects(openPglite(dir), (err: unknown) => {
      assert.ok(err instanceof DatabaseInUseError);
      assert.equal(err.pid, process.pid);
      assert.match(
        err.message,
        new RegExp(
          `^the PGlite database in ${dir} is in use by openwx \\(pid ${process.pid}, since .*\\); stop it first, or use DATABASE_URL`,
        ),
      );
      return true;
    });
    // The refused attempt left the holder's lock alone.
    assert.equal((JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid, process.pid);

    await db.query('CREATE TABLE kept (n int)');
    await db.query('INSERT INTO kept VALUES (7)');
    await db.close();
    assert.ok(!existsSync(lockFile), 'closing the database removes the lock');

    const again = await openPglite(dir);
    try {
      assert.deepEqual((await again.query('SELECT n FROM kept')).rows, [{ n: 7 }]);
    } finally {
      await again.close();
    }
  });

  it('takes over a lock left by a process that has died', async () => {
    const dir = join(tempDir(), 'pglite');
    const first = await openPglite(dir);
    await first.close();
    const pid = deadPid();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid, startedAt: new Date().toISOString(), nonce: 'x' }),
    );
    const db = await openPglite(dir);
    try {
      const held = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
      assert.equal(held.pid, process.pid);
    } finally {
      await db.close();
    }
  });

  it('refuses while the holder is alive, whoever asks', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: 424242, startedAt: '2024-01-01T00:00:00.000Z', nonce: 'x' }),
    );
    assert.throws(
      () => lockPgliteDir(dir, (pid) => pid === 424242),
      /in use by openwx \(pid 424242, since 2024-01-01T00:00:00.000Z\)/,
    );
    // The same lock with its process gone is stale.
    const lock = lockPgliteDir(dir, () => false);
    lock.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
  });

  it('treats a lock file that is not a lock (empty, garbage) as stale', () => {
    for (const content of ['', 'not json', '{"pid":"1"}']) {
      const dir = tempDir();
      writeFileSync(join(dir, LOCK_FILE), content);
      const lock = lockPgliteDir(dir);
      lock.release();
      assert.ok(!existsSync(join(dir, LOCK_FILE)));
    }
  });

  it('does not remove a lock that another process has taken since', () => {
    const dir = tempDir();
    const lock = lockPgliteDir(dir);
    const other = JSON.stringify({ pid: 424242, startedAt: 'later', nonce: 'other' });
    writeFileSync(join(dir, LOCK_FILE), other);
    lock.release();
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), other);
  });
});
