import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { freshPostgres, type FreshPostgres } from '../support/databases.ts';
import { freePort, startCli, waitForHttp, type Proc } from '../support/processes.ts';
import { push, textMessageXml, type Push } from '../support/pushes.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * A real openwx process whose PostgreSQL goes away: reached through a TCP relay that the test can
 * cut (connections reset, new ones refused: a server stopped at once) or hold (nothing gets
 * through until released: a network that stalls). Pushes answer 5xx in time, the process lives
 * and it recovers by itself; WeChat's retries are stored once.
 */
const env = {
  OPENWX_COMPONENT_APPID: `wx${randomBytes(8).toString('hex')}`,
  OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
  OPENWX_COMPONENT_TOKEN: 'dbOutageToken',
  OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  OPENWX_ADMIN_TOKEN: randomBytes(16).toString('hex'),
  OPENWX_MASTER_KEY: randomBytes(32).toString('hex'),
};
const config = loadConfig({
  ...env,
  OPENWX_PUBLIC_URL: 'https://openwx.example.com',
  OPENWX_DATA_DIR: tmpdir(),
});
const APPID = 'wx00000000000000dc';

interface Relay {
  port: number;
  /** Resets every connection and refuses new ones until restored. */
  cut(): void;
  /** Passes nothing either way (new connections included) until restored. */
  hold(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startRelay(host: string, port: number): Promise<Relay> {
  let mode: 'open' | 'cut' | 'held' = 'open';
  const pairs = new Set<{ sockets: Socket[]; flush: () => void }>();
  const server: Server = createServer((client) => {
    if (mode === 'cut') return void client.destroy();
    const upstream = connect(port, host);
    const queued: [Socket, Buffer][] = [];
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (d: Buffer) => (mode === 'held' ? queued.push([to, d]) : to.write(d)));
    forward(client, upstream);
    forward(upstream, client);
    const pair = {
      sockets: [client, upstream],
      flush: () => {
        for (const [to, d] of queued.splice(0)) to.write(d);
      },
    };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair.sockets) s.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      mode = 'cut';
      for (const p of pairs) for (const s of p.sockets) s.resetAndDestroy();
    },
    hold() {
      mode = 'held';
    },
    restore() {
      mode = 'open';
      for (const p of pairs) p.flush();
    },
    async close() {
      for (const p of pairs) for (const s of p.sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let db: FreshPostgres;
let relay: Relay;
let proc: Proc;
let base = '';
const dataDir = mkdtempSync(join(tmpdir(), 'openwx-db-outage-'));
let nextMsgId = 7_200_000_000_000_000_000n;

before(async () => {
  db = await freshPostgres(1);
  const direct = new URL(db.url);
  relay = await startRelay(direct.hostname, Number(direct.port || 5432));
  const relayed = new URL(db.url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(relay.port);
  const [port, nowhere] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  proc = startCli(['serve'], {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENWX_PUBLIC_URL: `http://localhost:${port}`,
    OPENWX_WECHAT_API_BASE: `http://127.0.0.1:${nowhere}`,
    DATABASE_URL: relayed.toString(),
    OPENWX_LOG_LEVEL: 'warn',
    OPENWX_DATA_DIR: dataDir,
  });
  await waitForHttp(`${base}/readyz`, 60_000);
});

after(async () => {
  await proc?.stop();
  await relay?.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Outcome = { status: number; body: string } | { error: string };

/** Posts a push and gives up on the answer after 8 s (WeChat itself waits 5 s). */
async function send(url: string, p: Push): Promise<Outcome> {
  try {
    const res = await fetch(`${url}?${p.query}`, {
      method: 'POST',
      body: p.body,
      headers: { 'content-type': 'text/xml' },
      signal: AbortSignal.timeout(8000),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { error: String((err as { cause?: unknown }).cause ?? err) };
  }
}

const isSuccess = (o: Outcome) => 'status' in o && o.status === 200 && o.body === 'success';

/** A message and an authorization event (stored in a transaction), each with a key of its own. */
function pushes() {
  const msgId = String(nextMsgId++);
  const appid = `wx${randomBytes(8).toString('hex')}`;
  const unauthorized = `<xml><AppId><![CDATA[${config.component.appid}]]></AppId><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[${appid}]]></AuthorizerAppid></xml>`;
  return [
    {
      key: msgId,
      url: `${base}/api/openwx/callback/${APPID}`,
      push: push(config, textMessageXml(msgId)),
    },
    { key: appid, url: `${base}/api/openwx/auth`, push: push(config, unauthorized) },
  ];
}

async function storedCount(key: string): Promise<number> {
  const res = await db.db.query(
    "SELECT 1 FROM events WHERE coalesce(decoded->>'MsgId', decoded->>'AuthorizerAppid') = $1",
    [key],
  );
  return res.rowCount;
}

/** Pushes during the outage answer 5xx; after `restore` new pushes and the retries succeed. */
async function outage(start: () => void) {
  const during = [...pushes(), ...pushes()];
  start();
  let answers: Outcome[];
  try {
    answers = await Promise.all(during.map((p) => send(p.url, p.push)));
  } finally {
    relay.restore();
  }
  for (const a of answers) {
    assert.ok('status' in a, `no answer: ${JSON.stringify(a)}`);
    assert.ok(a.status >= 500, `${a.status} ${a.body}`);
  }
  await eventually(
    async () => {
      const ok = await Promise.all(pushes().map((p) => send(p.url, p.push)));
      return ok.every(isSuccess);
    },
    30_000,
    'pushes stored after the outage',
  );
  for (const p of during) {
    assert.ok(isSuccess(await send(p.url, p.push)), `WeChat's retry of ${p.key}`);
    assert.equal(await storedCount(p.key), 1, `${p.key} stored once`);
  }
  assert.equal(proc.child.exitCode, null, `openwx exited:\n${proc.output().slice(-3000)}`);
}

test('the database server goes away at once (connections reset, new ones refused) and comes back', async () => {
  await outage(() => relay.cut());
});

test('the network to the database stalls (nothing gets through) and comes back', async () => {
  await outage(() => relay.hold());
});
