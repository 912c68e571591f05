import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { freshPostgres, POSTGRES_URL, type FreshPostgres } from '../support/databases.ts';
import { freePort, startCli, waitForHttp, type Proc } from '../support/processes.ts';
import { push, textMessageXml, type Push } from '../support/pushes.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * A real openwx process on a real PostgreSQL that misbehaves: backends terminated under a push
 * load, and a table locked so that no push can be stored. The process must live, never answer
 * `success` for a push it did not store, answer 5xx in time so that WeChat retries, and recover
 * by itself.
 */
const env = {
  OPENWX_COMPONENT_APPID: `wx${randomBytes(8).toString('hex')}`,
  OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
  OPENWX_COMPONENT_TOKEN: 'dbFaultsToken',
  OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  OPENWX_ADMIN_TOKEN: randomBytes(16).toString('hex'),
  OPENWX_MASTER_KEY: randomBytes(32).toString('hex'),
};
const config = loadConfig({
  ...env,
  OPENWX_PUBLIC_URL: 'https://openwx.example.com',
  OPENWX_DATA_DIR: tmpdir(),
});
const APPID = 'wx00000000000000db';

let db: FreshPostgres;
let proc: Proc;
let base = '';
let admin: pg.Client;
const dataDir = mkdtempSync(join(tmpdir(), 'openwx-db-faults-'));
let nextMsgId = 7_100_000_000_000_000_000n;
const newMsgId = () => String(nextMsgId++);

before(async () => {
  db = await freshPostgres(1);
  // The API base answers nothing: these tests need no WeChat call.
  const [port, nowhere] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  proc = startCli(['serve'], {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENWX_PUBLIC_URL: `http://localhost:${port}`,
    OPENWX_WECHAT_API_BASE: `http://127.0.0.1:${nowhere}`,
    DATABASE_URL: db.url,
    OPENWX_LOG_LEVEL: 'warn',
    OPENWX_DATA_DIR: dataDir,
  });
  await waitForHttp(`${base}/readyz`, 60_000);
  admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
});

after(async () => {
  await admin?.end().catch(() => {});
  await proc?.stop();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const databaseName = () => new URL(db.url).pathname.slice(1);

/** Ends every connection openwx holds to its database; returns how many there were. */
async function terminateBackends(): Promise<number> {
  const res = await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [databaseName()],
  );
  return res.rowCount ?? 0;
}

/**
 * Each push carries a key of its own: a message its MsgId, an authorization event (stored in a
 * transaction, with what it causes) its AuthorizerAppid. Key → how many events hold it.
 */
async function storedKeys(): Promise<Map<string, number>> {
  const res = await db.db.query<{ key: string; n: number }>(
    "SELECT coalesce(decoded->>'MsgId', decoded->>'AuthorizerAppid') AS key, count(*)::int AS n FROM events GROUP BY 1",
  );
  return new Map(res.rows.map((r) => [r.key, r.n]));
}

const unauthorizedXml = (appid: string) =>
  `<xml><AppId><![CDATA[${config.component.appid}]]></AppId><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[${appid}]]></AuthorizerAppid></xml>`;

const authorizedXml = (appid: string) =>
  `<xml><AppId><![CDATA[${config.component.appid}]]></AppId><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><InfoType><![CDATA[authorized]]></InfoType><AuthorizerAppid><![CDATA[${appid}]]></AuthorizerAppid><AuthorizationCode><![CDATA[queryauthcode@@@fake]]></AuthorizationCode></xml>`;

/** The n-th push of a load: messages and authorization events in turn. */
function loadPush(n: number): { key: string; url: string; push: Push } {
  if (n % 2 === 0) {
    const msgId = newMsgId();
    return {
      key: msgId,
      url: `${base}/api/openwx/callback/${APPID}`,
      push: push(config, textMessageXml(msgId, `load ${msgId}`)),
    };
  }
  const appid = `wx${randomBytes(8).toString('hex')}`;
  return { key: appid, url: `${base}/api/openwx/auth`, push: push(config, unauthorizedXml(appid)) };
}

type Outcome = { status: number; body: string } | { error: string };

/** Posts a push; gives up on the answer after `ms` (WeChat itself waits 5 s). */
async function send(url: string, p: Push, ms = 60_000): Promise<Outcome> {
  try {
    const res = await fetch(`${url}?${p.query}`, {
      method: 'POST',
      body: p.body,
      headers: { 'content-type': 'text/xml' },
      signal: AbortSignal.timeout(ms),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { error: String((err as { cause?: unknown }).cause ?? err) };
  }
}

const isSuccess = (o: Outcome) => 'status' in o && o.status === 200 && o.body === 'success';

test('backends terminated under a push load: the process lives, every acknowledged push is stored once, failures are 5xx, and it recovers', async () => {
  const outcomes = new Map<string, Outcome>();
  let successes = 0;
  let sent = 0;
  let running = true;
  const pusher = async () => {
    while (running) {
      const { key, url, push: p } = loadPush(sent++);
      const out = await send(url, p);
      outcomes.set(key, out);
      if (isSuccess(out)) successes++;
      if ('error' in out) return; // the process is gone: no point hammering it
    }
  };
  const pushers = Array.from({ length: 8 }, () => pusher());
  const moreSuccesses = async (n: number, what: string) => {
    const target = successes + n;
    await eventually(async () => successes >= target || proc.child.exitCode !== null, 60_000, what);
  };

  let terminated = 0;
  for (let round = 1; round <= 8 && proc.child.exitCode === null; round++) {
    await moreSuccesses(20, `pushes stored before termination ${round}`);
    terminated += await terminateBackends();
  }
  // No more terminations: the process finds its database again without a restart.
  if (proc.child.exitCode === null) await moreSuccesses(30, 'pushes stored after the terminations');
  running = false;
  await Promise.all(pushers);

  assert.equal(proc.child.exitCode, null, `openwx exited:\n${proc.output().slice(-3000)}`);
  assert.ok(terminated > 0, 'backends were terminated');
  // Each lost connection is one short log line, not the driver's whole client object.
  assert.match(proc.output(), /a database connection was lost/);
  assert.doesNotMatch(proc.output(), /connectionParameters/);
  const stored = await storedKeys();
  const acknowledged = [...outcomes].filter(([, o]) => isSuccess(o)).map(([k]) => k);
  for (const [key, o] of outcomes)
    if (!isSuccess(o))
      assert.ok('status' in o && o.status >= 500, `push ${key}: ${JSON.stringify(o)}`);
  const lost = acknowledged.filter((key) => !stored.has(key));
  assert.deepEqual(lost, [], 'acknowledged pushes that were not stored');
  for (const [key, n] of stored) assert.equal(n, 1, `${key} stored ${n} times`);
  assert.ok(acknowledged.length >= 190, `${acknowledged.length} pushes acknowledged`);

  // The job queue's loop lives on too: an authorization push queues a code exchange, which is
  // taken up (and fails: no WeChat answers here).
  const authorizer = `wx${randomBytes(8).toString('hex')}`;
  const authorized = push(config, authorizedXml(authorizer));
  assert.ok(isSuccess(await send(`${base}/api/openwx/auth`, authorized)));
  await eventually(
    async () => {
      const res = await db.db.query<{ attempts: number }>(
        "SELECT attempts FROM jobs WHERE payload->>'appid' = $1",
        [authorizer],
      );
      return (res.rows[0]?.attempts ?? 0) > 0;
    },
    30_000,
    'the code exchange job taken up',
  );
});

test('events locked: pushes answer 5xx before WeChat gives up, and its retry after the release is stored once', async () => {
  // Another session holds the events table: nothing can be stored until it lets go.
  const locker = new pg.Client({ connectionString: db.url });
  await locker.connect();
  const msgId = newMsgId();
  const message = push(config, textMessageXml(msgId, 'during a freeze'));
  const appid = `wx${randomBytes(8).toString('hex')}`;
  const authEvent = push(config, unauthorizedXml(appid));
  let answers: Outcome[];
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    // A generous client-side limit: without a deadline the answer only comes after the release.
    answers = await Promise.all([
      send(`${base}/api/openwx/callback/${APPID}`, message, 8000),
      send(`${base}/api/openwx/auth`, authEvent, 8000),
    ]);
  } finally {
    await locker.query('ROLLBACK').catch(() => {});
    await locker.end();
  }
  for (const a of answers) {
    assert.ok('status' in a, `no answer: ${JSON.stringify(a)}`);
    assert.equal(a.status, 503, a.body);
    assert.match(a.body, /could not be stored/);
  }

  // Released: new pushes are stored again, without a restart.
  await eventually(
    async () => {
      const id = newMsgId();
      return isSuccess(
        await send(`${base}/api/openwx/callback/${APPID}`, push(config, textMessageXml(id))),
      );
    },
    30_000,
    'a push stored after the release',
  );
  // WeChat retries the same bytes; each ends up stored exactly once.
  assert.ok(isSuccess(await send(`${base}/api/openwx/callback/${APPID}`, message)));
  assert.ok(isSuccess(await send(`${base}/api/openwx/auth`, authEvent)));
  const stored = await storedKeys();
  assert.equal(stored.get(msgId), 1);
  assert.equal(stored.get(appid), 1);
  assert.equal(proc.child.exitCode, null);
});
