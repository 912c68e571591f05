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
      return (await insertEvents(db, [e]))[0] ?? null;
    },

    /** Newest first; `since` inclusive and `until` exclusive bound received_at. */
    async list(filter: {
      appid?: string | undefined;
      type?: string | undefined;
      source?: string | undefined;
      since?: Date | undefined;
      until?: Date | undefined;
      before?: number | undefined;
      limit: number;
    }): Promise<EventRow[]> {
      const res = await db.query<EventRow>(
        `SELECT id, source, appid, type, received_at, create_time, decoded, raw FROM events
         WHERE ($1::text IS NULL OR appid = $1) AND ($2::text IS NULL OR type = $2)
           AND ($3::bigint IS NULL OR id < $3) AND ($5::text IS NULL OR source = $5)
           AND ($6::timestamptz IS NULL OR received_at >= $6)
           AND ($7::timestamptz IS NULL OR received_at < $7)
         ORDER BY id DESC LIMIT $4`,
        [
          filter.appid ?? null,
          filter.type ?? null,
          filter.before ?? null,
          filter.limit,
          filter.source ?? null,
          filter.since ?? null,
          filter.until ?? null,
        ],
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

// eslint-disable-next-line no-control-regex -- NUL is exactly what PostgreSQL cannot hold
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text PostgreSQL can hold: NUL and unpaired surrogates become U+FFFD. */
export const storableText = (s: string): string => s.replace(UNSTORABLE, '\ufffd');

/** The same for every string (keys included) inside a JSON value. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storableText(k)] = storableJson(v);
    return out;
  }
  return value;
}

const storableDate = (d: Date | null): Date | null => (d && !isNaN(d.getTime()) ? d : null);

/** The columns of an event row, in the order of eventValues. */
export const EVENT_COLUMNS = [
  'dedupe_key',
  'source',
  'appid',
  'type',
  'raw',
  'query',
  'decoded',
  'create_time',
  'received_at',
] as const;

/** An event's values for EVENT_COLUMNS, each made storable. */
export function eventValues(e: NewEvent): unknown[] {
  return [
    storableText(e.dedupeKey),
    e.source,
    e.appid === null ? null : storableText(e.appid),
    storableText(e.type),
    storableText(e.raw),
    storableJson(e.query),
    storableJson(e.decoded),
    storableDate(e.createTime),
    e.receivedAt,
  ];
}

/**
 * One INSERT for several events; answers, per event in order, its new id or null when its dedupe
 * key was already stored (a key twice in one call is stored once, for its first occurrence).
 * Every value is made storable first (storableText, storableJson; an invalid date is null).
 */
export async function insertEvents(db: Queryable, events: NewEvent[]): Promise<(number | null)[]> {
  const values: unknown[] = [];
  const keys = events.map((e) => storableText(e.dedupeKey));
  const tuples = events.map((e, i) => {
    values.push(...eventValues(e));
    return `(${Array.from({ length: EVENT_COLUMNS.length }, (_, k) => `$${i * EVENT_COLUMNS.length + k + 1}`).join(', ')})`;
  });
  const res = await db.query<{ id: number; dedupe_key: string }>(
    `INSERT INTO events (${EVENT_COLUMNS.join(', ')})
     VALUES ${tuples.join(', ')}
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key`,
    values,
  );
  const ids = new Map(res.rows.map((r) => [r.dedupe_key, r.id]));
  return keys.map((key) => {
    const id = ids.get(key) ?? null;
    ids.delete(key);
    return id;
  });
}

/**
 * Whether the database refused a row's values (SQLSTATE class 22, data exception, or 23,
 * integrity constraint violation) rather than failing as a whole (connection lost, timeout).
 */
function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * Group commit for the message URL's event inserts: at most `maxInFlight` INSERTs are on their
 * way to the database at once, and pushes that arrive meanwhile wait and then share the next one
 * (up to `maxBatch` rows). Under load, batches grow by themselves to the number of pushes in
 * flight, which is what makes a push cheap for PostgreSQL (a 20-row INSERT costs the backend a
 * fifth of 20 single ones); a lone push still goes out at once. Each caller still gets its answer
 * only after its row is committed. When the database refuses the shared INSERT for a row's
 * values, each row is tried alone, so that one row it cannot store fails only its own push (a
 * database that is away fails them all at once, without retries).
 */
export function createEventInsertBatcher(db: Queryable, maxBatch = 64, maxInFlight = 2) {
  type Pending = {
    e: NewEvent;
    resolve: (id: number | null) => void;
    reject: (err: unknown) => void;
  };
  let queue: Pending[] = [];
  let scheduled = false;
  let inFlight = 0;

  async function flush(batch: Pending[]): Promise<void> {
    try {
      const ids = await insertEvents(
        db,
        batch.map((p) => p.e),
      );
      batch.forEach((p, i) => p.resolve(ids[i] ?? null));
    } catch (err) {
      if (batch.length === 1 || !isRowError(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // One after the other, so that a key twice in the batch is stored for its first occurrence.
      for (const p of batch) {
        try {
          p.resolve((await insertEvents(db, [p.e]))[0] ?? null);
        } catch (rowErr) {
          p.reject(rowErr);
        }
      }
    }
  }

  function drain(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      inFlight++;
      void flush(batch).finally(() => {
        inFlight--;
        if (queue.length > 0) drain();
      });
    }
  }

  return {
    insert(e: NewEvent): Promise<number | null> {
      return new Promise((resolve, reject) => {
        queue.push({ e, resolve, reject });
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          setImmediate(drain);
        }
      });
    },
  };
}
