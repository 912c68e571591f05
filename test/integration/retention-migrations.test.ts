import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDb } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { freshPostgres, type FreshPostgres } from '../support/databases.ts';

/**
 * Migrations marked `-- migrate: no-transaction` on a real PostgreSQL: CREATE INDEX CONCURRENTLY
 * runs (it cannot inside a transaction), PL/pgSQL bodies apply whole, several instances starting
 * at once apply the migration once, and the connection is left as it was.
 */
let pg: FreshPostgres;
before(async () => {
  pg = await freshPostgres(1);
});
after(async () => {
  await pg?.drop();
});

const indexMigration = (version: string, table: string) => ({
  version,
  sql: `-- migrate: no-transaction
-- an index built while the table stays writable
DROP INDEX CONCURRENTLY IF EXISTS ${table}_n_idx;
CREATE INDEX CONCURRENTLY ${table}_n_idx ON ${table} (n);
CREATE OR REPLACE FUNCTION ${table}_total() RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE s BIGINT;
BEGIN
  SELECT sum(n) INTO s FROM ${table};
  RETURN s;
END;
$$;`,
});

test('CREATE INDEX CONCURRENTLY and a PL/pgSQL function apply on PostgreSQL, and only once', async () => {
  await pg.db.query('CREATE TABLE mt_a (id SERIAL PRIMARY KEY, n INT NOT NULL)');
  await pg.db.query('INSERT INTO mt_a (n) SELECT g FROM generate_series(1, 1000) g');
  const m = indexMigration('9101_mt_a', 'mt_a');
  assert.deepEqual(await migrate(pg.db, [m]), ['9101_mt_a']);
  assert.deepEqual(await migrate(pg.db, [m]), [], 'recorded: a second run applies nothing');

  const idx = await pg.db.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relname = 'mt_a_n_idx'`,
  );
  assert.deepEqual(idx.rows, [{ valid: true }], 'the index is there and valid');
  const total = await pg.db.query<{ s: number }>('SELECT mt_a_total() AS s');
  assert.equal(total.rows[0]?.s, 500500);
});

test('the connection goes back to the pool with its own statement timeout, outside a transaction', async () => {
  await pg.db.query('CREATE TABLE mt_b (n INT)');
  await migrate(pg.db, [indexMigration('9102_mt_b', 'mt_b')]);
  // The pool has one connection: the one the migration used.
  const t = await pg.db.query<{ statement_timeout: string }>('SHOW statement_timeout');
  assert.equal(t.rows[0]?.statement_timeout, '10s');
  const locks = await pg.db.query(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
  );
  assert.equal(locks.rowCount, 0, 'the migration lock is released');
  // In autocommit every statement is a transaction of its own (none is left open).
  const xid = async () =>
    (await pg.db.query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0]?.x;
  assert.notEqual(await xid(), await xid());
});

test('three instances migrating at once apply a no-transaction migration once', async () => {
  await pg.db.query('CREATE TABLE mt_c (n INT)');
  await pg.db.query('INSERT INTO mt_c SELECT g FROM generate_series(1, 20000) g');
  const pools = [postgresDb(pg.url, 2), postgresDb(pg.url, 2), postgresDb(pg.url, 2)];
  try {
    const m = indexMigration('9103_mt_c', 'mt_c');
    const results = await Promise.all(pools.map((db) => migrate(db, [m])));
    assert.deepEqual(results.flat(), ['9103_mt_c'], 'one instance applied it');
    const rows = await pg.db.query("SELECT 1 FROM schema_migrations WHERE version = '9103_mt_c'");
    assert.equal(rows.rowCount, 1);
  } finally {
    await Promise.all(pools.map((db) => db.close()));
  }
});

test('a no-transaction migration that fails half way is not recorded, and the next start finishes it', async () => {
  await pg.db.query('CREATE TABLE mt_d (n INT)');
  const m = indexMigration('9104_mt_d', 'mt_d');
  const broken = { ...m, sql: `${m.sql}\nSELECT no_such_function();` };
  await assert.rejects(migrate(pg.db, [broken]), /no_such_function/);
  const seen = await pg.db.query("SELECT 1 FROM schema_migrations WHERE version = '9104_mt_d'");
  assert.equal(seen.rowCount, 0);
  assert.deepEqual(await migrate(pg.db, [m]), ['9104_mt_d'], 'run again from the start');
  const t = await pg.db.query<{ statement_timeout: string }>('SHOW statement_timeout');
  assert.equal(t.rows[0]?.statement_timeout, '10s', 'the failure left no session setting behind');
});

test("openwx's own indexes for the job claim and for pruning are there and valid", async () => {
  const res = await pg.db.query<{ name: string; valid: boolean }>(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relname IN ('jobs_unfinished_idx', 'jobs_finished_idx', 'webhook_deliveries_event_idx')
     ORDER BY 1`,
  );
  assert.deepEqual(res.rows, [
    { name: 'jobs_finished_idx', valid: true },
    { name: 'jobs_unfinished_idx', valid: true },
    { name: 'webhook_deliveries_event_idx', valid: true },
  ]);
});
