import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runCli, startCli, waitForHttp, type Proc } from '../support/processes.ts';

/**
 * PGlite corrupts a data directory that two processes open: while `openwx serve` holds one,
 * migrate, doctor and another serve on it are refused, naming the server's pid.
 */

const dirs: string[] = [];
const procs: Proc[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-lock-cli-'));
  dirs.push(dataDir);
  const port = await freePort();
  const proc = startCli(['serve'], {
    OPENWX_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENWX_LOG_LEVEL: 'warn',
    OPENWX_EMULATOR_TICKET_INTERVAL: '0',
  });
  procs.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 60_000);
  return { proc, url, dataDir };
}

describe('one process per PGlite directory', () => {
  test('migrate, doctor and a second serve are refused while a server holds it', async () => {
    const server = await startServer();
    const { dataDir } = server;
    const pid = server.proc.child.pid as number;
    const inUse = new RegExp(
      `the PGlite database in ${join(dataDir, 'pglite')} is in use by openwx \\(pid ${pid}, since [^)]*\\); stop it first, or use DATABASE_URL`,
    );

    const migrate = await runCli(['migrate'], { OPENWX_DATA_DIR: dataDir });
    assert.equal(migrate.code, 1);
    assert.equal(migrate.output.trim().split('\n').length, 1, migrate.output);
    assert.match(migrate.output, inUse);

    const doctor = await runCli(['doctor'], { OPENWX_DATA_DIR: dataDir });
    assert.equal(doctor.code, 1);
    assert.match(doctor.output, /FAIL {2}database: cannot open the database: the PGlite database/);
    assert.match(doctor.output, inUse);

    const second = await runCli(['serve'], {
      OPENWX_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
    });
    assert.equal(second.code, 1);
    assert.match(second.output, inUse);

    // The server was not disturbed, and lets the directory go when it stops.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    await server.proc.stop();
    assert.ok(!existsSync(join(dataDir, 'pglite', 'openwx.lock')));
    const after = await runCli(['migrate'], { OPENWX_DATA_DIR: dataDir });
    assert.equal(after.code, 0, after.output);
    assert.match(after.output, /database is up to date/);
  });

  test('a lock left by a killed server is taken over', async () => {
    const server = await startServer();
    const { dataDir } = server;
    server.proc.child.kill('SIGKILL');
    await new Promise((resolve) => server.proc.child.once('exit', resolve));
    assert.ok(existsSync(join(dataDir, 'pglite', 'openwx.lock')), 'SIGKILL leaves the lock');
    const r = await runCli(['migrate'], { OPENWX_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /database is up to date/);
  });
});
