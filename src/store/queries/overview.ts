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
