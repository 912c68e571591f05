import type { Queryable } from '../db.ts';

/** ICP filings of mini programs (`icp_filings`) and their history (`icp_filing_history`). */
export type IcpState =
  | 'not_started'
  | 'verification'
  | 'materials'
  | 'submitted'
  | 'under_review'
  | 'filed'
  | 'rejected';

export interface IcpAuditItem {
  key_name: string;
  error: string;
  suggest: string;
}

export interface IcpMediaItem {
  media_id: string;
  type: 'image' | 'video';
  icp_order_field: string;
  certificate_type: number | null;
  created_at: number | null;
}

export interface IcpFilingRow {
  appid: string;
  state: IcpState;
  wechat_status: number | null;
  is_canceling: boolean;
  audit_data: IcpAuditItem[];
  verify_task_id: string | null;
  face_status: number | null;
  media: IcpMediaItem[];
  updated_at: Date;
}

export interface IcpHistoryRow {
  id: number;
  appid: string;
  kind: string;
  state: IcpState;
  detail: Record<string, unknown>;
  actor: string;
  event_id: number | null;
  at: Date;
}

export type IcpPatch = Partial<Omit<IcpFilingRow, 'appid' | 'updated_at'>>;

const COLUMNS = [
  'state',
  'wechat_status',
  'is_canceling',
  'audit_data',
  'verify_task_id',
  'face_status',
  'media',
] as const;
const JSON_COLUMNS = new Set(['audit_data', 'media']);

export function createIcpQueries(db: Queryable) {
  return {
    async find(appid: string): Promise<IcpFilingRow | undefined> {
      const res = await db.query<IcpFilingRow>('SELECT * FROM icp_filings WHERE appid = $1', [
        appid,
      ]);
      return res.rows[0];
    },

    /** Reads the filing for an update in this transaction (FOR UPDATE), creating it if new. */
    async lock(appid: string, at: Date): Promise<IcpFilingRow> {
      await db.query(
        `INSERT INTO icp_filings (appid, state, updated_at) VALUES ($1, 'not_started', $2)
         ON CONFLICT (appid) DO NOTHING`,
        [appid, at],
      );
      const res = await db.query<IcpFilingRow>(
        'SELECT * FROM icp_filings WHERE appid = $1 FOR UPDATE',
        [appid],
      );
      const row = res.rows[0];
      if (!row) throw new Error(`icp filing ${appid} vanished`);
      return row;
    },

    async update(appid: string, patch: IcpPatch, at: Date): Promise<void> {
      const sets: string[] = [];
      const values: unknown[] = [appid, at];
      for (const col of COLUMNS) {
        if (patch[col] === undefined) continue;
        values.push(JSON_COLUMNS.has(col) ? JSON.stringify(patch[col]) : patch[col]);
        sets.push(`${col} = $${values.length}${JSON_COLUMNS.has(col) ? '::jsonb' : ''}`);
      }
      await db.query(
        `UPDATE icp_filings SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE appid = $1`,
        values,
      );
    },

    /** Records a step; false when its push (event_id) was recorded already. */
    async addHistory(row: Omit<IcpHistoryRow, 'id'>): Promise<boolean> {
      const res = await db.query(
        `INSERT INTO icp_filing_history (appid, kind, state, detail, actor, event_id, at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
        [
          row.appid,
          row.kind,
          row.state,
          JSON.stringify(row.detail),
          row.actor,
          row.event_id,
          row.at,
        ],
      );
      return (res.rowCount ?? 0) > 0;
    },

    async history(appid: string, limit = 100): Promise<IcpHistoryRow[]> {
      const res = await db.query<IcpHistoryRow>(
        `SELECT * FROM icp_filing_history WHERE appid = $1 ORDER BY id DESC LIMIT $2`,
        [appid, limit],
      );
      return res.rows.map((r) => ({
        ...r,
        id: Number(r.id),
        event_id: r.event_id === null ? null : Number(r.event_id),
      }));
    },

    /** Whether a push was recorded already (so that its job does its work once). */
    async hasEvent(eventId: number): Promise<boolean> {
      const res = await db.query('SELECT 1 FROM icp_filing_history WHERE event_id = $1', [eventId]);
      return res.rows.length > 0;
    },
  };
}
