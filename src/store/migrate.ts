import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Queryable } from './db.ts';

/**
 * Forward-only SQL migrations from `migrations/NNNN_name.sql`, applied in order under an advisory
 * lock so that several instances starting at once apply them once.
 *
 * A migration runs in its own transaction, unless its first line is `-- migrate: no-transaction`:
 * then each statement commits on its own (what `CREATE INDEX CONCURRENTLY` needs, so that a large
 * table is indexed while pushes keep being written). Such a migration is recorded only after its
 * last statement, so a crash in the middle runs it again from the start: it must be written to be
 * run twice (e.g. `DROP INDEX CONCURRENTLY IF EXISTS x;` before `CREATE INDEX CONCURRENTLY x`, which
 * also clears an invalid index an interrupted build left behind).
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_ID = 7_265_431;
/** The longest a statement of a migration may take. */
export const MIGRATION_STATEMENT_TIMEOUT = '15min';
/** The first line that makes a migration run without a transaction. */
export const NO_TRANSACTION_MARKER = '-- migrate: no-transaction';

export interface Migration {
  version: string;
  sql: string;
}

export function loadMigrations(dir = DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

/** Whether the migration asks to run statement by statement, outside a transaction. */
export function isNoTransaction(sql: string): boolean {
  const first = sql.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return first.trim().toLowerCase() === NO_TRANSACTION_MARKER;
}

const CREATE_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())';

async function isApplied(q: Queryable, version: string): Promise<boolean> {
  await q.query(CREATE_TABLE);
  const seen = await q.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
  return seen.rowCount > 0;
}

async function record(q: Queryable, version: string): Promise<void> {
  await q.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
}

/** The longest an instance waits for another one's migrations (then its start-up attempt fails). */
const LOCK_WAIT_MS = 15 * 60_000;
const BUSY = Symbol('busy');

/**
 * Runs `attempt` until it gets the migration lock. The lock is only ever tried, never waited for
 * inside a statement: a waiting statement holds a snapshot, and CREATE INDEX CONCURRENTLY in the
 * instance that holds the lock waits for every older snapshot to go (a deadlock).
 */
async function whenLocked<T>(attempt: () => Promise<T | typeof BUSY>): Promise<T> {
  const started = Date.now();
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const out = await attempt();
    if (out !== BUSY) return out;
    if (Date.now() - started > LOCK_WAIT_MS)
      throw new Error('another instance has held the migration lock for more than 15 minutes');
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export async function migrate(db: Db, migrations = loadMigrations()): Promise<string[]> {
  const applied: string[] = [];
  for (const m of migrations) {
    const done = isNoTransaction(m.sql)
      ? await whenLocked(() => applyWithoutTransaction(db, m))
      : await whenLocked(() => applyInTransaction(db, m));
    if (done) applied.push(m.version);
  }
  return applied;
}

async function tryLock(q: Queryable, fn: 'pg_try_advisory_xact_lock' | 'pg_try_advisory_lock') {
  const res = await q.query<{ locked: boolean }>(`SELECT ${fn}($1) AS locked`, [LOCK_ID]);
  return res.rows[0]?.locked === true;
}

function applyInTransaction(db: Db, m: Migration): Promise<boolean | typeof BUSY> {
  return db.transaction(async (tx) => {
    // Longer than the connection's statement_timeout (10 s, see db.ts): a migration may rewrite
    // a large table.
    await tx.query(`SET LOCAL statement_timeout = '${MIGRATION_STATEMENT_TIMEOUT}'`);
    if (!(await tryLock(tx, 'pg_try_advisory_xact_lock'))) return BUSY;
    if (await isApplied(tx, m.version)) return false;
    for (const statement of splitStatements(m.sql)) await tx.query(statement);
    await record(tx, m.version);
    return true;
  });
}

/**
 * One connection, each statement in autocommit. The Db interface hands out a dedicated connection
 * only inside `transaction`, so the transaction it opens is committed at once (it holds nothing)
 * and a new one is begun at the end for the wrapper to commit. The advisory lock is then a session
 * lock, released explicitly (and by the server if the connection is lost), and the longer
 * statement_timeout is a session setting, reset before the connection goes back to the pool.
 */
function applyWithoutTransaction(db: Db, m: Migration): Promise<boolean | typeof BUSY> {
  return db.transaction(async (conn) => {
    await conn.query('COMMIT');
    try {
      if (!(await tryLock(conn, 'pg_try_advisory_lock'))) return BUSY;
      try {
        await conn.query(`SET statement_timeout = '${MIGRATION_STATEMENT_TIMEOUT}'`);
        if (await isApplied(conn, m.version)) return false;
        for (const statement of splitStatements(m.sql)) await conn.query(statement);
        await record(conn, m.version);
        return true;
      } finally {
        await conn.query('RESET statement_timeout');
        await conn.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
      }
    } finally {
      await conn.query('BEGIN');
    }
  });
}

/**
 * Splits a migration into statements at the semicolons that end them: a semicolon inside a
 * string ('it''s;', E'a\';'), a quoted identifier ("a;b"), a dollar-quoted body ($$ ... $$,
 * $fn$ ... $fn$, as in a PL/pgSQL function or DO block) or a comment (-- ...; /* ... *\/, which
 * nest) does not end one. Statements that hold only comments and blanks are dropped.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let onlyComments = true;
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    const text = sql.slice(start, end).trim();
    if (text.length > 0 && !onlyComments) out.push(text);
    start = end + 1;
    onlyComments = true;
  };
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (c === ';') {
      push(i);
      i++;
      continue;
    }
    if (!/\s/.test(c)) onlyComments = false;
    if (c === "'") {
      const prev = i > 0 ? (sql[i - 1] as string) : '';
      const escapes = /[eE]/.test(prev) && !/[\w$]/.test(i > 1 ? (sql[i - 2] as string) : '');
      i = endOfQuoted(sql, i, "'", escapes);
      continue;
    }
    if (c === '"') {
      i = endOfQuoted(sql, i, '"', false);
      continue;
    }
    if (c === '$') {
      // A dollar quote opens with $tag$ (tag: a letter or _ then letters, digits, _; or empty),
      // never right after an identifier character (x$1$ is part of a name) nor as $1 (a parameter).
      const prev = i > 0 ? (sql[i - 1] as string) : '';
      const m = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
      if (m && !/[\w$]/.test(prev)) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        i = close === -1 ? n : close + tag.length;
        continue;
      }
    }
    i++;
  }
  push(n);
  return out;
}

/** The index just past the quote that closes the one at `open` (doubled quotes stay inside). */
function endOfQuoted(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}
