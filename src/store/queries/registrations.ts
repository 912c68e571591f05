import type { Queryable } from '../db.ts';

export type RegistrationStatus =
  'pending' | 'awaiting_legal_person' | 'awaiting_user' | 'succeeded' | 'failed';

export interface RegistrationRow {
  id: string;
  kind: 'enterprise' | 'personal' | 'beta';
  tenant_id: string | null;
  status: RegistrationStatus;
  request: Record<string, unknown>;
  match_key: string | null;
  taskid: string | null;
  unique_id: string | null;
  authorize_url: string | null;
  appid: string | null;
  last_message: string;
  failure_reason: string | null;
  verify_status: string | null;
  verify_message: string | null;
  /** The URL the legal person opens to convert a trial mini program (new version). */
  verify_url: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface UnmatchedRow {
  id: number;
  event_id: number;
  info_type: string;
  appid: string | null;
  status: string | null;
  msg: string | null;
  info: Record<string, unknown>;
  received_at: Date;
}

type Patch = Partial<
  Pick<
    RegistrationRow,
    | 'status'
    | 'request'
    | 'match_key'
    | 'taskid'
    | 'unique_id'
    | 'authorize_url'
    | 'appid'
    | 'last_message'
    | 'failure_reason'
    | 'verify_status'
    | 'verify_message'
    | 'verify_url'
  >
> & { at: Date };

const COLUMNS = new Set([
  'status',
  'request',
  'match_key',
  'taskid',
  'unique_id',
  'authorize_url',
  'appid',
  'last_message',
  'failure_reason',
  'verify_status',
  'verify_message',
  'verify_url',
]);

export function createRegistrationQueries(db: Queryable) {
  const one = async (sql: string, params: unknown[]) =>
    (await db.query<RegistrationRow>(sql, params)).rows[0];
  return {
    async insert(r: {
      id: string;
      kind: RegistrationRow['kind'];
      tenantId: string | null;
      request: Record<string, unknown>;
      matchKey: string | null;
      at: Date;
    }): Promise<void> {
      await db.query(
        `INSERT INTO registrations (id, kind, tenant_id, status, request, match_key, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $6)`,
        [r.id, r.kind, r.tenantId, r.request, r.matchKey, r.at],
      );
    },

    async update(id: string, patch: Patch): Promise<void> {
      const sets: string[] = [];
      const params: unknown[] = [id];
      for (const [k, v] of Object.entries(patch)) {
        if (k === 'at' || !COLUMNS.has(k)) continue;
        params.push(v);
        sets.push(`${k} = $${params.length}`);
      }
      params.push(patch.at);
      sets.push(`updated_at = $${params.length}`);
      await db.query(`UPDATE registrations SET ${sets.join(', ')} WHERE id = $1`, params);
    },

    async remove(id: string): Promise<void> {
      await db.query('DELETE FROM registrations WHERE id = $1', [id]);
    },

    find: (id: string) => one('SELECT * FROM registrations WHERE id = $1', [id]),

    /** The newest task with this key; open ones first. */
    findOpenByKey: (key: string) =>
      one(
        `SELECT * FROM registrations WHERE match_key = $1
         ORDER BY (status IN ('succeeded', 'failed')), created_at DESC LIMIT 1`,
        [key],
      ),

    findByTaskid: (taskid: string) =>
      taskid
        ? one('SELECT * FROM registrations WHERE taskid = $1 ORDER BY created_at DESC LIMIT 1', [
            taskid,
          ])
        : Promise.resolve(undefined),

    findBetaByAppid: (appid: string) =>
      one(
        `SELECT * FROM registrations WHERE kind = 'beta' AND appid = $1
         ORDER BY created_at DESC LIMIT 1`,
        [appid],
      ),

    async list(f: {
      status?: string;
      kind?: string;
      tenant_id?: string;
    }): Promise<RegistrationRow[]> {
      const res = await db.query<RegistrationRow>(
        `SELECT * FROM registrations
         WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
           AND ($3::text IS NULL OR tenant_id = $3)
         ORDER BY created_at DESC LIMIT 500`,
        [f.status ?? null, f.kind ?? null, f.tenant_id ?? null],
      );
      return res.rows;
    },

    async addUnmatched(u: {
      eventId: number;
      infoType: string;
      appid: string | null;
      status: string;
      msg: string;
      info: Record<string, unknown>;
      at: Date;
    }): Promise<void> {
      await db.query(
        `INSERT INTO registration_unmatched (event_id, info_type, appid, status, msg, info, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
        [u.eventId, u.infoType, u.appid, u.status, u.msg, u.info, u.at],
      );
    },

    async listUnmatched(): Promise<UnmatchedRow[]> {
      const res = await db.query<UnmatchedRow>(
        'SELECT * FROM registration_unmatched ORDER BY id DESC LIMIT 500',
      );
      return res.rows;
    },
  };
}
