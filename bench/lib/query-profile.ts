import type { Db, Queryable } from '../../src/store/db.ts';
import { num, table } from './format.ts';

/**
 * A Db that times every statement (wall time from the caller's side, waits for a pool
 * connection or a row lock included), grouped by the statement's text with whitespace folded.
 * For `--profile`: which query dominates.
 */
export interface QueryProfile {
  db: Db;
  reset(): void;
  top(n: number): Array<{ sql: string; calls: number; totalMs: number; meanMs: number }>;
}

export function profiledDb(inner: Db): QueryProfile {
  const stats = new Map<string, { calls: number; totalMs: number }>();
  const timed = (q: Queryable): Queryable['query'] =>
    (async (sql: string, params?: readonly unknown[]) => {
      const t0 = performance.now();
      try {
        return await q.query(sql, params);
      } finally {
        const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
        const s = stats.get(key) ?? { calls: 0, totalMs: 0 };
        s.calls++;
        s.totalMs += performance.now() - t0;
        stats.set(key, s);
      }
    }) as Queryable['query'];
  const db: Db = {
    kind: inner.kind,
    query: timed(inner),
    transaction: (fn) => inner.transaction((tx) => fn({ query: timed(tx) })),
    exec: (sql) => inner.exec(sql),
    close: () => inner.close(),
  };
  return {
    db,
    reset: () => stats.clear(),
    top: (n) =>
      [...stats.entries()]
        .map(([sql, s]) => ({
          sql,
          calls: s.calls,
          totalMs: s.totalMs,
          meanMs: s.totalMs / s.calls,
        }))
        .sort((a, b) => b.totalMs - a.totalMs)
        .slice(0, n),
  };
}

export function profileTable(p: QueryProfile, n = 15): string {
  return table(
    ['statement (wall time summed over concurrent callers)', 'calls', 'total s', 'mean ms'],
    p.top(n).map((r) => [r.sql, num(r.calls), num(r.totalMs / 1000, 1), num(r.meanMs, 2)]),
  );
}
