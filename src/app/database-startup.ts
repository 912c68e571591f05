import type { Logger } from '../core/metrics.ts';
import type { Db } from '../store/db.ts';
import { loadMigrations, migrate } from '../store/migrate.ts';

/**
 * Connecting to the database and migrating it at start, in the background: the HTTP server
 * listens first and answers /livez, /readyz and 503 not_ready everywhere else until this is done.
 * A failed attempt logs one line naming the setting (never the password) and is retried after
 * 0.5 s, 1 s, 2 s, ... up to 30 s.
 */
export interface NotReadyReason {
  code: 'starting' | 'database_unreachable' | 'migrations_pending' | 'migrations_failed';
  message: string;
  params: Record<string, unknown>;
}

export interface DatabaseStartupOptions {
  db: Db;
  /** The setting that names the database (`DATABASE_URL`), for /readyz. */
  setting: string;
  /** Its value without the password, for the log: `postgres://user:***@host:5432/db`. */
  value: string;
  log: Logger;
  /** Wait before the second attempt (default 500 ms); doubled after each failure. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** An attempt that takes longer counts as failed (default 15 s). */
  attemptTimeoutMs?: number;
  /** Already connected and migrated (a local database, opened before the server). */
  ready?: boolean;
}

export type DatabaseStartup = ReturnType<typeof createDatabaseStartup>;

/** The message of an error, or of the first of an AggregateError (both IPv6 and IPv4 refused). */
export function failureReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  const inner = (err as { errors?: unknown[] }).errors?.[0];
  if (inner instanceof Error && inner.message) return inner.message;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const latestMigration = () => loadMigrations().at(-1)?.version ?? '';

export function createDatabaseStartup(o: DatabaseStartupOptions) {
  const firstDelayMs = o.firstDelayMs ?? 500;
  const maxDelayMs = o.maxDelayMs ?? 30_000;
  const timeoutMs = o.attemptTimeoutMs ?? 15_000;
  const latest = latestMigration();
  let ready = o.ready ?? false;
  let reason: NotReadyReason = {
    code: 'starting',
    message: 'connecting to the database',
    params: { setting: o.setting },
  };
  let retryAt = 0;
  let stopped = false;
  let running: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let sleeper: NodeJS.Timeout | undefined;
  const waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  const fail = (code: NotReadyReason['code'], what: string, err: unknown, attempt: number) => {
    const delay = Math.min(firstDelayMs * 2 ** (attempt - 1), maxDelayMs);
    const seconds = Math.round(delay / 100) / 10;
    reason = {
      code,
      message: `${what} (${o.setting}): ${failureReason(err)}`,
      params: { setting: o.setting, attempts: attempt, retry_in_seconds: seconds },
    };
    retryAt = Date.now() + delay;
    o.log.warn(
      { err, attempt },
      `${what} (${o.setting}=${o.value}): ${failureReason(err)}; retrying in ${seconds} s`,
    );
    return delay;
  };

  /** One attempt; the wait before the next one, or undefined when the database is ready. */
  async function attempt(n: number): Promise<number | undefined> {
    try {
      await withTimeout(o.db.query('SELECT 1'), timeoutMs);
    } catch (err) {
      return fail('database_unreachable', 'database not reachable', err, n);
    }
    reason = {
      code: 'migrations_pending',
      message: 'applying database migrations',
      params: { setting: o.setting, latest },
    };
    try {
      // No time limit: a long migration is still progress (readiness says migrations_pending).
      const applied = await migrate(o.db);
      if (applied.length > 0) o.log.info({ applied }, 'database migrated');
    } catch (err) {
      return fail('migrations_failed', 'database migration failed', err, n);
    }
    return undefined;
  }

  async function loop(onReady: () => void): Promise<void> {
    for (let n = 1; !stopped; n++) {
      const delay = await attempt(n);
      if (stopped) return;
      if (delay === undefined) {
        ready = true;
        o.log.info({ database: `${o.setting}=${o.value}` }, 'database ready');
        onReady();
        for (const w of waiters.splice(0)) w.resolve();
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        sleeper = setTimeout(resolve, delay);
      });
    }
  }

  return {
    /** Connects and migrates in the background; `onReady` runs once it is done. */
    start(onReady: () => void): void {
      if (ready) return onReady();
      running ??= loop(onReady);
    },
    /** Ends the retries; waits for an attempt in flight. */
    async stop(): Promise<void> {
      stopped = true;
      if (sleeper) clearTimeout(sleeper);
      wake?.();
      await running;
      const err = new Error('stopped before the database was ready');
      for (const w of waiters.splice(0)) w.reject(err);
    },
    /** Resolves once the database is connected and migrated; rejects if stopped before. */
    whenReady(): Promise<void> {
      if (ready) return Promise.resolve();
      if (stopped) return Promise.reject(new Error('stopped before the database was ready'));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    isReady: () => ready,
    /** Why the start is not done yet, and when the next attempt is; undefined once ready. */
    starting(): { reason: NotReadyReason; retryAfterSeconds: number } | undefined {
      if (ready) return undefined;
      const wait = Math.ceil(Math.max(0, retryAt - Date.now()) / 1000);
      return { reason, retryAfterSeconds: Math.max(1, wait) };
    },
    /**
     * The readiness probe: not started yet, or the database unreachable now, or its schema
     * behind this version's migrations (one primary-key read of schema_migrations).
     */
    async check(): Promise<NotReadyReason | undefined> {
      if (!ready) return reason;
      try {
        const res = await withTimeout(
          o.db.query<{ v: string | null }>('SELECT max(version) AS v FROM schema_migrations'),
          5000,
        );
        const v = res.rows[0]?.v ?? '';
        if (v >= latest) return undefined;
        return {
          code: 'migrations_pending',
          message: `the database schema is at ${v || 'nothing'}, this version needs ${latest}: run openwx migrate or restart`,
          params: { setting: o.setting, current: v || null, latest },
        };
      } catch (err) {
        return {
          code: 'database_unreachable',
          message: `database not reachable (${o.setting}): ${failureReason(err)}`,
          params: { setting: o.setting },
        };
      }
    },
  };
}
