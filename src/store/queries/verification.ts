import type { Queryable } from '../db.ts';

/**
 * Verifications on behalf (`verifications`) and WeChat's reviews of names and categories
 * (`wechat_reviews`) of mini programs.
 */
export type VerificationState = 'in_progress' | 'approved' | 'rejected' | 'failed';

export interface VerificationRow {
  id: number;
  appid: string;
  taskid: string;
  state: VerificationState;
  task_status: number | null;
  apply_status: number | null;
  auth_url: string | null;
  account_name: string;
  customer_type: number;
  reason: string | null;
  event_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export type ReviewKind = 'nickname' | 'category';
export type ReviewState = 'pending' | 'approved' | 'rejected';

export interface ReviewRow {
  id: number;
  appid: string;
  kind: ReviewKind;
  state: ReviewState;
  audit_id: number | null;
  nickname: string | null;
  first_id: number | null;
  second_id: number | null;
  reason: string | null;
  event_id: number | null;
  requested_at: Date;
  decided_at: Date | null;
}

/** BIGINT columns come back as strings from pg: numbers here. */
function verification(r: VerificationRow): VerificationRow {
  return {
    ...r,
    id: Number(r.id),
    event_id: r.event_id === null ? null : Number(r.event_id),
  };
}
function review(r: ReviewRow): ReviewRow {
  return {
    ...r,
    id: Number(r.id),
    audit_id: r.audit_id === null ? null : Number(r.audit_id),
    event_id: r.event_id === null ? null : Number(r.event_id),
  };
}

export function createVerificationQueries(db: Queryable) {
  return {
    async insertVerification(v: {
      appid: string;
      taskid: string;
      auth_url: string | null;
      account_name: string;
      customer_type: number;
      at: Date;
    }): Promise<VerificationRow> {
      const res = await db.query<VerificationRow>(
        `INSERT INTO verifications (appid, taskid, state, task_status, apply_status, auth_url,
           account_name, customer_type, created_at, updated_at)
         VALUES ($1, $2, 'in_progress', NULL, NULL, $3, $4, $5, $6, $6) RETURNING *`,
        [v.appid, v.taskid, v.auth_url, v.account_name, v.customer_type, v.at],
      );
      return verification(res.rows[0] as VerificationRow);
    },

    /** The newest verification of `appid`. */
    async findLatest(appid: string): Promise<VerificationRow | undefined> {
      const res = await db.query<VerificationRow>(
        'SELECT * FROM verifications WHERE appid = $1 ORDER BY id DESC LIMIT 1',
        [appid],
      );
      return res.rows[0] ? verification(res.rows[0]) : undefined;
    },

    async listByAppid(appid: string): Promise<VerificationRow[]> {
      const res = await db.query<VerificationRow>(
        'SELECT * FROM verifications WHERE appid = $1 ORDER BY id DESC LIMIT 50',
        [appid],
      );
      return res.rows.map(verification);
    },

    /**
     * Records WeChat's statuses of a task; with `eventId`, only once per push (false when that
     * push was applied before, or the task is unknown).
     */
    async updateByTaskid(
      appid: string,
      taskid: string,
      p: {
        state: VerificationState;
        task_status: number | null;
        apply_status: number | null;
        reason: string | null;
        auth_url?: string | null;
        eventId?: number;
        at: Date;
      },
    ): Promise<boolean> {
      const res = await db.query(
        `UPDATE verifications SET state = $3, task_status = $4, apply_status = $5, reason = $6,
           auth_url = COALESCE($7, auth_url), event_id = COALESCE($8, event_id), updated_at = $9
         WHERE appid = $1 AND taskid = $2
           AND ($8::bigint IS NULL OR event_id IS NULL OR event_id <> $8::bigint)`,
        [
          appid,
          taskid,
          p.state,
          p.task_status,
          p.apply_status,
          p.reason,
          p.auth_url ?? null,
          p.eventId ?? null,
          p.at,
        ],
      );
      return (res.rowCount ?? 0) > 0;
    },

    async insertReview(r: {
      appid: string;
      kind: ReviewKind;
      audit_id?: number | null;
      nickname?: string | null;
      first?: number | null;
      second?: number | null;
      at: Date;
    }): Promise<ReviewRow> {
      const res = await db.query<ReviewRow>(
        `INSERT INTO wechat_reviews (appid, kind, state, audit_id, nickname, first_id, second_id,
           requested_at)
         VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7) RETURNING *`,
        [
          r.appid,
          r.kind,
          r.audit_id ?? null,
          r.nickname ?? null,
          r.first ?? null,
          r.second ?? null,
          r.at,
        ],
      );
      return review(res.rows[0] as ReviewRow);
    },

    /** Pending and decided reviews of `appid`, newest first. */
    async listReviews(appid: string, limit = 100): Promise<ReviewRow[]> {
      const res = await db.query<ReviewRow>(
        `SELECT * FROM wechat_reviews WHERE appid = $1
         ORDER BY requested_at DESC, id DESC LIMIT $2`,
        [appid, limit],
      );
      return res.rows.map(review);
    },

    async pendingCategories(appid: string): Promise<ReviewRow[]> {
      const res = await db.query<ReviewRow>(
        `SELECT * FROM wechat_reviews WHERE appid = $1 AND kind = 'category' AND state = 'pending'`,
        [appid],
      );
      return res.rows.map(review);
    },

    /**
     * Decides the oldest pending review the push is about (a name review for that name, or any
     * name review; a category review for that pair); a push for a review openwx did not start is
     * recorded as a decided one. Once per push: false when the push was applied before.
     */
    async decide(d: {
      appid: string;
      kind: ReviewKind;
      nickname?: string | null;
      first?: number | null;
      second?: number | null;
      state: 'approved' | 'rejected';
      reason: string | null;
      eventId: number;
      at: Date;
    }): Promise<boolean> {
      const seen = await db.query('SELECT 1 FROM wechat_reviews WHERE event_id = $1', [d.eventId]);
      if (seen.rows.length > 0) return false;
      const updated = await db.query(
        `UPDATE wechat_reviews SET state = $6, reason = $7, event_id = $8, decided_at = $9
         WHERE id = (
           SELECT id FROM wechat_reviews
           WHERE appid = $1 AND state = 'pending' AND kind = $2
             AND ($2 <> 'category' OR (first_id = $4::int AND second_id = $5::int))
           ORDER BY (nickname IS NOT DISTINCT FROM $3::text) DESC, id
           LIMIT 1)`,
        [
          d.appid,
          d.kind,
          d.nickname ?? null,
          d.first ?? null,
          d.second ?? null,
          d.state,
          d.reason,
          d.eventId,
          d.at,
        ],
      );
      if ((updated.rowCount ?? 0) > 0) return true;
      await db.query(
        `INSERT INTO wechat_reviews (appid, kind, state, nickname, first_id, second_id, reason,
           event_id, requested_at, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (event_id) DO NOTHING`,
        [
          d.appid,
          d.kind,
          d.state,
          d.nickname ?? null,
          d.first ?? null,
          d.second ?? null,
          d.reason,
          d.eventId,
          d.at,
        ],
      );
      return true;
    },
  };
}
