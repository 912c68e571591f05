import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import { newId, randomAlnum } from '../../core/random.ts';
import type { Sealer } from '../../crypto/seal.ts';
import type { Db } from '../../store/db.ts';
import {
  createOperatorQueries,
  type LiveSession,
  type OperatorRole,
  type OperatorRow,
  type SignInOutcome,
} from '../../store/queries/operators.ts';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { ROLES } from './roles.ts';
import { matchTotp, newTotpSecret, otpauthUri } from './totp.ts';

/** Session tokens start with this, so the guards know to look them up (and scanners spot them). */
export const SESSION_PREFIX = 'owxs_';
export const SESSION_HOURS = 12;
/** last_seen_at is written at most this often per session. */
const TOUCH_MS = 60_000;

/**
 * Failed sign-ins counted over THROTTLE_WINDOW_MS: past a limit, attempts are refused without
 * checking the password until the oldest counted failure leaves the window.
 */
export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const THROTTLE_LIMITS = { accountAndAddress: 5, account: 20, address: 50 } as const;

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export interface OperatorView {
  id: string;
  username: string;
  displayName: string;
  role: OperatorRole;
  totpEnabled: boolean;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export function operatorView(o: OperatorRow): OperatorView {
  return {
    id: o.id,
    username: o.username,
    displayName: o.display_name,
    role: o.role,
    totpEnabled: o.totp_secret !== null,
    disabled: o.disabled_at !== null,
    createdAt: o.created_at.toISOString(),
    lastSignInAt: o.last_sign_in_at?.toISOString() ?? null,
  };
}

export interface OperatorServiceDeps {
  db: Db;
  clock: Clock;
  sealer: Sealer;
  log?: Logger;
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const totpAad = (id: string) => `operator_totp:${id}`;

function normaliseUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

function requireUsername(raw: string): string {
  const username = normaliseUsername(raw);
  if (!USERNAME.test(username)) {
    throw new AppError(
      'username_invalid',
      'a username is 2–64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
      { details: { field: 'username', params: { reason: 'format', min: 2, max: 64 } } },
    );
  }
  return username;
}

function requirePassword(password: string, username: string, field = 'password'): void {
  const problem = passwordProblem(password, username);
  if (!problem) return;
  const text = {
    too_short: `a password has at least ${problem.min} characters`,
    too_long: `a password has at most ${problem.max} characters`,
    same_as_username: 'the password may not be the username',
  }[problem.reason];
  throw new AppError('password_rejected', text, {
    details: { field, params: { reason: problem.reason, min: problem.min, max: problem.max } },
  });
}

function requireRole(role: string): OperatorRole {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new AppError('bad_request', `role must be one of ${ROLES.join(', ')}`, {
      details: {
        field: 'role',
        params: { reason: 'role_unknown', allowed: ROLES, roles: ROLES.join(', ') },
      },
    });
  }
  return role as OperatorRole;
}

/** The live session a bearer token opens, or undefined (what the admin guards ask). */
export function createSessionAuthenticator(deps: { db: Db; clock: Clock }) {
  const q = createOperatorQueries(deps.db);
  return async (token: string): Promise<LiveSession | undefined> => {
    if (!token.startsWith(SESSION_PREFIX)) return undefined;
    const at = new Date(deps.clock.now());
    const s = await q.findSession(tokenHash(token), at);
    if (s && at.getTime() - s.last_seen_at.getTime() > TOUCH_MS) await q.touchSession(s.id, at);
    return s;
  };
}

export type OperatorService = ReturnType<typeof createOperatorService>;

export function createOperatorService(deps: OperatorServiceDeps) {
  const q = createOperatorQueries(deps.db);
  const log = deps.log ?? silentLogger;
  const now = () => new Date(deps.clock.now());

  async function require(id: string): Promise<OperatorRow> {
    const row = await q.findById(id);
    if (!row) {
      throw new AppError('not_found', `operator ${id} not found`, {
        details: { params: { reason: 'operator', id } },
      });
    }
    return row;
  }

  async function attempt(
    username: string,
    operatorId: string | null,
    ip: string,
    outcome: SignInOutcome,
  ): Promise<void> {
    await q.insertAttempt({ at: now(), username, operatorId, ip, outcome });
    if (outcome !== 'ok') log.warn({ username, ip, outcome }, 'sign-in refused');
    else log.info({ username, ip }, 'signed in');
  }

  /** The seconds until an attempt may be made, or 0 when none of the limits is reached. */
  async function throttledFor(username: string, ip: string): Promise<number> {
    const at = now();
    const f = await q.failuresSince(username, ip, new Date(at.getTime() - THROTTLE_WINDOW_MS));
    const waits: number[] = [];
    const wait = (oldest: Date | null) =>
      Math.max(
        1,
        Math.ceil(((oldest?.getTime() ?? at.getTime()) + THROTTLE_WINDOW_MS - +at) / 1000),
      );
    if (f.accountAndAddress >= THROTTLE_LIMITS.accountAndAddress)
      waits.push(wait(f.oldestAccountAndAddress));
    if (f.account >= THROTTLE_LIMITS.account) waits.push(wait(f.oldestAccount));
    if (f.address >= THROTTLE_LIMITS.address) waits.push(wait(f.oldestAddress));
    return waits.length ? Math.max(...waits) : 0;
  }

  const refused = () =>
    new AppError('sign_in_failed', 'the username or the password is not right', {
      details: { field: 'password', params: { reason: 'credentials' } },
    });

  async function openSession(o: OperatorRow, ip: string, userAgent: string | null) {
    const token = SESSION_PREFIX + randomAlnum(40);
    const at = now();
    const expiresAt = new Date(at.getTime() + SESSION_HOURS * 3600_000);
    await q.insertSession({
      id: newId(),
      operatorId: o.id,
      tokenHash: tokenHash(token),
      ip,
      userAgent,
      at,
      expiresAt,
    });
    await q.signedIn(o.id, at);
    return { token, expiresAt: expiresAt.toISOString(), operator: operatorView(o) };
  }

  return {
    async list(): Promise<OperatorView[]> {
      return (await q.list()).map(operatorView);
    },

    /** Whether any operator account exists (the console offers account sign-in first then). */
    hasAccounts: async (): Promise<boolean> => (await q.count()) > 0,

    async get(id: string): Promise<OperatorView> {
      return operatorView(await require(id));
    },

    async create(input: {
      username: string;
      displayName?: string | undefined;
      role: string;
      password: string;
    }): Promise<OperatorView> {
      const username = requireUsername(input.username);
      const role = requireRole(input.role);
      requirePassword(input.password, username);
      const row = await q.insert({
        id: newId(),
        username,
        displayName: input.displayName?.trim() || username,
        role,
        passwordHash: await hashPassword(input.password),
        at: now(),
      });
      if (!row) {
        throw new AppError('username_taken', `an operator named ${username} exists already`, {
          details: { field: 'username', params: { reason: 'operator_exists', username } },
        });
      }
      return operatorView(row);
    },

    /** Changes the name, role or disabled flag; disabling ends the operator's sessions. */
    async update(
      id: string,
      patch: { displayName?: string | undefined; role?: string | undefined; disabled?: boolean },
    ): Promise<OperatorView> {
      await require(id);
      const role = patch.role === undefined ? undefined : requireRole(patch.role);
      const displayName = patch.displayName?.trim();
      if (patch.displayName !== undefined && !displayName) {
        throw new AppError('bad_request', 'displayName may not be empty', {
          details: { field: 'displayName', params: { reason: 'display_name_empty' } },
        });
      }
      const row = await q.update(
        id,
        {
          ...(displayName ? { displayName } : {}),
          ...(role ? { role } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        },
        now(),
      );
      if (patch.disabled) await q.revokeSessionsOf(id, now());
      return operatorView(row ?? (await require(id)));
    },

    /** An administrator sets a new password; every session of that operator ends. */
    async resetPassword(id: string, password: string): Promise<void> {
      const o = await require(id);
      requirePassword(password, o.username);
      await q.setPassword(id, await hashPassword(password), now());
      await q.revokeSessionsOf(id, now());
    },

    /** An administrator removes an operator's second factor (a lost phone). */
    async resetTotp(id: string): Promise<void> {
      await require(id);
      await q.clearTotp(id, now());
    },

    async signIn(input: {
      username: string;
      password: string;
      code?: string | undefined;
      ip: string;
      userAgent?: string | undefined;
    }): Promise<{ token: string; expiresAt: string; operator: OperatorView }> {
      const username = normaliseUsername(input.username).slice(0, 64);
      const wait = await throttledFor(username, input.ip);
      if (wait > 0) {
        await attempt(username, null, input.ip, 'throttled');
        throw new AppError(
          'sign_in_throttled',
          `too many failed sign-ins; try again in ${wait} s`,
          { details: { params: { reason: 'too_many_failures', retryAfterSeconds: wait } } },
        );
      }
      const o = await q.findByUsername(username);
      const ok = await verifyPassword(input.password, o?.password_hash ?? (await decoyHash()));
      if (!o || !ok) {
        await attempt(username, o?.id ?? null, input.ip, o ? 'bad_password' : 'unknown_account');
        throw refused();
      }
      if (o.disabled_at) {
        await attempt(username, o.id, input.ip, 'disabled');
        throw refused();
      }
      if (o.totp_secret) {
        const code = input.code?.replace(/\s/g, '') ?? '';
        if (!code) {
          await attempt(username, o.id, input.ip, 'totp_required');
          throw new AppError('totp_required', 'enter the code from your authenticator app', {
            details: { field: 'code', params: { reason: 'code_missing' } },
          });
        }
        const secret = deps.sealer.open(o.totp_secret, totpAad(o.id));
        const step = matchTotp(secret, code, deps.clock.now());
        if (step === undefined || !(await q.useTotpStep(o.id, step))) {
          await attempt(username, o.id, input.ip, 'bad_totp');
          throw new AppError('totp_invalid', 'the code is not right or was used already', {
            details: { field: 'code', params: { reason: 'code_wrong_or_used' } },
          });
        }
      }
      await attempt(username, o.id, input.ip, 'ok');
      return openSession(o, input.ip, input.userAgent?.slice(0, 300) ?? null);
    },

    authenticate: createSessionAuthenticator(deps),

    async signOut(sessionId: string): Promise<void> {
      await q.revokeSession(sessionId, now());
    },

    /** An operator changes their own password; their other sessions end. */
    async changePassword(
      operatorId: string,
      sessionId: string,
      current: string,
      next: string,
    ): Promise<void> {
      const o = await require(operatorId);
      if (!(await verifyPassword(current, o.password_hash))) {
        throw new AppError('password_rejected', 'the current password is not right', {
          details: { field: 'currentPassword', params: { reason: 'current_wrong' } },
        });
      }
      requirePassword(next, o.username, 'newPassword');
      await q.setPassword(o.id, await hashPassword(next), now());
      await q.revokeSessionsOf(o.id, now(), sessionId);
    },

    /** Offers a new TOTP secret; it takes effect once a code from it is confirmed. */
    async beginTotp(operatorId: string): Promise<{ secret: string; otpauthUri: string }> {
      const o = await require(operatorId);
      if (o.totp_secret) {
        throw new AppError('conflict', 'two-step sign-in is on already; turn it off first', {
          details: { params: { reason: 'totp_enabled' } },
        });
      }
      const secret = newTotpSecret();
      await q.setPendingTotp(o.id, deps.sealer.seal(secret, totpAad(o.id)), now());
      return { secret, otpauthUri: otpauthUri(secret, o.username) };
    },

    async confirmTotp(operatorId: string, code: string): Promise<OperatorView> {
      const o = await require(operatorId);
      if (!o.totp_pending_secret) {
        throw new AppError('conflict', 'start two-step sign-in first', {
          details: { params: { reason: 'totp_not_started' } },
        });
      }
      const secret = deps.sealer.open(o.totp_pending_secret, totpAad(o.id));
      const step = matchTotp(secret, code.replace(/\s/g, ''), deps.clock.now());
      if (step === undefined) {
        throw new AppError('totp_invalid', 'the code is not right', {
          details: { field: 'code', params: { reason: 'code_wrong' } },
        });
      }
      await q.confirmTotp(o.id, o.totp_pending_secret, step, now());
      return operatorView(await require(o.id));
    },

    async disableTotp(operatorId: string, password: string): Promise<OperatorView> {
      const o = await require(operatorId);
      if (!(await verifyPassword(password, o.password_hash))) {
        throw new AppError('password_rejected', 'the password is not right', {
          details: { field: 'password', params: { reason: 'current_wrong' } },
        });
      }
      await q.clearTotp(o.id, now());
      return operatorView(await require(o.id));
    },

    async attempts(f: {
      limit: number;
      before?: number | undefined;
      username?: string | undefined;
      failedOnly?: boolean | undefined;
    }) {
      const rows = await q.listAttempts(f);
      return rows.map((r) => ({
        id: Number(r.id),
        at: r.at.toISOString(),
        username: r.username,
        operatorId: r.operator_id,
        ip: r.ip,
        outcome: r.outcome,
      }));
    },

    /** Usernames of operator ids (for the audit trail). */
    async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
      return q.namesOf(ids);
    },
  };
}
