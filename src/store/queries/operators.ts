import type { Queryable } from '../db.ts';

export type OperatorRole = 'admin' | 'operator' | 'viewer';

export interface OperatorRow {
  id: string;
  username: string;
  display_name: string;
  role: OperatorRole;
  /** scrypt parameters, salt and hash (see services/operators/password.ts). */
  password_hash: string;
  /** Sealed TOTP secret once enrolment is confirmed. */
  totp_secret: string | null;
  /** Sealed TOTP secret offered, waiting for its first code. */
  totp_pending_secret: string | null;
  /** The last 30-second step a code was accepted for (a code is used once). */
  totp_last_step: string | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
  last_sign_in_at: Date | null;
}

export interface SessionRow {
  id: string;
  operator_id: string;
  ip: string;
  user_agent: string | null;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  revoked_at: Date | null;
}

export interface LiveSession {
  id: string;
  operator_id: string;
  expires_at: Date;
  last_seen_at: Date;
  username: string;
  display_name: string;
  role: OperatorRole;
}

export type SignInOutcome =
  | 'ok'
  | 'bad_password'
  | 'unknown_account'
  | 'disabled'
  | 'totp_required'
  | 'bad_totp'
  | 'throttled';

export interface SignInAttemptRow {
  id: string;
  at: Date;
  username: string;
  operator_id: string | null;
  ip: string;
  outcome: SignInOutcome;
}

export interface FailureCounts {
  accountAndAddress: number;
  account: number;
  address: number;
  /** When the oldest failure counted for the account and address was made. */
  oldestAccountAndAddress: Date | null;
  oldestAccount: Date | null;
  oldestAddress: Date | null;
}

const FAILED = `outcome NOT IN ('ok', 'throttled', 'totp_required')`;

export function createOperatorQueries(db: Queryable) {
  return {
    async insert(o: {
      id: string;
      username: string;
      displayName: string;
      role: OperatorRole;
      passwordHash: string;
      at: Date;
    }): Promise<OperatorRow | undefined> {
      const res = await db.query<OperatorRow>(
        `INSERT INTO operators (id, username, display_name, role, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (username) DO NOTHING RETURNING *`,
        [o.id, o.username, o.displayName, o.role, o.passwordHash, o.at],
      );
      return res.rows[0];
    },

    async list(): Promise<OperatorRow[]> {
      const res = await db.query<OperatorRow>('SELECT * FROM operators ORDER BY username');
      return res.rows;
    },

    async count(): Promise<number> {
      const res = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM operators');
      return res.rows[0]?.n ?? 0;
    },

    async findById(id: string): Promise<OperatorRow | undefined> {
      const res = await db.query<OperatorRow>('SELECT * FROM operators WHERE id = $1', [id]);
      return res.rows[0];
    },

    async findByUsername(username: string): Promise<OperatorRow | undefined> {
      const res = await db.query<OperatorRow>('SELECT * FROM operators WHERE username = $1', [
        username,
      ]);
      return res.rows[0];
    },

    async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const res = await db.query<{ id: string; username: string }>(
        'SELECT id, username FROM operators WHERE id = ANY($1::text[])',
        [ids],
      );
      return new Map(res.rows.map((r) => [r.id, r.username]));
    },

    async update(
      id: string,
      patch: { displayName?: string; role?: OperatorRole; disabled?: boolean },
      at: Date,
    ): Promise<OperatorRow | undefined> {
      const res = await db.query<OperatorRow>(
        `UPDATE operators SET
           display_name = COALESCE($2, display_name),
           role = COALESCE($3, role),
           disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at
                              WHEN $4 THEN COALESCE(disabled_at, $5) ELSE NULL END,
           updated_at = $5
         WHERE id = $1 RETURNING *`,
        [id, patch.displayName ?? null, patch.role ?? null, patch.disabled ?? null, at],
      );
      return res.rows[0];
    },

    async setPassword(id: string, passwordHash: string, at: Date): Promise<boolean> {
      const res = await db.query(
        'UPDATE operators SET password_hash = $2, updated_at = $3 WHERE id = $1',
        [id, passwordHash, at],
      );
      return res.rowCount > 0;
    },

    async setPendingTotp(id: string, sealed: string | null, at: Date): Promise<void> {
      await db.query(
        'UPDATE operators SET totp_pending_secret = $2, updated_at = $3 WHERE id = $1',
        [id, sealed, at],
      );
    },

    /** Confirms enrolment: the pending secret becomes the secret, `step` is used. */
    async confirmTotp(id: string, sealed: string, step: number, at: Date): Promise<void> {
      await db.query(
        `UPDATE operators SET totp_secret = $2, totp_pending_secret = NULL, totp_last_step = $3,
           updated_at = $4 WHERE id = $1`,
        [id, sealed, step, at],
      );
    },

    async clearTotp(id: string, at: Date): Promise<boolean> {
      const res = await db.query(
        `UPDATE operators SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL,
           updated_at = $2 WHERE id = $1`,
        [id, at],
      );
      return res.rowCount > 0;
    },

    /**
     * Marks `step` used if it is later than the last one used: false when the code (or an older
     * one) was used already, so a code cannot be replayed within its window.
     */
    async useTotpStep(id: string, step: number): Promise<boolean> {
      const res = await db.query(
        `UPDATE operators SET totp_last_step = $2
         WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
        [id, step],
      );
      return res.rowCount > 0;
    },

    async signedIn(id: string, at: Date): Promise<void> {
      await db.query('UPDATE operators SET last_sign_in_at = $2 WHERE id = $1', [id, at]);
    },

    async insertSession(s: {
      id: string;
      operatorId: string;
      tokenHash: string;
      ip: string;
      userAgent: string | null;
      at: Date;
      expiresAt: Date;
    }): Promise<void> {
      await db.query(
        `INSERT INTO operator_sessions (id, operator_id, token_hash, ip, user_agent, created_at,
           expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $6)`,
        [s.id, s.operatorId, s.tokenHash, s.ip, s.userAgent, s.at, s.expiresAt],
      );
    },

    /** The live session with this token hash and who it belongs to (an enabled operator). */
    async findSession(tokenHash: string, now: Date): Promise<LiveSession | undefined> {
      const res = await db.query<LiveSession>(
        `SELECT s.id, s.operator_id, s.expires_at, s.last_seen_at, o.username, o.display_name,
                o.role
         FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
           AND o.disabled_at IS NULL`,
        [tokenHash, now],
      );
      return res.rows[0];
    },

    async touchSession(id: string, at: Date): Promise<void> {
      await db.query('UPDATE operator_sessions SET last_seen_at = $2 WHERE id = $1', [id, at]);
    },

    async revokeSession(id: string, at: Date): Promise<void> {
      await db.query(
        'UPDATE operator_sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1',
        [id, at],
      );
    },

    /** Ends every session of an operator except `keep` (the one changing its password). */
    async revokeSessionsOf(operatorId: string, at: Date, keep?: string): Promise<number> {
      const res = await db.query(
        `UPDATE operator_sessions SET revoked_at = $2
         WHERE operator_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3`,
        [operatorId, at, keep ?? null],
      );
      return res.rowCount;
    },

    async insertAttempt(a: {
      at: Date;
      username: string;
      operatorId: string | null;
      ip: string;
      outcome: SignInOutcome;
    }): Promise<void> {
      await db.query(
        `INSERT INTO sign_in_attempts (at, username, operator_id, ip, outcome)
         VALUES ($1, $2, $3, $4, $5)`,
        [a.at, a.username, a.operatorId, a.ip, a.outcome],
      );
    },

    /** Failed attempts since `since`: for this account from this address, the account, the address. */
    async failuresSince(username: string, ip: string, since: Date): Promise<FailureCounts> {
      const res = await db.query<{
        both: number;
        account: number;
        address: number;
        oldest_both: Date | null;
        oldest_account: Date | null;
        oldest_address: Date | null;
      }>(
        `SELECT
           count(*) FILTER (WHERE username = $1 AND ip = $2)::int AS both,
           count(*) FILTER (WHERE username = $1)::int AS account,
           count(*) FILTER (WHERE ip = $2)::int AS address,
           min(at) FILTER (WHERE username = $1 AND ip = $2) AS oldest_both,
           min(at) FILTER (WHERE username = $1) AS oldest_account,
           min(at) FILTER (WHERE ip = $2) AS oldest_address
         FROM sign_in_attempts
         WHERE at > $3 AND (username = $1 OR ip = $2) AND ${FAILED}`,
        [username, ip, since],
      );
      const r = res.rows[0];
      return {
        accountAndAddress: r?.both ?? 0,
        account: r?.account ?? 0,
        address: r?.address ?? 0,
        oldestAccountAndAddress: r?.oldest_both ?? null,
        oldestAccount: r?.oldest_account ?? null,
        oldestAddress: r?.oldest_address ?? null,
      };
    },

    async listAttempts(f: {
      limit: number;
      before?: number | undefined;
      username?: string | undefined;
      failedOnly?: boolean | undefined;
    }): Promise<SignInAttemptRow[]> {
      const res = await db.query<SignInAttemptRow>(
        `SELECT id::text AS id, at, username, operator_id, ip, outcome FROM sign_in_attempts
         WHERE ($2::bigint IS NULL OR id < $2) AND ($3::text IS NULL OR username = $3)
           AND (NOT $4 OR outcome <> 'ok')
         ORDER BY id DESC LIMIT $1`,
        [f.limit, f.before ?? null, f.username ?? null, f.failedOnly ?? false],
      );
      return res.rows;
    },
  };
}
