import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { sleep as realSleep } from '../core/clock.ts';
import { AppError, errorMessage } from '../core/errors.ts';
import { noopMetrics, silentLogger, type Logger, type Metrics } from '../core/metrics.ts';
import { newId } from '../core/random.ts';
import type { Sealer } from '../crypto/seal.ts';
import type { Db, Queryable } from '../store/db.ts';
import { createAuthorizerQueries } from '../store/queries/authorizers.ts';
import { createLockQueries } from '../store/queries/locks.ts';
import type { NewEvent } from '../store/queries/events.ts';
import { createTicketQueries, insertTicketPush } from '../store/queries/tickets.ts';
import { createTokenQueries, type TokenKind } from '../store/queries/tokens.ts';
import type { TokenSource, WechatClient } from '../wechat/client.ts';
import { WechatApiError } from '../wechat/errors.ts';
import {
  ATTENTION_AFTER_FAILURES,
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffJitter,
  DEFAULT_REFRESH_CONCURRENCY,
  isAuthorizationGone,
  nextRefreshAt,
} from './refresh-policy.ts';
import { createRefreshScheduler } from './refresh-scheduler.ts';

/**
 * WeChat's errcode at the head of a stored attention reason ("61003 component is not authorized"),
 * as `{ errcode }` for an error's params, or nothing when the reason does not start with one.
 */
export function attentionErrcode(reason: string | null): { errcode?: number } {
  const m = /^(-?\d+)\b/.exec(reason ?? '');
  return m?.[1] === undefined ? {} : { errcode: Number(m[1]) };
}

/**
 * The credentials of the platform and of every authorizer, kept in the database (sealed) and
 * refreshed once across all processes sharing it: a process-local single-flight in front of a
 * lease lock in the database. Reference: ../shared/wechat/01 §2, §4.2, §4.6.
 */
export const TICKET_VALIDITY_MS = 12 * 3600_000;
/** A token closer than this to its expiry is refreshed before it is handed out. */
const MIN_VALIDITY_MS = 60_000;
const LOCK_LEASE_MS = 60_000;
const WAIT_POLL_MS = 50;
const WAIT_LIMIT_MS = 30_000;
/**
 * A token that WeChat calls stale is replaced at most once per this window per token (kind and
 * appid), across all instances: a caller whose calls keep answering 40001 cannot force a refresh
 * on every call. Later stale answers inside the window reach the caller as they are.
 */
export const STALE_REFRESH_WINDOW_MS = 60_000;

export interface IssuedToken {
  access_token: string;
  expires_at: string;
}

export interface IssuedTicket {
  ticket: string;
  expires_at: string;
}

export interface TokenServiceDeps {
  db: Db;
  sealer: Sealer;
  client: WechatClient;
  clock: Clock;
  component: { appid: string; appsecret: string };
  refreshAheadMs: number;
  metrics?: Metrics;
  log?: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Identifies this process in lease locks. */
  holderId?: string;
  /** Told after a token was obtained (errors are logged, never thrown). */
  onRefreshed?(e: { kind: string; appid: string } & IssuedToken): Promise<void> | void;
  /**
   * Told after a refresh failed (errors are logged, never thrown). When the authorization is
   * gone (61003, 61023) it is told once, when the authorizer starts needing attention.
   */
  onRefreshFailed?(e: { kind: string; appid: string; error: string }): Promise<void> | void;
  /** Numbers in [0, 1) that spread refresh times and retries (default Math.random). */
  random?: () => number;
  /** Scheduled refreshes in flight at once in this process (default 8). */
  refreshConcurrency?: number;
}

export type TokenService = ReturnType<typeof createTokenService>;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const componentKey = 'component';
const authorizerKey = (appid: string) => `authorizer:${appid}`;
const jsapiTicketKey = (appid: string) => `jsapi_ticket:${appid}`;
const aad = (key: string) => `token:${key}`;
export const refreshTokenAad = (appid: string) => `authorizer_refresh_token:${appid}`;

export function createTokenService(deps: TokenServiceDeps) {
  const { db, sealer, client, clock } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  const log = deps.log ?? silentLogger;
  const sleep = deps.sleep ?? realSleep;
  const holder = deps.holderId ?? newId();
  const random = deps.random ?? Math.random;
  const tokens = createTokenQueries(db);
  const tickets = createTicketQueries(db);
  const locks = createLockQueries(db);
  const authorizers = createAuthorizerQueries(db);
  const cache = new Map<string, { token: string; expiresAt: number }>();
  const inflight = new Map<string, Promise<IssuedToken>>();
  // Until when this process knows a key's token was replaced for a stale answer (in front of
  // the lease in the database), and when it last logged a stale answer it passed on.
  const staleUntil = new Map<string, number>();
  const staleToldAt = new Map<string, number>();
  const now = () => new Date(clock.now());
  const tell = async (run: () => Promise<void> | void | undefined): Promise<void> => {
    try {
      await run();
    } catch (err) {
      log.warn({ err }, 'token refresh hook failed');
    }
  };

  function issued(token: string, expiresAt: number): IssuedToken {
    return { access_token: token, expires_at: new Date(expiresAt).toISOString() };
  }

  async function readValid(
    key: string,
    minValidity = MIN_VALIDITY_MS,
  ): Promise<IssuedToken | undefined> {
    const c = cache.get(key);
    if (c && c.expiresAt - clock.now() > minValidity) return issued(c.token, c.expiresAt);
    const row = await tokens.findByKey(key);
    if (!row?.token_sealed || !row.expires_at) return undefined;
    const expiresAt = row.expires_at.getTime();
    if (expiresAt - clock.now() <= minValidity) return undefined;
    const token = sealer.open(row.token_sealed, aad(key));
    cache.set(key, { token, expiresAt });
    return issued(token, expiresAt);
  }

  async function saveToken(
    tx: Queryable,
    key: string,
    kind: TokenKind,
    appid: string,
    token: string,
    expiresIn: number,
  ) {
    const at = clock.now();
    const expiresAt = at + expiresIn * 1000;
    await createTokenQueries(tx).save({
      key,
      kind,
      appid,
      tokenSealed: sealer.seal(token, aad(key)),
      tokenHash: hashToken(token),
      expiresAt: new Date(expiresAt),
      refreshedAt: now(),
      refreshAt: new Date(nextRefreshAt(at, expiresIn * 1000, deps.refreshAheadMs, random())),
    });
    return expiresAt;
  }

  /** Calls WeChat for a new component token, trying the newest tickets still valid. */
  async function fetchComponentToken(): Promise<IssuedToken> {
    const recent = await tickets.findRecent(new Date(clock.now() - TICKET_VALIDITY_MS));
    if (recent.length === 0) {
      throw new AppError(
        'upstream_unavailable',
        'no component_verify_ticket received in the last 12 hours: check that WeChat reaches the authorization event URL',
        { details: { params: { reason: 'no_verify_ticket', hours: 12 } } },
      );
    }
    let lastError: unknown;
    for (const t of recent) {
      try {
        const res = await client.call('api_component_token', {
          component_appid: deps.component.appid,
          component_appsecret: deps.component.appsecret,
          component_verify_ticket: sealer.open(t.ticket_sealed, 'component_verify_ticket'),
        });
        const expiresAt = await db.transaction((tx) =>
          saveToken(
            tx,
            componentKey,
            'component',
            deps.component.appid,
            res.component_access_token,
            res.expires_in,
          ),
        );
        return issued(res.component_access_token, expiresAt);
      } catch (err) {
        lastError = err;
        // An older ticket may still be accepted when the newest one is refused.
        if (!(err instanceof WechatApiError && (err.errcode === 61005 || err.errcode === 61006)))
          throw err;
      }
    }
    throw lastError;
  }

  async function requireAuthorized(appid: string) {
    const row = appid ? await authorizers.findByAppid(appid) : undefined;
    if (!row) {
      throw new AppError('not_found', `authorizer ${appid} is not known to openwx`, {
        details: { params: { reason: 'authorizer_unknown', appid } },
      });
    }
    if (row.status !== 'authorized') {
      throw new AppError('conflict', `authorizer ${appid} has revoked its authorization`, {
        details: { params: { reason: 'authorizer_revoked', appid } },
      });
    }
    return row;
  }

  async function fetchAuthorizerToken(appid: string, manual = false): Promise<IssuedToken> {
    const row = await requireAuthorized(appid);
    if (row.needs_attention && !manual) {
      throw new AppError(
        'conflict',
        `authorizer ${appid} needs attention (${row.attention_reason ?? 'its refreshes failed'}): openwx stopped refreshing its token until it authorizes the platform again or a manual refresh succeeds`,
        {
          details: {
            params: {
              reason: 'authorizer_needs_attention',
              appid,
              ...attentionErrcode(row.attention_reason),
            },
          },
        },
      );
    }
    if (!row.refresh_token_sealed) {
      throw new AppError('conflict', `authorizer ${appid} has no authorizer_refresh_token yet`, {
        details: { params: { reason: 'no_refresh_token', appid } },
      });
    }
    const refreshToken = sealer.open(row.refresh_token_sealed, refreshTokenAad(appid));
    const res = await client.call('api_authorizer_token', {
      component_appid: deps.component.appid,
      authorizer_appid: appid,
      authorizer_refresh_token: refreshToken,
    });
    const key = authorizerKey(appid);
    const expiresAt = await db.transaction(async (tx) => {
      const at = await saveToken(
        tx,
        key,
        'authorizer',
        appid,
        res.authorizer_access_token,
        res.expires_in,
      );
      const rotated = res.authorizer_refresh_token;
      if (rotated && rotated !== refreshToken) {
        await createAuthorizerQueries(tx).updateRefreshToken(
          appid,
          sealer.seal(rotated, refreshTokenAad(appid)),
          now(),
        );
      }
      return at;
    });
    return issued(res.authorizer_access_token, expiresAt);
  }

  /** An official account's jsapi_ticket, fetched with its authorizer_access_token. */
  async function fetchJsapiTicket(appid: string): Promise<IssuedToken> {
    const res = await client.call('getticket', { type: 'jsapi' }, { appid });
    const expiresAt = await db.transaction((tx) =>
      saveToken(tx, jsapiTicketKey(appid), 'jsapi_ticket', appid, res.ticket, res.expires_in),
    );
    return issued(res.ticket, expiresAt);
  }

  const fetchers: Record<TokenKind, (appid: string) => Promise<IssuedToken>> = {
    component: () => fetchComponentToken(),
    authorizer: (appid) => fetchAuthorizerToken(appid),
    jsapi_ticket: fetchJsapiTicket,
  };
  type Fetch = (appid: string) => Promise<IssuedToken>;
  /** How a refresh is made: its fetcher, and whether an operator asked for it. */
  interface Way {
    fetch?: Fetch;
    manual?: boolean;
  }

  /**
   * Counts a failed refresh and pushes the next scheduled one out (exponential backoff). When
   * the authorization is gone (61003, 61023) for ATTENTION_AFTER_FAILURES tries in a row the
   * authorizer starts needing attention and the hook is told once; other failures, and every
   * failed manual refresh, tell it each time (scheduled ones are spaced out by the backoff).
   */
  async function noteFailure(
    key: string,
    kind: TokenKind,
    appid: string,
    err: unknown,
    manual: boolean,
  ) {
    const error = errorMessage(err);
    metrics.tokenRefresh(kind, 'failed');
    log.warn({ kind, appid, err }, 'token refresh failed');
    const backoff = {
      baseMs: BACKOFF_BASE_MS,
      capMs: BACKOFF_CAP_MS,
      jitter: backoffJitter(random()),
    };
    const failures = await tokens
      .recordFailure(key, kind, appid, error, now(), backoff)
      .catch(() => 1);
    if (kind === 'component' || manual || !isAuthorizationGone(err)) {
      await tell(() => deps.onRefreshFailed?.({ kind, appid, error }));
      return;
    }
    if (failures < ATTENTION_AFTER_FAILURES) return;
    const reason = `${err.errcode} ${err.errmsg}`.trim();
    const changed = await db
      .transaction(async (tx) => {
        const q = createAuthorizerQueries(tx);
        const marked = await q.markNeedsAttention(appid, reason, now());
        if (marked) await q.addHistory(appid, 'needs_attention', { reason, failures }, now());
        return marked;
      })
      .catch((e: unknown) => {
        log.warn({ appid, err: e }, 'could not mark the authorizer as needing attention');
        return false;
      });
    if (!changed) return;
    log.warn({ appid, reason, failures }, 'authorizer needs attention: token refreshes stopped');
    await tell(() =>
      deps.onRefreshFailed?.({
        kind,
        appid,
        error: `needs attention after ${failures} tries: ${error}; refreshes stopped until the authorizer authorizes again or a manual refresh succeeds`,
      }),
    );
  }

  /** Fetches, caches and announces a new token (the caller holds the lease). */
  async function obtain(key: string, kind: TokenKind, appid: string, way: Way = {}) {
    try {
      const fresh = await (way.fetch ?? fetchers[kind])(appid);
      cache.set(key, { token: fresh.access_token, expiresAt: Date.parse(fresh.expires_at) });
      metrics.tokenRefresh(kind, 'ok');
      log.info({ kind, appid, expiresAt: fresh.expires_at }, 'token refreshed');
      await tell(() => deps.onRefreshed?.({ kind, appid, ...fresh }));
      return fresh;
    } catch (err) {
      await noteFailure(key, kind, appid, err, way.manual === true);
      throw err;
    }
  }

  /** Exactly one refresh per key across processes: lease lock, re-check, fetch, save, release. */
  async function refreshOnce(
    key: string,
    kind: TokenKind,
    appid: string,
    minValidity: number,
    way: Way = {},
  ): Promise<IssuedToken> {
    const deadline = clock.now() + WAIT_LIMIT_MS;
    const started = Date.now();
    for (;;) {
      const valid = await readValid(key, minValidity);
      if (valid) return valid;
      const acquired = await locks.tryAcquire(
        key,
        holder,
        now(),
        new Date(clock.now() + LOCK_LEASE_MS),
      );
      if (acquired) {
        try {
          const again = await readValid(key, minValidity);
          if (again) return again;
          return await obtain(key, kind, appid, way);
        } finally {
          await locks.release(key, holder).catch(() => {});
        }
      }
      // Another process holds the lease: wait for its result.
      minValidity = MIN_VALIDITY_MS;
      if (clock.now() > deadline || Date.now() - started > WAIT_LIMIT_MS) {
        throw new AppError(
          'upstream_unavailable',
          `timed out waiting for another instance to refresh ${key}`,
          { details: { params: { reason: 'refresh_wait_timeout', key } } },
        );
      }
      await sleep(WAIT_POLL_MS);
    }
  }

  function singleFlight(
    key: string,
    kind: TokenKind,
    appid: string,
    minValidity = MIN_VALIDITY_MS,
    way: Way = {},
  ): Promise<IssuedToken> {
    const pending = inflight.get(key);
    if (pending) return pending;
    const p = refreshOnce(key, kind, appid, minValidity, way).finally(() => inflight.delete(key));
    inflight.set(key, p);
    return p;
  }

  const scheduler = createRefreshScheduler({
    tokens,
    locks,
    clock,
    holder,
    log,
    concurrency: deps.refreshConcurrency ?? DEFAULT_REFRESH_CONCURRENCY,
    lockLeaseMs: LOCK_LEASE_MS,
    inflight,
    read: (key) => readValid(key, 0),
    obtain: (row) => obtain(row.key, row.kind, row.appid),
  });

  async function get(key: string, kind: TokenKind, appid: string): Promise<IssuedToken> {
    return (await readValid(key)) ?? singleFlight(key, kind, appid);
  }

  async function clearAttentionIn(tx: Queryable, appid: string, by: string): Promise<boolean> {
    const q = createAuthorizerQueries(tx);
    const cleared = await q.clearNeedsAttention(appid, now());
    if (cleared) await q.addHistory(appid, 'attention_cleared', { by }, now());
    return cleared;
  }

  async function clearAttention(appid: string, by: string): Promise<void> {
    const cleared = await db
      .transaction((tx) => clearAttentionIn(tx, appid, by))
      .catch((err: unknown) => {
        log.warn({ appid, err }, 'could not clear needs_attention');
        return false;
      });
    if (cleared) log.info({ appid, by }, 'authorizer no longer needs attention');
  }

  const service = {
    holderId: holder,

    getComponentToken: (): Promise<IssuedToken> =>
      get(componentKey, 'component', deps.component.appid),

    /** Only for an authorizer that is known and still authorized (checked on every call). */
    async getAuthorizerToken(appid: string): Promise<IssuedToken> {
      await requireAuthorized(appid);
      return get(authorizerKey(appid), 'authorizer', appid);
    },

    /** An official account's jsapi_ticket, kept and refreshed like its access token. */
    async getJsapiTicket(appid: string): Promise<IssuedTicket> {
      await requireAuthorized(appid);
      const t = await get(jsapiTicketKey(appid), 'jsapi_ticket', appid);
      return { ticket: t.access_token, expires_at: t.expires_at };
    },

    /** Forgets `token` if it is still the current one, so the next request refreshes. */
    async invalidate(
      kind: 'component' | 'authorizer',
      token: string,
      appid?: string,
    ): Promise<void> {
      const key = kind === 'component' ? componentKey : authorizerKey(appid ?? '');
      if (cache.get(key)?.token === token) cache.delete(key);
      const done = await tokens.invalidateIfCurrent(key, hashToken(token));
      if (done) log.info({ kind, appid }, 'stale token invalidated');
    },

    /**
     * WeChat answered that `token` is stale (40001, 40014, 42001): forgets it so that the next
     * request refreshes, at most once per STALE_REFRESH_WINDOW_MS per key across all instances
     * (a lease in the locks table; a process-local note in front). A token that is no longer
     * current is only dropped from this process's memory. True when the token was forgotten.
     */
    async invalidateStale(
      kind: 'component' | 'authorizer',
      token: string,
      appid?: string,
    ): Promise<boolean> {
      const key = kind === 'component' ? componentKey : authorizerKey(appid ?? '');
      const row = await tokens.findByKey(key);
      if (row?.token_hash !== hashToken(token)) {
        if (cache.get(key)?.token === token) cache.delete(key);
        return false;
      }
      const at = clock.now();
      const claimed =
        at >= (staleUntil.get(key) ?? 0) &&
        (await locks.tryAcquire(
          `stale_refresh:${key}`,
          `${holder}:${newId()}`,
          now(),
          new Date(at + STALE_REFRESH_WINDOW_MS),
        ));
      if (!claimed) {
        const told = staleToldAt.get(key);
        if (told === undefined || at - told >= STALE_REFRESH_WINDOW_MS) {
          staleToldAt.set(key, at);
          log.warn(
            { kind, appid },
            'stale-token answer passed on: this token was already replaced for a stale answer less than a minute ago',
          );
        }
        return false;
      }
      staleUntil.set(key, at + STALE_REFRESH_WINDOW_MS);
      await service.invalidate(kind, token, appid);
      return true;
    },

    /**
     * Forces a refresh now (unless another instance is already refreshing). A manual refresh of
     * an authorizer that needs attention is tried anyway; when it succeeds the authorizer no
     * longer needs attention and its scheduled refreshes resume.
     */
    async forceRefresh(kind: 'component' | 'authorizer', appid?: string): Promise<IssuedToken> {
      const key = kind === 'component' ? componentKey : authorizerKey(appid ?? '');
      cache.delete(key);
      if (kind === 'component') {
        return singleFlight(key, kind, deps.component.appid, Number.POSITIVE_INFINITY, {
          manual: true,
        });
      }
      const id = appid ?? '';
      const fresh = await singleFlight(key, kind, id, Number.POSITIVE_INFINITY, {
        fetch: (a) => fetchAuthorizerToken(a, true),
        manual: true,
      });
      await clearAttention(id, 'manual_refresh');
      return fresh;
    },

    /** Stores a pushed ticket (sealed); part of the callback's transaction. */
    /**
     * The component_verify_ticket push stored with its ticket in one statement (the push path's
     * one round trip); null when the push is a replay.
     */
    storeTicketPush(event: NewEvent, ticket: string, createTime: Date): Promise<number | null> {
      return insertTicketPush(
        db,
        event,
        sealer.seal(ticket, 'component_verify_ticket'),
        createTime,
      );
    },

    async saveTicket(tx: Queryable, ticket: string, createTime: Date): Promise<void> {
      await createTicketQueries(tx).insert(
        sealer.seal(ticket, 'component_verify_ticket'),
        createTime,
        now(),
      );
    },

    /** Saves what `api_query_auth` returned: tokens and refresh token in one transaction. */
    async saveAuthorization(info: {
      authorizer_appid: string;
      authorizer_access_token?: string | undefined;
      expires_in?: number | undefined;
      authorizer_refresh_token?: string | undefined;
      func_info?: { funcscope_category: { id: number } }[] | undefined;
    }): Promise<void> {
      const appid = info.authorizer_appid;
      const cleared = await db.transaction(async (tx) => {
        await createAuthorizerQueries(tx).upsertAuthorized({
          appid,
          refreshTokenSealed: info.authorizer_refresh_token
            ? sealer.seal(info.authorizer_refresh_token, refreshTokenAad(appid))
            : null,
          funcInfo: (info.func_info ?? []).map((f) => f.funcscope_category.id),
          at: now(),
        });
        if (info.authorizer_access_token && info.expires_in) {
          await saveToken(
            tx,
            authorizerKey(appid),
            'authorizer',
            appid,
            info.authorizer_access_token,
            info.expires_in,
          );
        }
        return clearAttentionIn(tx, appid, 'authorized');
      });
      if (cleared) log.info({ appid }, 'authorizer authorized again: it no longer needs attention');
      cache.delete(authorizerKey(appid));
      const { authorizer_access_token: token, expires_in: expiresIn } = info;
      if (token && expiresIn) {
        const fresh = issued(token, clock.now() + expiresIn * 1000);
        await tell(() => deps.onRefreshed?.({ kind: 'authorizer', appid, ...fresh }));
      }
    },

    /**
     * The scheduled refreshes: the component token when it is inside the refresh-ahead window
     * (and a ticket is there), then every due authorizer token and jsapi_ticket, claimed a few at
     * a time by whichever instance is free (see refresh-scheduler.ts), refreshConcurrency in
     * flight. Resolves when nothing is due; a call while one runs in this process returns at
     * once with zero counts.
     */
    async refreshDue(): Promise<{ refreshed: number; failed: number }> {
      let refreshed = 0;
      let failed = 0;
      const hasTicket =
        (await tickets.findRecent(new Date(clock.now() - TICKET_VALIDITY_MS), 1)).length > 0;
      if (hasTicket && !(await readValid(componentKey, deps.refreshAheadMs))) {
        try {
          await singleFlight(componentKey, 'component', deps.component.appid, deps.refreshAheadMs);
          refreshed++;
        } catch {
          failed++;
        }
      }
      const r = await scheduler.drain();
      return { refreshed: refreshed + r.refreshed, failed: failed + r.failed };
    },

    /**
     * When no ticket arrived for `lateMs`, asks WeChat to restart the pushes
     * (api_start_push_ticket), at most once per 10 minutes across all instances.
     */
    async restartTicketPushIfLate(lateMs = 20 * 60_000): Promise<boolean> {
      const latest = await tickets.findLatest();
      if (latest && clock.now() - latest.received_at.getTime() < lateMs) return false;
      const claimed = await locks.tryAcquire(
        'api_start_push_ticket',
        `${holder}:${clock.now()}`,
        now(),
        new Date(clock.now() + 10 * 60_000),
      );
      if (!claimed) return false;
      const res = await client.call('api_start_push_ticket', {
        component_appid: deps.component.appid,
        component_secret: deps.component.appsecret,
      });
      log.warn(
        { errmsg: res.errmsg },
        'no recent component_verify_ticket: asked WeChat to restart the pushes',
      );
      return true;
    },

    async latestTicketAt(): Promise<Date | undefined> {
      return (await tickets.findLatest())?.received_at;
    },

    async componentTokenExpiresAt(): Promise<Date | undefined> {
      return (await tokens.findByKey(componentKey))?.expires_at ?? undefined;
    },

    /**
     * Graceful shutdown: claims no more scheduled refreshes, lets those in flight finish, then
     * releases this process's lease locks (rows it claimed but did not start are taken over by
     * other instances when their claim lease ends).
     */
    async releaseLocks(): Promise<void> {
      await scheduler.stop();
      await locks.releaseAllOf(holder);
    },
  };

  const source: TokenSource = {
    async getToken(kind, appid) {
      const t =
        kind === 'component'
          ? await service.getComponentToken()
          : await service.getAuthorizerToken(appid ?? '');
      return t.access_token;
    },
    // The client calls this when WeChat says a token is stale: limited to once per window.
    invalidate: async (kind, token, appid) => {
      await service.invalidateStale(kind, token, appid);
    },
  };
  return { ...service, source };
}
