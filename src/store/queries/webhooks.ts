import type { Queryable } from '../db.ts';

export interface WebhookRow {
  id: string;
  url: string;
  event_types: string[] | null;
  tenant_id: string | null;
  secret_sealed: string;
  receive_secrets: boolean;
  start_after_event_id: number;
  created_at: Date;
  /** The secret the last rotation replaced; it signs deliveries until previous_secret_expires_at. */
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  secret_rotated_at: Date | null;
}

export interface NewInternalEvent {
  dedupeKey: string;
  appid: string | null;
  type: string;
  decoded: Record<string, unknown>;
  receivedAt: Date;
}

export function createWebhookQueries(db: Queryable) {
  return {
    /** Inserts a webhook that receives the events stored from now on. */
    async insert(w: {
      id: string;
      url: string;
      eventTypes: string[] | null;
      tenantId: string | null;
      secretSealed: string;
      receiveSecrets: boolean;
      at: Date;
    }): Promise<WebhookRow> {
      const res = await db.query<WebhookRow>(
        `INSERT INTO webhooks (id, url, event_types, tenant_id, secret_sealed, receive_secrets, start_after_event_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(max(id), 0) FROM events), $7)
         RETURNING *`,
        [w.id, w.url, w.eventTypes, w.tenantId, w.secretSealed, w.receiveSecrets, w.at],
      );
      return res.rows[0] as WebhookRow;
    },

    async list(): Promise<WebhookRow[]> {
      const res = await db.query<WebhookRow>('SELECT * FROM webhooks ORDER BY created_at, id');
      return res.rows;
    },

    async findById(id: string): Promise<WebhookRow | undefined> {
      const res = await db.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1', [id]);
      return res.rows[0];
    },

    /**
     * Replaces the secret; the one replaced signs deliveries too until `previousExpiresAt` (a
     * secret still in its grace period from an earlier rotation is dropped).
     */
    async rotateSecret(
      id: string,
      r: { secretSealed: string; previousExpiresAt: Date; at: Date },
    ): Promise<WebhookRow | undefined> {
      const res = await db.query<WebhookRow>(
        `UPDATE webhooks SET previous_secret_sealed = secret_sealed, secret_sealed = $2,
           previous_secret_expires_at = $3, secret_rotated_at = $4
         WHERE id = $1 RETURNING *`,
        [id, r.secretSealed, r.previousExpiresAt, r.at],
      );
      return res.rows[0];
    },

    /** Changes the given fields (a new secret replaces the current one and any previous one). */
    async update(
      id: string,
      u: {
        url?: string | undefined;
        eventTypes?: string[] | null | undefined;
        tenantId?: string | null | undefined;
        receiveSecrets?: boolean | undefined;
        secretSealed?: string | undefined;
        at: Date;
      },
    ): Promise<WebhookRow | undefined> {
      const res = await db.query<WebhookRow>(
        `UPDATE webhooks SET
           url = CASE WHEN $2 THEN $3 ELSE url END,
           event_types = CASE WHEN $4 THEN $5::text[] ELSE event_types END,
           tenant_id = CASE WHEN $6 THEN $7 ELSE tenant_id END,
           receive_secrets = COALESCE($8, receive_secrets),
           secret_sealed = COALESCE($9, secret_sealed),
           previous_secret_sealed = CASE WHEN $9::text IS NULL THEN previous_secret_sealed END,
           previous_secret_expires_at = CASE WHEN $9::text IS NULL THEN previous_secret_expires_at END,
           secret_rotated_at = CASE WHEN $9::text IS NULL THEN secret_rotated_at ELSE $10 END
         WHERE id = $1 RETURNING *`,
        [
          id,
          u.url !== undefined,
          u.url ?? null,
          u.eventTypes !== undefined,
          u.eventTypes ?? null,
          u.tenantId !== undefined,
          u.tenantId ?? null,
          u.receiveSecrets ?? null,
          u.secretSealed ?? null,
          u.at,
        ],
      );
      return res.rows[0];
    },

    /** Deletes the webhook and its deliveries; false if there was none. */
    async deleteById(id: string): Promise<boolean> {
      const res = await db.query('DELETE FROM webhooks WHERE id = $1', [id]);
      return res.rowCount > 0;
    },

    /** Whether any webhook would receive events of `type` that carry secrets. */
    async anyReceivesSecrets(type: string): Promise<boolean> {
      const res = await db.query(
        `SELECT 1 FROM webhooks WHERE receive_secrets AND (event_types IS NULL OR $1 = ANY (event_types)) LIMIT 1`,
        [type],
      );
      return res.rowCount > 0;
    },

    /** Stores an internal event (and its sealed secret part, if any); returns its id. */
    async insertInternalEvent(
      e: NewInternalEvent,
      sealSecret?: (eventId: number) => string,
    ): Promise<number | null> {
      const res = await db.query<{ id: number }>(
        `INSERT INTO events (dedupe_key, source, appid, type, raw, query, decoded, create_time, received_at)
         VALUES ($1, 'internal', $2, $3, '', '{}', $4, $5, $5)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [e.dedupeKey, e.appid, e.type, e.decoded, e.receivedAt],
      );
      const id = res.rows[0]?.id ?? null;
      if (id !== null && sealSecret) {
        await db.query('INSERT INTO event_secrets (event_id, sealed) VALUES ($1, $2)', [
          id,
          sealSecret(id),
        ]);
      }
      return id;
    },

    async findEventSecret(eventId: number): Promise<string | undefined> {
      const res = await db.query<{ sealed: string }>(
        'SELECT sealed FROM event_secrets WHERE event_id = $1',
        [eventId],
      );
      return res.rows[0]?.sealed;
    },
  };
}

/**
 * The outbox fan-out: one delivery per (matching webhook, event). Only one instance at a time
 * holds the cursor row (FOR UPDATE SKIP LOCKED); the unique (webhook_id, event_id) key is the
 * second guard. Events above the cursor that were already fanned out are remembered in
 * `webhook_dispatched` until the cursor passes them, because ids are taken at insert time and an
 * event with a lower id can commit after one with a higher id.
 */
export function createDispatchQueries(tx: Queryable) {
  return {
    async lockCursor(): Promise<number | undefined> {
      const res = await tx.query<{ last_event_id: number }>(
        'SELECT last_event_id FROM webhook_dispatch WHERE id = 1 FOR UPDATE SKIP LOCKED',
      );
      return res.rows[0]?.last_event_id;
    },

    /**
     * The next events above the cursor not yet fanned out. `ready` is false, until `graceStart`,
     * for an event whose appid is not an authorizer yet, or whose authorization job (queued by
     * the callback with the singleton key `exchange:<appid>:<event id>`) has not finished: that
     * job stores the authorizer and gives it to the tenant of its authorization link.
     */
    async findPending(
      cursor: number,
      limit: number,
      graceStart: Date,
    ): Promise<{ id: number; ready: boolean }[]> {
      const res = await tx.query<{ id: number; ready: boolean }>(
        `SELECT e.id, (e.source = 'internal' OR e.received_at <= $3 OR (
             (e.appid IS NULL OR a.appid IS NOT NULL)
             AND NOT EXISTS (SELECT 1 FROM jobs j
               WHERE j.singleton_key = 'exchange:' || e.appid || ':' || e.id
                 AND j.status IN ('queued', 'running')))) AS ready
         FROM events e LEFT JOIN authorizers a ON a.appid = e.appid
         WHERE e.id > $1 AND NOT EXISTS (SELECT 1 FROM webhook_dispatched d WHERE d.event_id = e.id)
         ORDER BY e.id LIMIT $2`,
        [cursor, limit, graceStart],
      );
      return res.rows;
    },

    /** Creates the deliveries of these events and marks them fanned out; returns how many. */
    async fanOut(
      eventIds: number[],
      at: Date,
      defaultExcluded: readonly string[],
    ): Promise<number> {
      if (eventIds.length === 0) return 0;
      const res = await tx.query(
        `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, tenant_id, status, next_attempt_at, created_at)
         SELECT w.id, e.id, e.type, a.tenant_id, 'pending', $2, $2
         FROM events e
         LEFT JOIN authorizers a ON a.appid = e.appid
         JOIN webhooks w ON e.id > w.start_after_event_id
           AND (e.type = ANY (w.event_types) OR (w.event_types IS NULL AND NOT e.type = ANY ($3::text[])))
           AND (w.tenant_id IS NULL OR w.tenant_id = a.tenant_id)
           AND (w.receive_secrets OR NOT EXISTS (SELECT 1 FROM event_secrets s WHERE s.event_id = e.id))
         WHERE e.id = ANY ($1::bigint[])
         ON CONFLICT (webhook_id, event_id) DO NOTHING`,
        [eventIds, at, defaultExcluded],
      );
      await tx.query(
        `INSERT INTO webhook_dispatched (event_id, at) SELECT unnest($1::bigint[]), $2
         ON CONFLICT (event_id) DO NOTHING`,
        [eventIds, at],
      );
      return res.rowCount;
    },

    /**
     * Moves the cursor over events fanned out before `settledBefore` (no transaction stays open
     * that long, so nothing below them can still appear), never past `limit`.
     */
    async advance(settledBefore: Date, limit: number): Promise<void> {
      const res = await tx.query<{ upto: number | null }>(
        'SELECT max(event_id) AS upto FROM webhook_dispatched WHERE at < $1 AND event_id <= $2',
        [settledBefore, limit],
      );
      const upto = res.rows[0]?.upto;
      if (upto === null || upto === undefined) return;
      await tx.query('DELETE FROM webhook_dispatched WHERE event_id <= $1', [upto]);
      await tx.query(
        'UPDATE webhook_dispatch SET last_event_id = GREATEST(last_event_id, $1) WHERE id = 1',
        [upto],
      );
    },
  };
}
