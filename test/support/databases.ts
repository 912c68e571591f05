import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteDb, postgresDb, type Db } from '../../src/store/db.ts';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';
import { LOCAL_POSTGRES_URL } from './suite-postgres.ts';

/**
 * Fresh databases for tests, cheaply: PGlite loads a dumped, migrated template (~1 s instead of
 * ~4 s), PostgreSQL creates each database from a migrated template database.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CACHE = join(ROOT, '.cache');

/** The suite's server (npm test sets DATABASE_URL, see suite-postgres.ts), else the local one. */
export const POSTGRES_URL = process.env['DATABASE_URL'] || LOCAL_POSTGRES_URL;

export function schemaHash(): string {
  const h = createHash('sha256');
  for (const m of loadMigrations()) h.update(m.version).update(m.sql);
  return h.digest('hex').slice(0, 12);
}

const templateFile = () => join(CACHE, `pglite-template-${schemaHash()}.tgz`);
const templateDbName = () => `openwx_tmpl_${schemaHash()}`;

export async function preparePgliteTemplate(): Promise<void> {
  const file = templateFile();
  if (existsSync(file)) return;
  mkdirSync(CACHE, { recursive: true });
  const pglite = await PGlite.create();
  await migrate(pgliteDb(pglite));
  const dump = await pglite.dumpDataDir('gzip');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
  await pglite.close();
}

export async function freshPglite(): Promise<Db> {
  await preparePgliteTemplate();
  const blob = new Blob([readFileSync(templateFile())]);
  const pglite = await PGlite.create({ loadDataDir: blob });
  return pgliteDb(pglite);
}

function urlWithDatabase(name: string): string {
  const u = new URL(POSTGRES_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

export async function preparePostgresTemplate(): Promise<void> {
  const name = templateDbName();
  const exists = await admin(
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount,
  );
  if (exists) return;
  const building = `${name}_build_${process.pid}`;
  await admin((c) => c.query(`CREATE DATABASE ${building}`));
  const db = postgresDb(urlWithDatabase(building), 1);
  await migrate(db);
  await db.close();
  await admin(async (c) => {
    try {
      await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } catch {
      await c.query(`DROP DATABASE IF EXISTS ${building}`);
    }
  });
}

export interface FreshPostgres {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

export async function freshPostgres(poolSize = 5): Promise<FreshPostgres> {
  await preparePostgresTemplate();
  const name = `openwx_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDbName()}`));
  const url = urlWithDatabase(name);
  const db = postgresDb(url, poolSize);
  return {
    db,
    url,
    async drop() {
      await db.close().catch(() => {});
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Runs `body` once per database kind; the PostgreSQL run uses a database of its own. */
export const DB_KINDS = ['pglite', 'postgres'] as const;

export async function withDb<T>(
  kind: (typeof DB_KINDS)[number],
  body: (db: Db) => Promise<T>,
): Promise<T> {
  if (kind === 'pglite') {
    const db = await freshPglite();
    try {
      return await body(db);
    } finally {
      await db.close();
    }
  }
  const pgDb = await freshPostgres();
  try {
    return await body(pgDb.db);
  } finally {
    await pgDb.drop();
  }
}
