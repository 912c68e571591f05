import type { Queryable } from '../db.ts';

/** Aggregates for the console's overview: counts only, each answered by one query. */
export interface TokenFailureRow {
  kind: string;
  appid: string;
  failures: number;
  last_error: string | null;
  last_error_at: Date | null;
}

export interface AuditInFlightRow {
  appid: string;
  kind: 'submitted' | 'audit_delayed';
  auditid: string | null;
  at: Date;
}

export function createOverviewQueries(db: Queryable) {
  return {
    /** Tokens whose last refresh failed (the counter is reset by a successful refresh). */
    async tokenFailures(limit: number): Promise<{ total: number; items: TokenFailureRow[] }> {
      const [count, rows] = await Promise.all([
        db.query<{ n: number }>('SELECT count(*)::int AS n FROM tokens WHERE failures > 0'),
        db.query<TokenFailureRow>(
          `SELECT kind, appid, failures, last_error, last_error_at FROM tokens
           WHERE failures > 0 ORDER BY last_error_at DESC NULLS LAST LIMIT $1`,
          [limit],
        ),
      ]);
      return { total: count.rows[0]?.n ?? 0, items: rows.rows };
    },

    /** Webhook deliveries waiting (pending or failed and retrying) and given up (dead). */
    async webhookBacklog(): Promise<{ pending: number; dead: number; oldest: Date | null }> {
      const res = await db.query<{ pending: number; dead: number; oldest: Date | null }>(
        `SELECT count(*) FILTER (WHERE status IN ('pending', 'failed'))::int AS pending,
                count(*) FILTER (WHERE status = 'dead')::int AS dead,
                min(created_at) FILTER (WHERE status IN ('pending', 'failed')) AS oldest
         FROM webhook_deliveries`,
      );
      return res.rows[0] ?? { pending: 0, dead: 0, oldest: null };
    },

    /** Rollouts still open, by status. */
    async openRollouts(): Promise<{ running: number; paused: number; halted: number }> {
      const res = await db.query<{ running: number; paused: number; halted: number }>(
        `SELECT count(*) FILTER (WHERE status = 'running')::int AS running,
                count(*) FILTER (WHERE status = 'paused')::int AS paused,
                count(*) FILTER (WHERE status = 'halted')::int AS halted
         FROM rollouts WHERE status IN ('running', 'paused', 'halted')`,
      );
      return res.rows[0] ?? { running: 0, paused: 0, halted: 0 };
    },

    /** Mini programs whose latest audit step is still open (submitted, or delayed by WeChat). */
    async auditsInFlight(limit: number): Promise<{ total: number; items: AuditInFlightRow[] }> {
      const latest = `SELECT DISTINCT ON (appid) appid, kind, auditid::text AS auditid, at
        FROM code_events
        WHERE kind IN ('submitted', 'audit_passed', 'audit_failed', 'audit_delayed', 'audit_withdrawn')
        ORDER BY appid, id DESC`;
      const res = await db.query<AuditInFlightRow>(
        `SELECT * FROM (${latest}) l WHERE kind IN ('submitted', 'audit_delayed') ORDER BY at`,
      );
      return { total: res.rows.length, items: res.rows.slice(0, limit) };
    },
  };
}
