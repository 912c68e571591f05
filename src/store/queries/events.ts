import type { Queryable } from '../db.ts';

export interface NewEvent {
  dedupeKey: string;
  source: 'auth' | 'message';
  appid: string | null;
  type: string;
  raw: string;
  query: Record<string, string>;
  decoded: Record<string, unknown>;
  createTime: Date | null;
  receivedAt: Date;
}

export interface EventRow {
  id: number;
  source: string;
  appid: string | null;
  type: string;
  received_at: Date;
  create_time: Date | null;
  decoded: Record<string, unknown>;
  raw: string;
}

export function createEventQueries(db: Queryable) {
  return {
    /** Inserts the push unless its dedupe key is known; returns the new id, or null for a replay. */
    async insert(e: NewEvent): Promise<number | null> {
      const res = await db.query<{ id: number }>(
        `INSERT INTO events (dedupe_key, source, appid, type, raw, query, decoded, create_time, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [
          e.dedupeKey,
          e.source,
          e.appid,
          e.type,
          e.raw,
          e.query,
          e.decoded,
          e.createTime,
          e.receivedAt,
        ],
      );
      return res.rows[0]?.id ?? null;
    },

    async list(filter: {
      appid?: string;
      type?: string;
      before?: number;
      limit: number;
    }): Promise<EventRow[]> {
      const res = await db.query<EventRow>(
        `SELECT id, source, appid, type, received_at, create_time, decoded, raw FROM events
         WHERE ($1::text IS NULL OR appid = $1) AND ($2::text IS NULL OR type = $2)
           AND ($3::bigint IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4`,
        [filter.appid ?? null, filter.type ?? null, filter.before ?? null, filter.limit],
      );
      return res.rows;
    },

    async findById(id: number): Promise<EventRow | undefined> {
      const res = await db.query<EventRow>(
        'SELECT id, source, appid, type, received_at, create_time, decoded, raw FROM events WHERE id = $1',
        [id],
      );
      return res.rows[0];
    },

    async count(): Promise<number> {
      const res = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      return res.rows[0]?.n ?? 0;
    },
  };
}
