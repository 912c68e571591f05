import type { Queryable } from '../db.ts';

/**
 * Deleting rows past their retention, a small batch per statement so that no lock is held for
 * long. Two kinds of batch:
 * - Tables whose ids grow with time (events, webhook_deliveries) are walked by primary key from
 *   `afterId`: `limit` rows are read, the deletable ones among them deleted, and the walk stops at
 *   the first batch that holds a row created after the cutoff (newer rows follow it).
 * - Tables with an index on the age that matters (finished jobs) or small ones (authorization
 *   links and codes) delete the `limit` oldest deletable rows.
 * A batch chosen with SKIP LOCKED is a MATERIALIZED CTE: in `id IN (SELECT ... LIMIT n FOR UPDATE
 * SKIP LOCKED)` the planner may run the subquery more than once, each time skipping other rows,
 * and delete more than n. Every DELETE checks again, on the row it deletes, what made the row deletable (a delivery
 * redelivered meanwhile is pending again and is kept). Two instances pruning at once is harmless:
 * one of them deletes each row, the other finds it gone.
 */
export interface WalkBatch {
  /** Rows read (at most `limit`); fewer than `limit` means the end of the table was reached. */
  scanned: number;
  deleted: number;
  /** The highest id read: where the next batch starts. */
  lastId: number | null;
  /** A row read was created after the cutoff: the walk is done for this run. */
  reachedRecent: boolean;
}

interface WalkRow {
  scanned: number;
  deleted: number;
  last_id: number | null;
  reached_recent: boolean;
}

const toBatch = (r: WalkRow | undefined): WalkBatch => ({
  scanned: r?.scanned ?? 0,
  deleted: r?.deleted ?? 0,
  lastId: r?.last_id === null || r?.last_id === undefined ? null : Number(r.last_id),
  reachedRecent: r?.reached_recent ?? false,
});

export function createRetentionQueries(db: Queryable) {
  return {
    /**
     * Webhook deliveries that ended (delivered or dead) before `before`. Pending and failed ones
     * (still being retried) are kept however old.
     */
    async pruneDeliveries(afterId: number, limit: number, before: Date): Promise<WalkBatch> {
      const res = await db.query<WalkRow>(
        `WITH scan AS (
           SELECT id, created_at FROM webhook_deliveries WHERE id > $1 ORDER BY id LIMIT $2),
         gone AS (
           DELETE FROM webhook_deliveries d USING scan s
           WHERE d.id = s.id AND d.status IN ('delivered', 'dead')
             AND COALESCE(d.delivered_at, d.last_attempt_at, d.created_at) < $3
           RETURNING d.id)
         SELECT (SELECT count(*) FROM scan)::int AS scanned,
                (SELECT count(*) FROM gone)::int AS deleted,
                (SELECT max(id) FROM scan) AS last_id,
                EXISTS (SELECT 1 FROM scan WHERE created_at >= $3) AS reached_recent`,
        [afterId, limit, before],
      );
      return toBatch(res.rows[0]);
    },

    /**
     * Pushes (and internal events) received before `before`, except those still needed: one a
     * webhook delivery refers to, one the webhook dispatcher has not fanned out yet (above its
     * cursor), and one an unfinished job was queued for (its payload's eventId / event_id).
     * Its sealed secrets (event_secrets) go with it.
     */
    async pruneEvents(afterId: number, limit: number, before: Date): Promise<WalkBatch> {
      const res = await db.query<WalkRow>(
        `WITH scan AS (
           SELECT id, received_at FROM events WHERE id > $1 ORDER BY id LIMIT $2),
         held AS (
           SELECT COALESCE(payload->>'eventId', payload->>'event_id') AS event_id FROM jobs
           WHERE status IN ('queued', 'running')
             AND COALESCE(payload->>'eventId', payload->>'event_id') IS NOT NULL),
         gone AS (
           DELETE FROM events e USING scan s
           WHERE e.id = s.id AND e.received_at < $3
             AND e.id <= COALESCE((SELECT last_event_id FROM webhook_dispatch WHERE id = 1), 0)
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
             AND e.id::text NOT IN (SELECT event_id FROM held)
           RETURNING e.id)
         SELECT (SELECT count(*) FROM scan)::int AS scanned,
                (SELECT count(*) FROM gone)::int AS deleted,
                (SELECT max(id) FROM scan) AS last_id,
                EXISTS (SELECT 1 FROM scan WHERE received_at >= $3) AS reached_recent`,
        [afterId, limit, before],
      );
      return toBatch(res.rows[0]);
    },

    /** Up to `limit` jobs that finished (done or dead) before `before`, oldest first. */
    async pruneFinishedJobs(limit: number, before: Date): Promise<number> {
      const res = await db.query(
        `WITH batch AS MATERIALIZED (
           SELECT id FROM jobs WHERE status IN ('done', 'dead') AND updated_at < $2
           ORDER BY updated_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         DELETE FROM jobs j USING batch b
         WHERE j.id = b.id AND j.status IN ('done', 'dead') AND j.updated_at < $2`,
        [limit, before],
      );
      return res.rowCount;
    },

    /**
     * Up to `limit` authorization links that expired before `before`, except one whose
     * pre_auth_code an unfinished authorization job still looks up (to give the new authorizer
     * to the link's tenant).
     */
    async pruneAuthorizationLinks(limit: number, before: Date): Promise<number> {
      const res = await db.query(
        `WITH batch AS MATERIALIZED (
           SELECT l.token FROM authorization_links l WHERE l.expires_at < $2
             AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.status IN ('queued', 'running')
               AND j.payload->>'preAuthCodeHash' = l.pre_auth_code_hash)
           LIMIT $1 FOR UPDATE OF l SKIP LOCKED)
         DELETE FROM authorization_links a USING batch b
         WHERE a.token = b.token AND a.expires_at < $2`,
        [limit, before],
      );
      return res.rowCount;
    },

    /** Up to `limit` exchanged authorization codes (hashes) exchanged before `before`. */
    async pruneAuthorizationCodes(limit: number, before: Date): Promise<number> {
      const res = await db.query(
        `WITH batch AS MATERIALIZED (
           SELECT code_hash FROM authorization_codes WHERE exchanged_at < $2
           LIMIT $1 FOR UPDATE SKIP LOCKED)
         DELETE FROM authorization_codes c USING batch b WHERE c.code_hash = b.code_hash`,
        [limit, before],
      );
      return res.rowCount;
    },

    /** Up to `limit` sign-in attempts made before `before`. */
    async pruneSignInAttempts(limit: number, before: Date): Promise<number> {
      const res = await db.query(
        `WITH batch AS MATERIALIZED (
           SELECT id FROM sign_in_attempts WHERE at < $2 ORDER BY id LIMIT $1)
         DELETE FROM sign_in_attempts s USING batch b WHERE s.id = b.id`,
        [limit, before],
      );
      return res.rowCount;
    },

    /** Up to `limit` operator sessions that expired (or were revoked) before `before`. */
    async pruneOperatorSessions(limit: number, before: Date): Promise<number> {
      const res = await db.query(
        `WITH batch AS MATERIALIZED (
           SELECT id FROM operator_sessions
           WHERE expires_at < $2 OR revoked_at < $2 LIMIT $1)
         DELETE FROM operator_sessions s USING batch b WHERE s.id = b.id`,
        [limit, before],
      );
      return res.rowCount;
    },
  };
}
