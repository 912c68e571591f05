import type { Queryable } from '../db.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

export interface DeliveryRow {
  id: number;
  webhook_id: string;
  event_id: number;
  event_type: string;
  tenant_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  first_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  /** Why the last attempt failed, as a stable code and params (null before migration 0027). */
  last_error_code: string | null;
  last_error_params: Record<string, string | number> | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

/** A claimed delivery with what is needed to send it. */
export interface ClaimedDelivery {
  id: number;
  webhook_id: string;
  event_id: number;
  tenant_id: string | null;
  attempts: number;
  first_attempt_at: Date | null;
  url: string;
  secret_sealed: string;
  /** The secret replaced by the last rotation, and when it stops signing. */
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  type: string;
  appid: string | null;
  received_at: Date;
  decoded: Record<string, unknown>;
  secret_data: string | null;
}

const COLUMNS = `id, webhook_id, event_id, event_type, tenant_id, status, attempts, first_attempt_at,
  last_attempt_at, last_status_code, last_error, last_error_code, last_error_params, next_attempt_at,
  delivered_at, created_at`;

export function createDeliveryQueries(db: Queryable) {
  return {
    /**
     * Claims up to `limit` due deliveries for `worker` until `lockedUntil` (FOR UPDATE SKIP
     * LOCKED: each delivery is sent by one worker at a time, across instances).
     */
    async claimDue(
      worker: string,
      now: Date,
      lockedUntil: Date,
      limit: number,
    ): Promise<ClaimedDelivery[]> {
      if (limit <= 0) return [];
      const res = await db.query<ClaimedDelivery>(
        `WITH claimed AS (
           UPDATE webhook_deliveries SET locked_by = $1, locked_until = $2
           WHERE id IN (
             SELECT id FROM webhook_deliveries
             WHERE status IN ('pending', 'failed') AND next_attempt_at <= $3
               AND (locked_until IS NULL OR locked_until < $3)
             ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
           RETURNING id, webhook_id, event_id, tenant_id, attempts, first_attempt_at)
         SELECT c.*, w.url, w.secret_sealed, w.previous_secret_sealed, w.previous_secret_expires_at,
                e.type, e.appid, e.received_at, e.decoded,
                s.sealed AS secret_data
         FROM claimed c
         JOIN webhooks w ON w.id = c.webhook_id
         JOIN events e ON e.id = c.event_id
         LEFT JOIN event_secrets s ON s.event_id = c.event_id
         ORDER BY c.id`,
        [worker, lockedUntil, now, limit],
      );
      return res.rows;
    },

    async markDelivered(
      id: number,
      worker: string,
      r: { at: Date; statusCode: number },
    ): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1,
           first_attempt_at = COALESCE(first_attempt_at, $3), last_attempt_at = $3, delivered_at = $3,
           last_status_code = $4, last_error = NULL, last_error_code = NULL,
           last_error_params = NULL, next_attempt_at = NULL,
           locked_by = NULL, locked_until = NULL
         WHERE id = $1 AND locked_by = $2`,
        [id, worker, r.at, r.statusCode],
      );
    },

    /** Records a failed attempt: retried at `nextAttemptAt`, or dead when that is null. */
    async markFailed(
      id: number,
      worker: string,
      r: {
        at: Date;
        firstAttemptAt: Date;
        statusCode: number | null;
        error: string;
        errorCode: string;
        errorParams: Record<string, string | number>;
        nextAttemptAt: Date | null;
      },
    ): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1,
           first_attempt_at = $4, last_attempt_at = $5, last_status_code = $6, last_error = $7,
           next_attempt_at = $8, last_error_code = $9, last_error_params = $10::jsonb,
           locked_by = NULL, locked_until = NULL
         WHERE id = $1 AND locked_by = $2`,
        [
          id,
          worker,
          r.nextAttemptAt ? 'failed' : 'dead',
          r.firstAttemptAt,
          r.at,
          r.statusCode,
          r.error.slice(0, 1000),
          r.nextAttemptAt,
          r.errorCode,
          JSON.stringify(r.errorParams),
        ],
      );
    },

    /** Gives a claim back without counting an attempt (the process is stopping). */
    async release(id: number, worker: string): Promise<void> {
      await db.query(
        'UPDATE webhook_deliveries SET locked_by = NULL, locked_until = NULL WHERE id = $1 AND locked_by = $2',
        [id, worker],
      );
    },

    /** A new attempt now, with a fresh retry window (also for a dead or delivered one). */
    async redeliver(webhookId: string, id: number, at: Date): Promise<DeliveryRow | undefined> {
      const res = await db.query<DeliveryRow>(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, first_attempt_at = NULL
         WHERE webhook_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [webhookId, id, at],
      );
      return res.rows[0];
    },

    /** Deliveries of one webhook (or of all: no webhookId), newest first; page with `before`. */
    async list(f: {
      webhookId?: string | undefined;
      status?: DeliveryStatus | undefined;
      before?: number | undefined;
      limit: number;
    }): Promise<DeliveryRow[]> {
      const res = await db.query<DeliveryRow>(
        `SELECT ${COLUMNS} FROM webhook_deliveries
         WHERE ($1::text IS NULL OR webhook_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4`,
        [f.webhookId ?? null, f.status ?? null, f.before ?? null, f.limit],
      );
      return res.rows;
    },

    async findById(webhookId: string, id: number): Promise<DeliveryRow | undefined> {
      const res = await db.query<DeliveryRow>(
        `SELECT ${COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 AND id = $2`,
        [webhookId, id],
      );
      return res.rows[0];
    },
  };
}
