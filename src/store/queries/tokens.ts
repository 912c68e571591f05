import type { Queryable } from '../db.ts';

/** What a row of `tokens` holds: an access token, or an official account's jsapi_ticket. */
export type TokenKind = 'component' | 'authorizer' | 'jsapi_ticket';

export interface TokenRow {
  key: string;
  kind: TokenKind;
  appid: string;
  token_sealed: string | null;
  token_hash: string | null;
  expires_at: Date | null;
  refreshed_at: Date | null;
  refresh_count: number;
  failures: number;
  last_error: string | null;
  last_error_at: Date | null;
}

export function createTokenQueries(db: Queryable) {
  return {
    async findByKey(key: string): Promise<TokenRow | undefined> {
      const res = await db.query<TokenRow>('SELECT * FROM tokens WHERE key = $1', [key]);
      return res.rows[0];
    },

    async save(row: {
      key: string;
      kind: TokenKind;
      appid: string;
      tokenSealed: string;
      tokenHash: string;
      expiresAt: Date;
      refreshedAt: Date;
    }): Promise<void> {
      await db.query(
        `INSERT INTO tokens (key, kind, appid, token_sealed, token_hash, expires_at, refreshed_at, refresh_count, failures)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 0)
         ON CONFLICT (key) DO UPDATE SET token_sealed = EXCLUDED.token_sealed, token_hash = EXCLUDED.token_hash,
           expires_at = EXCLUDED.expires_at, refreshed_at = EXCLUDED.refreshed_at,
           refresh_count = tokens.refresh_count + 1, failures = 0`,
        [
          row.key,
          row.kind,
          row.appid,
          row.tokenSealed,
          row.tokenHash,
          row.expiresAt,
          row.refreshedAt,
        ],
      );
    },

    /** Forgets the token only if `tokenHash` is still the current one; true if it was. */
    async invalidateIfCurrent(key: string, tokenHash: string): Promise<boolean> {
      const res = await db.query(
        'UPDATE tokens SET token_sealed = NULL, token_hash = NULL, expires_at = NULL WHERE key = $1 AND token_hash = $2',
        [key, tokenHash],
      );
      return res.rowCount > 0;
    },

    async recordFailure(
      key: string,
      kind: string,
      appid: string,
      error: string,
      at: Date,
    ): Promise<void> {
      await db.query(
        `INSERT INTO tokens (key, kind, appid, failures, last_error, last_error_at) VALUES ($1, $2, $3, 1, $4, $5)
         ON CONFLICT (key) DO UPDATE SET failures = tokens.failures + 1, last_error = EXCLUDED.last_error,
           last_error_at = EXCLUDED.last_error_at`,
        [key, kind, appid, error, at],
      );
    },

    /** Tokens that expire before `before` (or have none), for the refresh-ahead scheduler. */
    async findDue(before: Date, limit: number): Promise<TokenRow[]> {
      const res = await db.query<TokenRow>(
        `SELECT t.* FROM tokens t LEFT JOIN authorizers a ON t.kind <> 'component' AND a.appid = t.appid
         WHERE (t.expires_at IS NULL OR t.expires_at < $1)
           AND (t.kind = 'component' OR a.status = 'authorized')
         ORDER BY t.expires_at NULLS FIRST LIMIT $2`,
        [before, limit],
      );
      return res.rows;
    },

    async listAll(): Promise<TokenRow[]> {
      const res = await db.query<TokenRow>('SELECT * FROM tokens ORDER BY key');
      return res.rows;
    },
  };
}
