import type { Queryable } from '../db.ts';

export interface AuthorizerRow {
  appid: string;
  status: 'authorized' | 'revoked';
  refresh_token_sealed: string | null;
  func_info: number[];
  info: Record<string, unknown> | null;
  authorized_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  updated_at: Date;
  tenant_id: string | null;
  /** Refreshes kept answering that the authorization is gone: scheduled refreshes stopped. */
  needs_attention: boolean;
  attention_reason: string | null;
  attention_at: Date | null;
}

export function createAuthorizerQueries(db: Queryable) {
  return {
    async findByAppid(appid: string): Promise<AuthorizerRow | undefined> {
      const res = await db.query<AuthorizerRow>('SELECT * FROM authorizers WHERE appid = $1', [
        appid,
      ]);
      return res.rows[0];
    },

    /** The account's original id (原始ID, gh_…) from its stored authorizer_info, when known. */
    async findUserName(appid: string): Promise<string | null> {
      const res = await db.query<{ user_name: string | null }>(
        "SELECT info->>'user_name' AS user_name FROM authorizers WHERE appid = $1",
        [appid],
      );
      return res.rows[0]?.user_name ?? null;
    },

    /** Creates or restores an authorizer with its (sealed) refresh token and permission sets. */
    async upsertAuthorized(a: {
      appid: string;
      refreshTokenSealed: string | null;
      funcInfo: number[];
      at: Date;
    }): Promise<void> {
      await db.query(
        `INSERT INTO authorizers (appid, status, refresh_token_sealed, func_info, authorized_at, created_at, updated_at)
         VALUES ($1, 'authorized', $2, $3, $4, $4, $4)
         ON CONFLICT (appid) DO UPDATE SET status = 'authorized',
           refresh_token_sealed = COALESCE(EXCLUDED.refresh_token_sealed, authorizers.refresh_token_sealed),
           func_info = EXCLUDED.func_info, authorized_at = EXCLUDED.authorized_at, revoked_at = NULL,
           updated_at = EXCLUDED.updated_at`,
        [a.appid, a.refreshTokenSealed, JSON.stringify(a.funcInfo), a.at],
      );
    },

    async updateRefreshToken(appid: string, refreshTokenSealed: string, at: Date): Promise<void> {
      await db.query(
        'UPDATE authorizers SET refresh_token_sealed = $2, updated_at = $3 WHERE appid = $1',
        [appid, refreshTokenSealed, at],
      );
    },

    async updateInfo(appid: string, info: Record<string, unknown>, at: Date): Promise<void> {
      await db.query('UPDATE authorizers SET info = $2, updated_at = $3 WHERE appid = $1', [
        appid,
        info,
        at,
      ]);
    },

    /** Soft delete: the row and its history stay; its access token and jsapi_ticket are dropped. */
    async markRevoked(appid: string, at: Date): Promise<boolean> {
      await db.query("DELETE FROM tokens WHERE kind <> 'component' AND appid = $1", [appid]);
      const res = await db.query(
        `UPDATE authorizers SET status = 'revoked', revoked_at = $2, updated_at = $2
         WHERE appid = $1 AND status = 'authorized'`,
        [appid, at],
      );
      return res.rowCount > 0;
    },

    async addHistory(
      appid: string,
      action: string,
      detail: Record<string, unknown>,
      at: Date,
    ): Promise<void> {
      await db.query(
        'INSERT INTO authorizer_history (appid, action, detail, at) VALUES ($1, $2, $3, $4)',
        [appid, action, detail, at],
      );
    },

    async history(
      appid: string,
    ): Promise<{ action: string; detail: Record<string, unknown>; at: Date }[]> {
      const res = await db.query<{ action: string; detail: Record<string, unknown>; at: Date }>(
        'SELECT action, detail, at FROM authorizer_history WHERE appid = $1 ORDER BY id DESC',
        [appid],
      );
      return res.rows;
    },

    async rememberCode(codeHash: string, appid: string, at: Date): Promise<void> {
      await db.query(
        'INSERT INTO authorization_codes (code_hash, appid, exchanged_at) VALUES ($1, $2, $3) ON CONFLICT (code_hash) DO NOTHING',
        [codeHash, appid, at],
      );
    },

    async findAppidByCode(codeHash: string): Promise<string | undefined> {
      const res = await db.query<{ appid: string }>(
        'SELECT appid FROM authorization_codes WHERE code_hash = $1',
        [codeHash],
      );
      return res.rows[0]?.appid;
    },

    /** Gives an authorizer to a tenant unless it already belongs to one; returns the owner. */
    async claimForTenant(appid: string, tenantId: string): Promise<string | null> {
      await db.query(
        'UPDATE authorizers SET tenant_id = $2 WHERE appid = $1 AND tenant_id IS NULL',
        [appid, tenantId],
      );
      const res = await db.query<{ tenant_id: string | null }>(
        'SELECT tenant_id FROM authorizers WHERE appid = $1',
        [appid],
      );
      return res.rows[0]?.tenant_id ?? null;
    },

    async setTenant(appid: string, tenantId: string | null, at: Date): Promise<boolean> {
      const res = await db.query(
        'UPDATE authorizers SET tenant_id = $2, updated_at = $3 WHERE appid = $1',
        [appid, tenantId, at],
      );
      return res.rowCount > 0;
    },

    /**
     * Marks an authorized authorizer as needing attention; true when this changed its state
     * (false when it already needed attention, is revoked or unknown).
     */
    async markNeedsAttention(appid: string, reason: string, at: Date): Promise<boolean> {
      const res = await db.query(
        `UPDATE authorizers SET needs_attention = true, attention_reason = $2, attention_at = $3
         WHERE appid = $1 AND status = 'authorized' AND NOT needs_attention`,
        [appid, reason, at],
      );
      return res.rowCount > 0;
    },

    /** Clears needs_attention; true when the authorizer needed attention before. */
    async clearNeedsAttention(appid: string, at: Date): Promise<boolean> {
      const res = await db.query(
        `UPDATE authorizers SET needs_attention = false, attention_reason = NULL, attention_at = $2
         WHERE appid = $1 AND needs_attention`,
        [appid, at],
      );
      return res.rowCount > 0;
    },

    /** Authorized authorizers that need attention (for the overview). */
    async countNeedsAttention(): Promise<number> {
      const res = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM authorizers WHERE needs_attention AND status = 'authorized'",
      );
      return Number(res.rows[0]?.n ?? 0);
    },
  };
}
