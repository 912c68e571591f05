import type { Queryable } from '../db.ts';

export interface LinkRow {
  token: string;
  tenant_id: string | null;
  pre_auth_code_hash: string;
  pc_url: string;
  mobile_url: string;
  redirect: string | null;
  expires_at: Date;
  created_at: Date;
  used_at: Date | null;
  appid: string | null;
}

export function createLinkQueries(db: Queryable) {
  return {
    async insert(l: Omit<LinkRow, 'used_at' | 'appid'>): Promise<void> {
      await db.query(
        `INSERT INTO authorization_links (token, tenant_id, pre_auth_code_hash, pc_url, mobile_url, redirect, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          l.token,
          l.tenant_id,
          l.pre_auth_code_hash,
          l.pc_url,
          l.mobile_url,
          l.redirect,
          l.expires_at,
          l.created_at,
        ],
      );
    },
    async findByToken(token: string): Promise<LinkRow | undefined> {
      const res = await db.query<LinkRow>('SELECT * FROM authorization_links WHERE token = $1', [
        token,
      ]);
      return res.rows[0];
    },
    async findByPreAuthCodeHash(hash: string): Promise<LinkRow | undefined> {
      const res = await db.query<LinkRow>(
        'SELECT * FROM authorization_links WHERE pre_auth_code_hash = $1',
        [hash],
      );
      return res.rows[0];
    },
    async markUsed(token: string, appid: string, at: Date): Promise<void> {
      await db.query(
        'UPDATE authorization_links SET used_at = COALESCE(used_at, $3), appid = $2 WHERE token = $1',
        [token, appid, at],
      );
    },
  };
}
