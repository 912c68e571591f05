import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { postgresDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { freshPostgres, type FreshPostgres } from '../support/databases.ts';

/**
 * PostgreSQL connections have time limits: a server that does not answer, a pool with no free
 * connection and a statement that runs too long each fail instead of holding a request; migrations
 * may take longer than other statements.
 */
let pg: FreshPostgres;
before(async () => {
  pg = await freshPostgres(1);
});
after(async () => {
  await pg?.drop();
});

/** The outcome of `p`, or 'still waiting' after `ms` (far beyond the limits under test). */
async function settled<T>(p: Promise<T>, ms = 8000): Promise<T | Error | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ms);
  });
  try {
    return await Promise.race([p.catch((err: unknown) => err as Error), wait]);
  } finally {
    clearTimeout(timer);
  }
}

const withSetting = (url: string, key: string, value: string) => {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.toString();
};

test('a server that accepts connections and never answers: the query fails instead of waiting', async () => {
  const sockets = new Set<Socket>();
  const silent: Server = createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  const db = postgresDb(`postgres://openwx@127.0.0.1:${port}/openwx`, 1);
  try {
    const out = await settled(db.query('SELECT 1'));
    assert.ok(out instanceof Error, `expected an error, got ${String(out)}`);
    assert.match(out.message, /timeout/i);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    await db.close().catch(() => {});
  }
});

test('every connection of the pool held: the next query fails instead of waiting', async () => {
  const db = postgresDb(pg.url, 1);
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let started = () => {};
  const holding = new Promise<void>((resolve) => (started = resolve));
  const holder = db.transaction(async (tx) => {
    await tx.query('SELECT 1');
    started();
    await held;
  });
  try {
    await holding;
    const out = await settled(db.query('SELECT 1'));
    assert.ok(out instanceof Error, `expected an error, got ${JSON.stringify(out)}`);
    assert.match(out.message, /timeout/i);
  } finally {
    release();
    await holder;
  }
  // The pool serves again once the connection is back.
  assert.equal((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1);
  await db.close();
});

test('connections carry a statement timeout and an idle-in-transaction timeout', async () => {
  const show = async (db: Db, name: string) =>
    (await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name];
  assert.equal(await show(pg.db, 'statement_timeout'), '10s');
  assert.equal(await show(pg.db, 'idle_in_transaction_session_timeout'), '1min');
});

test('a statement longer than the timeout is cancelled, and DATABASE_URL can set the timeout', async () => {
  const db = postgresDb(withSetting(pg.url, 'statement_timeout', '200'), 1);
  try {
    const out = await settled(db.query('SELECT pg_sleep(5)'));
    assert.ok(out instanceof Error, `expected an error, got ${JSON.stringify(out)}`);
    assert.equal((out as Error & { code?: string }).code, '57014', out.message); // query_canceled
    assert.equal((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1);
  } finally {
    await db.close();
  }
});

test('migrations may run longer than the statement timeout', async () => {
  const db = postgresDb(withSetting(pg.url, 'statement_timeout', '200'), 1);
  try {
    const applied = await migrate(db, [{ version: '9999_slow', sql: 'SELECT pg_sleep(0.6);' }]);
    assert.deepEqual(applied, ['9999_slow']);
  } finally {
    await db.close();
  }
});
