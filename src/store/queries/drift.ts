import type { Queryable } from '../db.ts';

/**
 * The drift-check schedule (authorizers.drift_check_at) and the drift records of the authorizer
 * history (drift_detected, drift_cleared, profile_applied).
 */
export function createDriftQueries(db: Queryable) {
  return {
    /**
     * Claims up to `limit` authorized mini programs whose check is due (never checked first), by
     * moving their next check to `until`: other instances skip them until then.
     */
    async claimDue(now: Date, until: Date, limit: number): Promise<string[]> {
      const res = await db.query<{ appid: string }>(
        `WITH due AS (
           SELECT appid FROM authorizers
           WHERE status = 'authorized' AND (drift_check_at IS NULL OR drift_check_at <= $1)
             AND info ? 'MiniProgramInfo'
           ORDER BY drift_check_at NULLS FIRST LIMIT $3
           FOR UPDATE SKIP LOCKED)
         UPDATE authorizers SET drift_check_at = $2 FROM due WHERE authorizers.appid = due.appid
         RETURNING authorizers.appid`,
        [now, until, limit],
      );
      return res.rows.map((r) => r.appid);
    },
    /** When the mini program's next check is due. */
    async scheduleNext(appid: string, at: Date): Promise<void> {
      await db.query('UPDATE authorizers SET drift_check_at = $2 WHERE appid = $1', [appid, at]);
    },
    /** Which of these mini programs' latest drift record says they drifted. */
    async drifted(appids: readonly string[]): Promise<Set<string>> {
      const res = await db.query<{ appid: string; action: string }>(
        `SELECT DISTINCT ON (appid) appid, action FROM authorizer_history
         WHERE action IN ('drift_detected', 'drift_cleared', 'profile_applied')
           AND appid = ANY($1)
         ORDER BY appid, id DESC`,
        [appids],
      );
      return new Set(res.rows.filter((r) => r.action === 'drift_detected').map((r) => r.appid));
    },
    /** Every authorized mini program (for a check of all at once). */
    async miniPrograms(filter: { tenant_id?: string; appids?: string[] } = {}): Promise<string[]> {
      const res = await db.query<{ appid: string }>(
        `SELECT appid FROM authorizers WHERE status = 'authorized' AND info ? 'MiniProgramInfo'
           AND ($1::text IS NULL OR tenant_id = $1)
           AND ($2::text[] IS NULL OR appid = ANY($2))
         ORDER BY appid`,
        [filter.tenant_id ?? null, filter.appids?.length ? filter.appids : null],
      );
      return res.rows.map((r) => r.appid);
    },
    /** The authorizer as drift sees it: its tenant, status and whether it is a mini program. */
    async authorizer(
      appid: string,
    ): Promise<{ tenant_id: string | null; mp: boolean; status: string } | undefined> {
      const res = await db.query<{ tenant_id: string | null; mp: boolean; status: string }>(
        `SELECT tenant_id, status, coalesce(info ? 'MiniProgramInfo', false) AS mp
         FROM authorizers WHERE appid = $1`,
        [appid],
      );
      return res.rows[0];
    },
  };
}
