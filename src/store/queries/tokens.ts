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
  /** When the scheduler refreshes this token next (null: as soon as possible). */
  refresh_at: Date | null;
}

/** A due token claimed by one instance for a scheduled refresh. */
export interface ClaimedToken {
  key: string;
  kind: TokenKind;
  appid: string;
  expires_at: Date | null;
  failures: number;
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
      /** When the scheduler refreshes it next (default: at expiry). */
      refreshAt?: Date;
    }): Promise<void> {
      await db.query(
        `INSERT INTO tokens (key, kind, appid, token_sealed, token_hash, expires_at, refreshed_at, refresh_count, failures, refresh_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 0, $8)
         ON CONFLICT (key) DO UPDATE SET token_sealed = EXCLUDED.token_sealed, token_hash = EXCLUDED.token_hash,
           expires_at = EXCLUDED.expires_at, refreshed_at = EXCLUDED.refreshed_at,
           refresh_count = tokens.refresh_count + 1, failures = 0, refresh_at = EXCLUDED.refresh_at`,
        [
          row.key,
          row.kind,
          row.appid,
          row.tokenSealed,
          row.tokenHash,
          row.expiresAt,
          row.refreshedAt,
          row.refreshAt ?? row.expiresAt,
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

    /**
     * Counts a failed refresh and pushes the next scheduled one out: `backoff.baseMs` doubled per
     * failure in a row, at most `backoff.capMs`, times `backoff.jitter` (e.g. 0.8–1.2). Returns
     * the failures in a row, this one included.
     */
    async recordFailure(
      key: string,
      kind: string,
      appid: string,
      error: string,
      at: Date,
      backoff?: { baseMs: number; capMs: number; jitter: number },
    ): Promise<number> {
      const b = backoff ?? { baseMs: 0, capMs: 0, jitter: 1 };
      const res = await db.query<{ failures: number }>(
        `INSERT INTO tokens (key, kind, appid, failures, last_error, last_error_at, refresh_at)
         VALUES ($1, $2, $3, 1, $4, $5, $5::timestamptz + make_interval(secs => $6::float8 * $8::float8 / 1000))
         ON CONFLICT (key) DO UPDATE SET failures = tokens.failures + 1, last_error = EXCLUDED.last_error,
           last_error_at = EXCLUDED.last_error_at,
           refresh_at = CASE WHEN $6::float8 > 0 THEN EXCLUDED.last_error_at + make_interval(secs =>
             LEAST($7::float8, $6::float8 * power(2, LEAST(tokens.failures, 30))) * $8::float8 / 1000)
             ELSE tokens.refresh_at END
         RETURNING failures`,
        [key, kind, appid, error, at, b.baseMs, b.capMs, b.jitter],
      );
      return res.rows[0]?.failures ?? 1;
    },

    /**
     * Claims up to `limit` due authorizer tokens and jsapi_tickets (earliest due first) of
     * authorized authorizers that need no attention, by moving their refresh time to `until`:
     * other instances skip them until then (FOR UPDATE SKIP LOCKED while claiming).
     */
    async claimDue(now: Date, until: Date, limit: number): Promise<ClaimedToken[]> {
      const res = await db.query<ClaimedToken>(
        `WITH due AS (
           SELECT t.key FROM tokens t JOIN authorizers a ON a.appid = t.appid
           WHERE t.kind <> 'component' AND (t.refresh_at IS NULL OR t.refresh_at <= $1)
             AND a.status = 'authorized' AND NOT a.needs_attention
           ORDER BY t.refresh_at NULLS FIRST LIMIT $3
           FOR UPDATE OF t SKIP LOCKED)
         UPDATE tokens SET refresh_at = $2 FROM due WHERE tokens.key = due.key
         RETURNING tokens.key, tokens.kind, tokens.appid, tokens.expires_at, tokens.failures`,
        [now, until, limit],
      );
      return res.rows;
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
