import type { Queryable } from '../db.ts';

export interface NewAuditEntry {
  at: Date;
  actorKind: string;
  actorId: string | null;
  ip: string;
  method: string;
  route: string;
  params: Record<string, string>;
  appid: string | null;
  status: number;
  requestId: string;
  body: unknown;
  before: unknown;
  after: unknown;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor_kind: string;
  actor_id: string | null;
  /** The operator's username (operator accounts), else null. */
  actor_name: string | null;
  ip: string;
  method: string;
  route: string;
  params: Record<string, string>;
  appid: string | null;
  status: number;
  request_id: string;
  body: unknown;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  actor?: string | undefined;
  route?: string | undefined;
  method?: string | undefined;
  appid?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  before?: number | undefined;
  limit: number;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** The audit trail: inserted and read, never updated or deleted. */
export function createAuditLogQueries(db: Queryable) {
  return {
    async insert(e: NewAuditEntry): Promise<number> {
      const res = await db.query<{ id: number }>(
        `INSERT INTO audit_log (at, actor_kind, actor_id, ip, method, route, params, appid, status,
           request_id, body, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11::jsonb, $12::jsonb, $13::jsonb)
         RETURNING id`,
        [
          e.at,
          e.actorKind,
          e.actorId,
          e.ip,
          e.method,
          e.route,
          JSON.stringify(e.params),
          e.appid,
          e.status,
          e.requestId,
          json(e.body),
          json(e.before),
          json(e.after),
        ],
      );
      return Number(res.rows[0]?.id);
    },

    /**
     * Newest first. `actor` matches the actor kind, id or operator username, `route` the route pattern, `method` the HTTP method, `appid` the
     * :appid of the route; `since` inclusive and `until` exclusive bound the time.
     */
    async list(f: AuditFilter): Promise<AuditRow[]> {
      const res = await db.query<AuditRow>(
        `SELECT a.id, a.at, a.actor_kind, a.actor_id, o.username AS actor_name, a.ip, a.method,
                a.route, a.params, a.appid, a.status, a.request_id, a.body, a.before, a.after
         FROM audit_log a
         LEFT JOIN operators o ON a.actor_kind = 'operator' AND o.id = a.actor_id
         WHERE ($1::text IS NULL OR a.actor_kind = $1 OR a.actor_id = $1 OR o.username = $1)
           AND ($2::text IS NULL OR a.route = $2) AND ($3::text IS NULL OR a.appid = $3)
           AND ($4::timestamptz IS NULL OR a.at >= $4) AND ($5::timestamptz IS NULL OR a.at < $5)
           AND ($6::bigint IS NULL OR a.id < $6) AND ($8::text IS NULL OR a.method = $8)
         ORDER BY a.id DESC LIMIT $7`,
        [
          f.actor ?? null,
          f.route ?? null,
          f.appid ?? null,
          f.since ?? null,
          f.until ?? null,
          f.before ?? null,
          f.limit,
          f.method ?? null,
        ],
      );
      return res.rows.map((r) => ({ ...r, id: Number(r.id) }));
    },
  };
}

export type AuditLogQueries = ReturnType<typeof createAuditLogQueries>;
