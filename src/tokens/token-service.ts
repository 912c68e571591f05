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
import { createTicketQueries } from '../store/queries/tickets.ts';
import { createTokenQueries, type TokenKind } from '../store/queries/tokens.ts';
import type { TokenSource, WechatClient } from '../wechat/client.ts';
import { WechatApiError } from '../wechat/errors.ts';

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
  /** Told after a refresh failed (errors are logged, never thrown). */
  onRefreshFailed?(e: { kind: string; appid: string; error: string }): Promise<void> | void;
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
    const expiresAt = clock.now() + expiresIn * 1000;
    await createTokenQueries(tx).save({
      key,
      kind,
      appid,
      tokenSealed: sealer.seal(token, aad(key)),
      tokenHash: hashToken(token),
      expiresAt: new Date(expiresAt),
      refreshedAt: now(),
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
    if (!row) throw new AppError('not_found', `authorizer ${appid} is not known to openwx`);
    if (row.status !== 'authorized') {
      throw new AppError('conflict', `authorizer ${appid} has revoked its authorization`);
    }
    return row;
  }

  async function fetchAuthorizerToken(appid: string): Promise<IssuedToken> {
    const row = await requireAuthorized(appid);
    if (!row.refresh_token_sealed) {
      throw new AppError('conflict', `authorizer ${appid} has no authorizer_refresh_token yet`);
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
    authorizer: fetchAuthorizerToken,
    jsapi_ticket: fetchJsapiTicket,
  };

  /** Exactly one refresh per key across processes: lease lock, re-check, fetch, save, release. */
  async function refreshOnce(
    key: string,
    kind: TokenKind,
    appid: string,
    minValidity: number,
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
          const fresh = await fetchers[kind](appid);
          cache.set(key, { token: fresh.access_token, expiresAt: Date.parse(fresh.expires_at) });
          metrics.tokenRefresh(kind, 'ok');
          log.info({ kind, appid, expiresAt: fresh.expires_at }, 'token refreshed');
          await tell(() => deps.onRefreshed?.({ kind, appid, ...fresh }));
          return fresh;
        } catch (err) {
          metrics.tokenRefresh(kind, 'failed');
          await tokens.recordFailure(key, kind, appid, errorMessage(err), now()).catch(() => {});
          log.warn({ kind, appid, err }, 'token refresh failed');
          await tell(() => deps.onRefreshFailed?.({ kind, appid, error: errorMessage(err) }));
          throw err;
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
  ): Promise<IssuedToken> {
    const pending = inflight.get(key);
    if (pending) return pending;
    const p = refreshOnce(key, kind, appid, minValidity).finally(() => inflight.delete(key));
    inflight.set(key, p);
    return p;
  }

  async function get(key: string, kind: TokenKind, appid: string): Promise<IssuedToken> {
    return (await readValid(key)) ?? singleFlight(key, kind, appid);
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

    /** Forces a refresh now (unless another instance is already refreshing). */
    forceRefresh(kind: 'component' | 'authorizer', appid?: string): Promise<IssuedToken> {
      const key = kind === 'component' ? componentKey : authorizerKey(appid ?? '');
      cache.delete(key);
      return singleFlight(
        key,
        kind,
        kind === 'component' ? deps.component.appid : (appid ?? ''),
        Number.POSITIVE_INFINITY,
      );
    },

    /** Stores a pushed ticket (sealed); part of the callback's transaction. */
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
      await db.transaction(async (tx) => {
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
      });
      cache.delete(authorizerKey(appid));
      const { authorizer_access_token: token, expires_in: expiresIn } = info;
      if (token && expiresIn) {
        const fresh = issued(token, clock.now() + expiresIn * 1000);
        await tell(() => deps.onRefreshed?.({ kind: 'authorizer', appid, ...fresh }));
      }
    },

    /** Refreshes every token that expires within the refresh-ahead window. Returns how many. */
    async refreshDue(limit = 50): Promise<{ refreshed: number; failed: number }> {
      const hasTicket =
        (await tickets.findRecent(new Date(clock.now() - TICKET_VALIDITY_MS), 1)).length > 0;
      const due = (await tokens.findDue(new Date(clock.now() + deps.refreshAheadMs), limit)).filter(
        (r) => r.kind !== 'component' || hasTicket,
      );
      const work = due.map((r) => ({ kind: r.kind, appid: r.appid, key: r.key }));
      const componentKnown = due.some((r) => r.kind === 'component');
      if (hasTicket && !componentKnown && !(await readValid(componentKey, deps.refreshAheadMs))) {
        work.unshift({ kind: 'component', appid: deps.component.appid, key: componentKey });
      }
      let refreshed = 0;
      let failed = 0;
      for (const j of work) {
        try {
          await singleFlight(j.key, j.kind, j.appid, deps.refreshAheadMs);
          refreshed++;
        } catch {
          failed++;
        }
      }
      return { refreshed, failed };
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

    /** Releases this process's lease locks (graceful shutdown). */
    releaseLocks: () => locks.releaseAllOf(holder),
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
