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
    /** Mini programs whose latest audit step is still open (submitted, or delayed by WeChat). */
    async auditsInFlight(limit: number): Promise<{ total: number; items: AuditInFlightRow[] }> {
      // latest_audit_steps holds each mini program's latest audit step (migration 0026).
      const inFlight = "kind IN ('submitted', 'audit_delayed')";
      const [count, rows] = await Promise.all([
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM latest_audit_steps WHERE ${inFlight}`,
        ),
        db.query<AuditInFlightRow>(
          `SELECT appid, kind, auditid::text AS auditid, at FROM latest_audit_steps
           WHERE ${inFlight} ORDER BY at LIMIT $1`,
          [limit],
        ),
      ]);
      return { total: count.rows[0]?.n ?? 0, items: rows.rows };
    },
  };
}
