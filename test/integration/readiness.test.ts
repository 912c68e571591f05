import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { createOpenwx, type Openwx } from '../../src/app/create.ts';
import { POSTGRES_URL } from '../support/databases.ts';
import { freePort } from '../support/processes.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * A start with the database away: the server listens at once, /livez answers, /readyz and every
 * other route say why they cannot serve yet, and the database is connected and migrated in the
 * background as soon as it is there.
 */
const PASSWORD = 'fake-db-password-42';

type Probe = {
  status: string;
  reason?: { code: string; message: string; params: Record<string, unknown> };
};

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { lines, logger, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

/** openwx in sandbox mode on DATABASE_URL, with short retries. */
async function start(databaseUrl: string, log: ReturnType<typeof captureLog>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-ready-'));
  const config = loadConfig({
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    OPENWX_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    OPENWX_EMULATOR_TICKET_INTERVAL: '0',
  });
  const openwx = await createOpenwx(config, {
    logger: log.logger,
    jobPollMs: 50,
    databaseRetry: { firstDelayMs: 100, maxDelayMs: 400 },
  });
  const url = await openwx.listen();
  return { openwx, url, config, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

const failedAttempts = (log: ReturnType<typeof captureLog>) =>
  log.lines.filter((l) => String(l['msg']).startsWith('database not reachable')).length;

describe('the database is unreachable at start', () => {
  const log = captureLog();
  let openwx: Openwx;
  let url: string;
  let cleanup: () => void;
  before(async () => {
    const closed = await freePort();
    ({ openwx, url, cleanup } = await start(
      `postgres://postgres:${PASSWORD}@127.0.0.1:${closed}/openwx`,
      log,
    ));
    await eventually(async () => failedAttempts(log) >= 2, 10_000, 'two failed attempts');
  });
  after(async () => {
    await openwx.stop();
    cleanup();
  });

  test('the process is alive, not ready, and says why', async () => {
    const live = await fetch(`${url}/livez`);
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { status: 'ok' });
    for (const path of ['/readyz', '/healthz']) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 503, path);
      const body = (await res.json()) as Probe;
      assert.equal(body.status, 'unavailable');
      assert.equal(body.reason?.code, 'database_unreachable');
      assert.match(
        body.reason?.message ?? '',
        /^database not reachable \(DATABASE_URL\): .*ECONNREFUSED/,
      );
      assert.equal(body.reason?.params['setting'], 'DATABASE_URL');
    }
    assert.equal(openwx.ready(), false);
  });

  test('a push from WeChat and the API answer 503 not_ready with Retry-After', async () => {
    const push = await fetch(`${url}/api/openwx/auth?timestamp=1&nonce=1`, {
      method: 'POST',
      body: '<xml/>',
      headers: { 'content-type': 'text/xml' },
    });
    assert.equal(push.status, 503);
    assert.match(push.headers.get('retry-after') ?? '', /^\d+$/);
    const body = (await push.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'not_ready');
    assert.match(body.error.message, /database is not ready.*\/readyz/);
    assert.equal((await fetch(`${url}/api/admin/status`)).status, 503);
    assert.equal((await fetch(`${url}/console`)).status, 503);
  });

  test('each failed attempt logs one line naming the setting, without the password', async () => {
    const line = log.lines.find((l) => String(l['msg']).startsWith('database not reachable'));
    assert.match(
      String(line?.['msg']),
      /^database not reachable \(DATABASE_URL=postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/openwx\): connect ECONNREFUSED [\d.:]+; retrying in [\d.]+ s$/,
    );
    assert.equal(line?.['level'], 40);
    const waits = log.lines
      .map((l) => /retrying in ([\d.]+) s$/.exec(String(l['msg']))?.[1])
      .filter((w) => w !== undefined)
      .map(Number);
    // Doubling from the first wait up to the longest (100 ms and 400 ms in this test).
    assert.deepEqual(waits.slice(0, 2), [0.1, 0.2]);
    assert.ok(
      waits.every((w) => w <= 0.4),
      `waits ${waits.join(', ')}`,
    );
    assert.ok(!log.text().includes(PASSWORD), 'the password is never logged');
    const readyz = await (await fetch(`${url}/readyz`)).text();
    assert.ok(!readyz.includes(PASSWORD));
  });

  test('stop ends the retries', async () => {
    await openwx.stop();
    const attempts = failedAttempts(log);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(failedAttempts(log), attempts, 'no attempt after stop');
  });
});

/** A TCP proxy in front of the real PostgreSQL, opened only when the test says so. */
function postgresProxy(port: number) {
  const target = new URL(POSTGRES_URL);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  return {
    async open() {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe('the database comes up after the start', () => {
  const log = captureLog();
  const name = `openwx_ready_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let proxy: ReturnType<typeof postgresProxy>;
  let openwx: Openwx;
  let url: string;
  let adminToken: string;
  let cleanup: () => void;
  before(async () => {
    // An empty database: the migrations run in the background once it is reachable.
    await admin(`CREATE DATABASE ${name}`);
    const port = await freePort();
    proxy = postgresProxy(port);
    const via = new URL(POSTGRES_URL);
    via.host = `127.0.0.1:${port}`;
    via.pathname = `/${name}`;
    const started = await start(via.toString(), log);
    ({ openwx, url, cleanup } = started);
    adminToken = started.config.adminToken;
  });
  after(async () => {
    await openwx.stop();
    await proxy.close();
    cleanup();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  test('not ready while it is away, then migrated, ready and serving', async () => {
    await eventually(async () => failedAttempts(log) >= 2, 10_000, 'two failed attempts');
    assert.equal((await fetch(`${url}/readyz`)).status, 503);
    const status = () =>
      fetch(`${url}/api/admin/status`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal((await status()).status, 503);

    await proxy.open();
    const probe = await eventually(
      async () => {
        const res = await fetch(`${url}/readyz`);
        return res.status === 200 && ((await res.json()) as Probe);
      },
      15_000,
      '/readyz 200',
    );
    assert.deepEqual(probe, { status: 'ok' });
    assert.equal(openwx.ready(), true);
    assert.ok(
      log.lines.some((l) => l['msg'] === 'database migrated'),
      'migrated at start',
    );

    const res = await status();
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { mode: string }).mode, 'sandbox');
    // The embedded emulator started with the rest: a ticket push lands and is stored.
    const pushed = await fetch(`${url}/emulator/control/push-ticket`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(pushed.status, 200);
    await eventually(
      async () => {
        const s = (await (await status()).json()) as { ticket: { receivedAt: string | null } };
        return s.ticket.receivedAt;
      },
      8000,
      'the ticket stored',
    );
  });

  test('/readyz turns 503 again when the database goes away', async () => {
    await proxy.close();
    const res = await eventually(
      async () => {
        const r = await fetch(`${url}/readyz`);
        return r.status === 503 && ((await r.json()) as Probe);
      },
      15_000,
      '/readyz 503',
    );
    assert.equal(res.reason?.code, 'database_unreachable');
    // Once started, the other routes are not held back: the live process keeps answering.
    assert.equal((await fetch(`${url}/livez`)).status, 200);
  });
});
