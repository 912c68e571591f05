import { createHash } from 'node:crypto';
import { sleep, type Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { OnboardingService } from './onboarding.ts';
import { silentLogger, type Logger } from '../core/metrics.ts';
import type { Sealer } from '../crypto/seal.ts';
import type { Db } from '../store/db.ts';
import { createAuthorizerQueries } from '../store/queries/authorizers.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { TokenService } from '../tokens/token-service.ts';
import type { WechatClient } from '../wechat/client.ts';
import { WechatApiError } from '../wechat/errors.ts';
import { JOB_EXCHANGE_AUTH_CODE } from '../callbacks/callback-service.ts';

/**
 * Turning an authorization code into a stored authorizer: `api_query_auth` (tokens, refresh token,
 * permission sets) then `api_get_authorizer_info` (basic info). Runs as a job, never in a reply.
 */
export interface AuthorizationDeps {
  db: Db;
  client: WechatClient;
  tokens: TokenService;
  sealer: Sealer;
  clock: Clock;
  jobs: JobQueue;
  componentAppid: string;
  onboarding: OnboardingService;
  log?: Logger;
  /** After an authorization is stored and given to its tenant (e.g. apply a profile). */
  onAuthorized?: (appid: string) => Promise<void>;
}

/** Which authorization link an authorization came through: its token (redirect) or code (push). */
export interface LinkRef {
  token?: string;
  preAuthCodeHash?: string;
}

/**
 * A return to the redirect page is compared with the pushed codes among the latest
 * RECENT_PUSHED_CODES exchange jobs, within the latest RECENT_JOBS jobs of any kind (a bounded
 * scan of the primary key, whatever the size of the table; a code lives an hour).
 */
const RECENT_PUSHED_CODES = 200;
const RECENT_JOBS = 20_000;

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

export type AuthorizationService = ReturnType<typeof createAuthorizationService>;

export function createAuthorizationService(deps: AuthorizationDeps) {
  const { client, tokens, clock, componentAppid, onboarding } = deps;
  const log = deps.log ?? silentLogger;
  const authorizers = createAuthorizerQueries(deps.db);

  async function syncInfo(appid: string): Promise<void> {
    const res = await client.call('api_get_authorizer_info', {
      component_appid: componentAppid,
      authorizer_appid: appid,
    });
    await authorizers.updateInfo(appid, res.authorizer_info, new Date(clock.now()));
  }

  /**
   * Exchanges a code (from the redirect or a push; a code already used by the other path is fine)
   * and gives the authorizer to the tenant of its authorization link. An account that belongs to
   * another tenant keeps its owner: the credentials are saved (the old refresh token died with
   * the re-authorization) and the caller gets a conflict.
   */
  async function exchange(
    appid: string | undefined,
    code: string,
    source: string,
    link?: LinkRef,
  ): Promise<string> {
    const owner = await exchangeCode(appid, code, source);
    await attachToLink(owner, link);
    await deps
      .onAuthorized?.(owner)
      .catch((err: unknown) => log.warn({ appid: owner, err }, 'after-authorization hook failed'));
    return owner;
  }

  async function attachToLink(appid: string, ref: LinkRef | undefined): Promise<void> {
    const link = ref?.token
      ? await onboarding.findLink(ref.token)
      : ref?.preAuthCodeHash
        ? await onboarding.findLinkByPreAuthCodeHash(ref.preAuthCodeHash)
        : undefined;
    if (!link) return;
    await onboarding.markUsed(link.token, appid);
    if (!link.tenant_id) return;
    const owner = await authorizers.claimForTenant(appid, link.tenant_id);
    if (owner !== link.tenant_id) {
      throw new AppError('conflict', `account ${appid} is already authorized to another tenant`, {
        details: { params: { reason: 'authorized_to_another_tenant', appid } },
      });
    }
  }

  async function exchangeCode(
    appid: string | undefined,
    code: string,
    source: string,
  ): Promise<string> {
    let res;
    try {
      res = await client.call('api_query_auth', {
        component_appid: componentAppid,
        authorization_code: code,
      });
    } catch (err) {
      // The redirect and the push carry the same code: whichever comes second finds it used.
      // The other path may still be saving: give it a moment before calling the code bad.
      if (err instanceof WechatApiError && err.errcode === 61009) {
        for (let i = 0; i < 30; i++) {
          const owner = await authorizers.findAppidByCode(hashCode(code));
          if (owner && (!appid || owner === appid)) return owner;
          await sleep(100);
        }
      }
      throw err;
    }
    const info = res.authorization_info;
    if (appid && info.authorizer_appid !== appid) {
      log.warn(
        { expected: appid, got: info.authorizer_appid },
        'authorization code belongs to another appid',
      );
    }
    await tokens.saveAuthorization(info);
    await authorizers.rememberCode(hashCode(code), info.authorizer_appid, new Date(clock.now()));
    await authorizers.addHistory(
      info.authorizer_appid,
      'authorized',
      { source, func_info: (info.func_info ?? []).map((f) => f.funcscope_category.id) },
      new Date(clock.now()),
    );
    await syncInfo(info.authorizer_appid).catch((err: unknown) =>
      log.warn({ appid: info.authorizer_appid, err }, 'authorizer info not fetched'),
    );
    log.info({ appid: info.authorizer_appid, source }, 'authorizer stored');
    return info.authorizer_appid;
  }

  deps.jobs.register(JOB_EXCHANGE_AUTH_CODE, async (payload) => {
    const code = deps.sealer.open(String(payload['code']), 'authorization_code');
    const hash = payload['preAuthCodeHash'];
    const appid = typeof payload['appid'] === 'string' ? payload['appid'] : undefined;
    try {
      await exchange(
        appid,
        code,
        String(payload['source'] ?? 'push'),
        typeof hash === 'string' ? { preAuthCodeHash: hash } : undefined,
      );
    } catch (err) {
      // Retrying cannot change whose account it is: record it and stop.
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      log.warn({ appid, err }, 'authorization for another tenant ignored');
      if (appid)
        await authorizers.addHistory(
          appid,
          'tenant_conflict',
          { message: err.message },
          new Date(clock.now()),
        );
    }
  });

  /**
   * Whether WeChat gave openwx this code: exchanged already, or carried by an authorization or
   * registration push whose exchange job is among the latest (RECENT_PUSHED_CODES). Codes are
   * never stored in clear: the jobs' sealed copies are opened and compared.
   */
  async function codeReceived(code: string): Promise<boolean> {
    if (await authorizers.findAppidByCode(hashCode(code))) return true;
    const res = await deps.db.query<{ code: unknown }>(
      `SELECT payload->'code' AS code FROM jobs
        WHERE type = $1 AND id > (SELECT COALESCE(max(id), 0) - ${RECENT_JOBS} FROM jobs)
        ORDER BY id DESC LIMIT ${RECENT_PUSHED_CODES}`,
      [JOB_EXCHANGE_AUTH_CODE],
    );
    const wanted = hashCode(code);
    return res.rows.some((row) => {
      if (typeof row.code !== 'string') return false;
      try {
        return hashCode(deps.sealer.open(row.code, 'authorization_code')) === wanted;
      } catch {
        return false;
      }
    });
  }

  return { exchange, syncInfo, codeReceived };
}
