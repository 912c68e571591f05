import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { lockPgliteDir } from './pglite-lock.ts';
import { makePrivateDir, restrictTree } from './private-files.ts';

/**
 * One small interface over embedded PGlite and a real PostgreSQL. Same SQL on both.
 * `query` takes $1-style parameters; `transaction` runs a function on one connection.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export function pgliteDb(pglite: PGlite): Db {
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const res = await q.query<T>(sql, params as unknown[]);
      // PGlite reports affectedRows only for writes; a SELECT's count is its rows.
      return { rows: res.rows, rowCount: res.rows.length || (res.affectedRows ?? 0) };
    },
  });
  const base = wrap(pglite);
  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    close: () => pglite.close(),
  };
}

/**
 * PGlite in a directory (or in memory without one). A directory is locked for this process while
 * the Db is open (see pglite-lock.ts): another openwx on it is refused with DatabaseInUseError.
 */
export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Db> {
  if (!dataDir) return pgliteDb(await PGlite.create(dataDir, loadDataDir ? { loadDataDir } : {}));
  makePrivateDir(dataDir);
  const lock = lockPgliteDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir, loadDataDir ? { loadDataDir } : {});
    restrictTree(dataDir);
  } catch (err) {
    lock.release();
    throw err;
  }
  const db = pgliteDb(pglite);
  return {
    ...db,
    close: async () => {
      try {
        await db.close();
        restrictTree(dataDir);
      } finally {
        lock.release();
      }
    },
  };
}

/** BIGINT (int8) as a JS number, as PGlite returns it, so both drivers give the same rows. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** `onError`: an idle client lost its connection (reported, and never crashes the process). */
export function postgresDb(
  connectionString: string,
  max = 10,
  onError: (err: Error) => void = () => {},
): Db {
  const pool = new pg.Pool({ connectionString, max, types: pgTypes });
  pool.on('error', onError);
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const res = await c.query(sql, params as unknown[]);
      return { rows: res.rows as T[], rowCount: res.rowCount ?? 0 };
    },
  });
  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: base.query,
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client has no listener of the pool's: a connection lost mid-transaction
      // would be an unhandled 'error' event and end the process. It fails this transaction
      // instead, and the broken client is discarded rather than returned to the pool.
      let lost: Error | undefined;
      const onLost = (err: Error) => {
        lost = err;
        onError(err);
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        if (!lost) await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.off('error', onLost);
        client.release(lost);
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}
