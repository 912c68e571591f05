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

/**
 * Time limits on PostgreSQL, for a server that must answer WeChat within 5 s (and a push route
 * that gives up at 3 s, see http/routes/callbacks.ts):
 * - `connectMs` 3 s: opening a connection, and also the longest wait for a free one from the
 *   pool. A database that does not answer fails the request instead of holding it.
 * - `statementMs` 10 s (`statement_timeout`): no query of openwx's takes near that long; one that
 *   waits on a lock or a frozen server is cancelled, so its connection comes back to the pool
 *   and the work is retried (WeChat's retry, the job queue, the webhook loop). Migrations take
 *   a longer limit of their own (store/migrate.ts).
 * - `idleInTransactionMs` 60 s (`idle_in_transaction_session_timeout`): openwx never waits on
 *   anything slow inside a transaction; a session that does (a stuck process) is ended by the
 *   server so that its locks are released.
 * - TCP keep-alive after 10 s idle, so that a connection to a vanished server is noticed.
 * `statement_timeout` and `idle_in_transaction_session_timeout` given in DATABASE_URL's query
 * (`?statement_timeout=30000`, in ms) take precedence.
 */
export const POSTGRES_TIMEOUTS = {
  connectMs: 3_000,
  statementMs: 10_000,
  idleInTransactionMs: 60_000,
  keepAliveMs: 10_000,
} as const;

/**
 * `onError`: a connection was lost (an idle one, or one inside a transaction, which then fails);
 * reported, and never crashes the process.
 */
export function postgresDb(
  connectionString: string,
  max = 10,
  onError: (err: Error) => void = () => {},
): Db {
  const t = POSTGRES_TIMEOUTS;
  const pool = new pg.Pool({
    connectionString,
    max,
    types: pgTypes,
    connectionTimeoutMillis: t.connectMs,
    statement_timeout: t.statementMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: t.keepAliveMs,
  });
  // The pool adds the whole client (its state, buffers and settings) to an idle client's error:
  // reported without it, or every lost connection logs kilobytes.
  const report = (err: Error) => {
    delete (err as Error & { client?: unknown }).client;
    onError(err);
  };
  pool.on('error', report);
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
        report(err);
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
