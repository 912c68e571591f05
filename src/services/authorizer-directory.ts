import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/metrics.ts';
import type { Sealer } from '../crypto/seal.ts';
import type { Db } from '../store/db.ts';
import { createAuthorizerQueries, type AuthorizerRow } from '../store/queries/authorizers.ts';
import { createTenantQueries } from '../store/queries/tenants.ts';
import { createTokenQueries } from '../store/queries/tokens.ts';
import { refreshTokenAad } from '../tokens/token-service.ts';
import type { WechatClient } from '../wechat/client.ts';
import type { AuthorizationService } from './authorizations.ts';

/**
 * The authorizers as the operator sees them: search, detail with token health, sync, tenant
 * assignment, and the reconcile that repairs what the database lost from WeChat's own list.
 */
export type AuthorizerType = 'miniprogram' | 'officialaccount';

export interface AuthorizerFilter {
  type?: AuthorizerType | undefined;
  status?: 'authorized' | 'revoked' | undefined;
  tenant_id?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

const TYPE_SQL = `CASE WHEN info ? 'MiniProgramInfo' THEN 'miniprogram' ELSE 'officialaccount' END`;

export function typeOf(row: Pick<AuthorizerRow, 'info'>): AuthorizerType {
  return row.info && 'MiniProgramInfo' in row.info ? 'miniprogram' : 'officialaccount';
}

export function summary(row: AuthorizerRow) {
  const info = row.info ?? {};
  return {
    appid: row.appid,
    nickname: typeof info['nick_name'] === 'string' ? info['nick_name'] : null,
    user_name: typeof info['user_name'] === 'string' ? info['user_name'] : null,
    type: typeOf(row),
    status: row.status,
    tenant_id: row.tenant_id,
    authorized_at: row.authorized_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

export function createAuthorizerDirectory(deps: {
  db: Db;
  clock: Clock;
  client: WechatClient;
  sealer: Sealer;
  authorizations: AuthorizationService;
  componentAppid: string;
  refreshAheadMs: number;
  log?: Logger;
}) {
  const { db, clock } = deps;
  const log = deps.log ?? silentLogger;
  const authorizers = createAuthorizerQueries(db);
  const tokens = createTokenQueries(db);
  const tenants = createTenantQueries(db);

  return {
    async list(f: AuthorizerFilter) {
      const where = `WHERE ($1::text IS NULL OR ${TYPE_SQL} = $1) AND ($2::text IS NULL OR status = $2)
        AND ($3::text IS NULL OR tenant_id = $3)
        AND ($4::text IS NULL OR appid ILIKE '%' || $4 || '%' OR info->>'nick_name' ILIKE '%' || $4 || '%')`;
      const params = [f.type ?? null, f.status ?? null, f.tenant_id ?? null, f.q ?? null];
      const rows = await db.query<AuthorizerRow>(
        `SELECT * FROM authorizers ${where} ORDER BY created_at DESC, appid LIMIT $5 OFFSET $6`,
        [...params, f.limit, f.offset],
      );
      const total = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM authorizers ${where}`,
        params,
      );
      return { items: rows.rows.map(summary), total: total.rows[0]?.n ?? 0 };
    },

    async detail(row: AuthorizerRow) {
      const t = await tokens.findByKey(`authorizer:${row.appid}`);
      const expiresAt = t?.expires_at ?? null;
      return {
        ...summary(row),
        info: row.info,
        func_info: row.func_info,
        token: {
          refreshed_at: t?.refreshed_at?.toISOString() ?? null,
          expires_at: expiresAt?.toISOString() ?? null,
          next_refresh_at: expiresAt
            ? new Date(expiresAt.getTime() - deps.refreshAheadMs).toISOString()
            : null,
          has_refresh_token: row.refresh_token_sealed !== null,
          failures: t?.failures ?? 0,
          last_error: t?.last_error ?? null,
          last_error_at: t?.last_error_at?.toISOString() ?? null,
        },
        history: (await authorizers.history(row.appid))
          .slice(0, 50)
          .map((h) => ({ ...h, at: h.at.toISOString() })),
      };
    },

    async assignTenant(appid: string, tenantId: string | null) {
      if (tenantId !== null && !(await tenants.findById(tenantId))) {
        throw new AppError('not_found', `tenant ${tenantId} not found`, {
          details: { field: 'tenant_id' },
        });
      }
      if (!(await authorizers.setTenant(appid, tenantId, new Date(clock.now())))) {
        throw new AppError('not_found', `authorizer ${appid} not found`);
      }
      await authorizers.addHistory(
        appid,
        'tenant_assigned',
        { tenant_id: tenantId },
        new Date(clock.now()),
      );
    },

    /**
     * Pages through api_get_authorizer_list and repairs the database: adds authorizers it lost,
     * restores lost refresh tokens, marks revoked ones that WeChat still lists as authorized.
     */
    async reconcile(): Promise<{ checked: number; added: number; repaired: number }> {
      let offset = 0;
      let checked = 0;
      let added = 0;
      let repaired = 0;
      for (;;) {
        const page = await deps.client.call('api_get_authorizer_list', {
          component_appid: deps.componentAppid,
          offset,
          count: 500,
        });
        for (const item of page.list) {
          checked++;
          const row = await authorizers.findByAppid(item.authorizer_appid);
          const at = new Date(clock.now());
          const sealed = item.refresh_token
            ? deps.sealer.seal(item.refresh_token, refreshTokenAad(item.authorizer_appid))
            : null;
          if (!row) {
            await authorizers.upsertAuthorized({
              appid: item.authorizer_appid,
              refreshTokenSealed: sealed,
              funcInfo: [],
              at: new Date(item.auth_time * 1000),
            });
            await authorizers.addHistory(item.authorizer_appid, 'reconciled', { added: true }, at);
            await deps.authorizations
              .syncInfo(item.authorizer_appid)
              .catch((err: unknown) =>
                log.warn({ err: String(err) }, 'reconcile: info not fetched'),
              );
            added++;
          } else if ((!row.refresh_token_sealed && sealed) || row.status !== 'authorized') {
            await authorizers.upsertAuthorized({
              appid: row.appid,
              refreshTokenSealed: sealed,
              funcInfo: row.func_info,
              at,
            });
            await authorizers.addHistory(row.appid, 'reconciled', { repaired: true }, at);
            repaired++;
          }
        }
        offset += page.list.length;
        if (page.list.length === 0 || offset >= page.total_count) break;
      }
      log.info({ checked, added, repaired }, 'authorizers reconciled');
      return { checked, added, repaired };
    },
  };
}

export type AuthorizerDirectory = ReturnType<typeof createAuthorizerDirectory>;
