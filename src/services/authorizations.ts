import { createHash } from 'node:crypto';
import { sleep, type Clock } from '../core/clock.ts';
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
  log?: Logger;
}

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

export type AuthorizationService = ReturnType<typeof createAuthorizationService>;

export function createAuthorizationService(deps: AuthorizationDeps) {
  const { client, tokens, clock, componentAppid } = deps;
  const log = deps.log ?? silentLogger;
  const authorizers = createAuthorizerQueries(deps.db);

  async function syncInfo(appid: string): Promise<void> {
    const res = await client.call('api_get_authorizer_info', {
      component_appid: componentAppid,
      authorizer_appid: appid,
    });
    await authorizers.updateInfo(appid, res.authorizer_info, new Date(clock.now()));
  }

  /** Exchanges a code (from the redirect or a push); a code already used by the other path is fine. */
  async function exchange(
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
      log.warn({ appid: info.authorizer_appid, err: String(err) }, 'authorizer info not fetched'),
    );
    log.info({ appid: info.authorizer_appid, source }, 'authorizer stored');
    return info.authorizer_appid;
  }

  deps.jobs.register(JOB_EXCHANGE_AUTH_CODE, async (payload) => {
    const code = deps.sealer.open(String(payload['code']), 'authorization_code');
    await exchange(
      typeof payload['appid'] === 'string' ? payload['appid'] : undefined,
      code,
      String(payload['source'] ?? 'push'),
    );
  });

  return { exchange, syncInfo };
}
