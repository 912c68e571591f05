import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { pgliteDb } from '../../src/store/db.ts';
import {
  isNoTransaction,
  loadMigrations,
  migrate,
  splitStatements,
} from '../../src/store/migrate.ts';

/** The migrator: how a migration file is cut into statements, and how it is applied. */

describe('splitStatements', () => {
  test('cuts at the semicolons that end statements, wherever they sit on the line', () => {
    assert.deepEqual(splitStatements('SELECT 1; SELECT 2;\nSELECT 3'), [
      'SELECT 1',
      'SELECT 2',
      'SELECT 3',
    ]);
  });

  test('a PL/pgSQL body between $$ or $tag$ stays one statement', () => {
    const fn = `CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.n := NEW.n + 1;
  RETURN NEW;
END;
$$`;
    const tagged = `DO $body$ BEGIN PERFORM 1; RAISE NOTICE 'a $$ inside; %', 1; END $body$`;
    assert.deepEqual(splitStatements(`${fn};\n${tagged};\nSELECT 2;`), [fn, tagged, 'SELECT 2']);
  });

  test('semicolons in strings, escaped strings and quoted identifiers do not cut', () => {
    const sql = `INSERT INTO t (a, "b;c") VALUES ('it''s; fine', E'a\\'; b', 'x"y;');SELECT '$$;'`;
    assert.deepEqual(splitStatements(sql), [
      `INSERT INTO t (a, "b;c") VALUES ('it''s; fine', E'a\\'; b', 'x"y;')`,
      `SELECT '$$;'`,
    ]);
  });

  test('semicolons in comments do not cut; statements of comments only are dropped', () => {
    const sql = `-- first; not a statement
SELECT 1 /* a; /* nested; */ still; */ + 1; -- trailing; comment
-- only a comment;
/* and; this */;
SELECT 2`;
    const out = splitStatements(sql);
    assert.equal(out.length, 2, JSON.stringify(out));
    assert.match(out[0] as string, /^-- first; not a statement\nSELECT 1 \/\* a;/);
    assert.match(out[1] as string, /SELECT 2$/);
  });

  test('$1 parameters and names with $ are not dollar quotes', () => {
    assert.deepEqual(splitStatements('SELECT $1; SELECT a$b$ FROM t; SELECT 2'), [
      'SELECT $1',
      'SELECT a$b$ FROM t',
      'SELECT 2',
    ]);
  });

  test('every migration of openwx splits and applies on PGlite', async () => {
    const migrations = loadMigrations();
    for (const m of migrations) assert.ok(splitStatements(m.sql).length > 0, m.version);
    const db = pgliteDb(await PGlite.create());
    try {
      const applied = await migrate(db, migrations);
      assert.deepEqual(
        applied,
        migrations.map((m) => m.version),
      );
      assert.deepEqual(await migrate(db, migrations), [], 'a second run applies nothing');
    } finally {
      await db.close();
    }
  });
});

describe('migrations without a transaction', () => {
  test('the marker is the first line only', () => {
    assert.equal(isNoTransaction('-- migrate: no-transaction\nCREATE INDEX ...'), true);
    assert.equal(isNoTransaction('  -- Migrate: No-Transaction  \r\nSELECT 1'), true);
    assert.equal(isNoTransaction('-- indexes\n-- migrate: no-transaction\nSELECT 1'), false);
    assert.equal(isNoTransaction('SELECT 1'), false);
  });

  test('on PGlite: CREATE INDEX CONCURRENTLY and a function body apply, once', async () => {
    const db = pgliteDb(await PGlite.create());
    try {
      const migrations = [
        { version: '0001_t', sql: 'CREATE TABLE t (id INT PRIMARY KEY, n INT NOT NULL);' },
        {
          version: '0002_idx',
          sql: `-- migrate: no-transaction
DROP INDEX CONCURRENTLY IF EXISTS t_n_idx;
CREATE INDEX CONCURRENTLY t_n_idx ON t (n);
CREATE FUNCTION t_double(x INT) RETURNS INT LANGUAGE plpgsql AS $$
BEGIN
  RETURN x * 2;
END;
$$;`,
        },
      ];
      assert.deepEqual(await migrate(db, migrations), ['0001_t', '0002_idx']);
      assert.deepEqual(await migrate(db, migrations), []);
      const idx = await db.query("SELECT 1 FROM pg_indexes WHERE indexname = 't_n_idx'");
      assert.equal(idx.rowCount, 1, 'the index exists');
      const fn = await db.query<{ v: number }>('SELECT t_double(21) AS v');
      assert.equal(fn.rows[0]?.v, 42);
      // The connection is usable afterwards, in and out of transactions.
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id, n) VALUES (1, 1)');
      });
      assert.equal((await db.query('SELECT 1 FROM t')).rowCount, 1);
    } finally {
      await db.close();
    }
  });

  test('a failing statement leaves the migration unrecorded, and it runs again', async () => {
    const db = pgliteDb(await PGlite.create());
    try {
      await migrate(db, [{ version: '0001_t', sql: 'CREATE TABLE t (n INT);' }]);
      const broken = {
        version: '0002_idx',
        sql: `-- migrate: no-transaction
DROP INDEX CONCURRENTLY IF EXISTS t_n_idx;
CREATE INDEX CONCURRENTLY t_n_idx ON t (n);
SELECT no_such_function();`,
      };
      await assert.rejects(migrate(db, [broken]), /no_such_function/);
      const seen = await db.query("SELECT 1 FROM schema_migrations WHERE version = '0002_idx'");
      assert.equal(seen.rowCount, 0, 'not recorded');
      const fixed = { ...broken, sql: broken.sql.replace('SELECT no_such_function();', '') };
      assert.deepEqual(await migrate(db, [fixed]), ['0002_idx']);
    } finally {
      await db.close();
    }
  });
});
