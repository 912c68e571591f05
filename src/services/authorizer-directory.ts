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
import { AUDIT_STATE } from './code/code-history.ts';

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
  /** The user_version online now (released or rolled back to); `none` for never released. */
  released_version?: string | undefined;
  /** The latest audit: `in_flight` (submitted or delayed), `failed` or `passed`. */
  audit?: 'in_flight' | 'failed' | 'passed' | undefined;
  /**
   * `failing`: the last token refresh failed; `ok`: it did not; `needs_attention`: refreshes
   * stopped because WeChat says the authorization is gone (61003/61023).
   */
  token?: 'failing' | 'ok' | 'needs_attention' | undefined;
  /** `drifted`: the latest drift check found differences from the profile (not applied since). */
  drift?: 'drifted' | 'in_sync' | undefined;
  limit: number;
  offset: number;
}

interface ListRow extends AuthorizerRow {
  released_version: string | null;
  released_template_id: string | number | null;
  released_at: Date | null;
  audit_kind: string | null;
  token_failures: number | null;
  token_last_error: string | null;
  token_expires_at: Date | null;
  drift_action: string | null;
  drift_detail: Record<string, unknown> | null;
  drift_at: Date | null;
}

/** A list row: the summary plus released version, audit state, token health and drift. */
function listItem(row: ListRow) {
  const differences = row.drift_detail?.['differences'];
  return {
    ...summary(row),
    released: row.released_at
      ? {
          user_version: row.released_version,
          template_id: row.released_template_id === null ? null : Number(row.released_template_id),
          at: row.released_at.toISOString(),
        }
      : null,
    audit_state: row.audit_kind ? (AUDIT_STATE[row.audit_kind] ?? row.audit_kind) : null,
    token: {
      failures: row.token_failures ?? 0,
      last_error: row.token_last_error,
      expires_at: row.token_expires_at?.toISOString() ?? null,
    },
    drift:
      row.drift_action === 'drift_detected' && row.drift_at
        ? {
            detected_at: row.drift_at.toISOString(),
            differences: Array.isArray(differences) ? differences.length : 0,
          }
        : null,
  };
}

const TYPE_SQL = `CASE WHEN a.info ? 'MiniProgramInfo' THEN 'miniprogram' ELSE 'officialaccount' END`;

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
    /** Token refreshes stopped: the authorization is gone (authorize again or refresh manually). */
    needs_attention: row.needs_attention ?? false,
    attention_reason: row.attention_reason ?? null,
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
      const from = `FROM authorizers a
        LEFT JOIN (SELECT DISTINCT ON (appid) appid, id, user_version, template_id, at FROM code_events
          WHERE kind IN ('released', 'rolled_back') ORDER BY appid, id DESC) rel ON rel.appid = a.appid
        LEFT JOIN (SELECT DISTINCT ON (appid) appid, id, kind FROM code_events
          WHERE kind IN ('submitted', 'audit_passed', 'audit_failed', 'audit_delayed', 'audit_withdrawn')
          ORDER BY appid, id DESC) aud ON aud.appid = a.appid
        LEFT JOIN tokens t ON t.key = 'authorizer:' || a.appid
        LEFT JOIN (SELECT DISTINCT ON (appid) appid, action, detail, at FROM authorizer_history
          WHERE action IN ('drift_detected', 'drift_cleared', 'profile_applied')
          ORDER BY appid, id DESC) dr ON dr.appid = a.appid`;
      const where = `WHERE ($1::text IS NULL OR ${TYPE_SQL} = $1)
        AND ($2::text IS NULL OR a.status = $2)
        AND ($3::text IS NULL OR a.tenant_id = $3)
        AND ($4::text IS NULL OR a.appid ILIKE '%' || $4 || '%' OR a.info->>'nick_name' ILIKE '%' || $4 || '%')
        AND ($5::text IS NULL OR ($5 = 'none' AND rel.appid IS NULL) OR rel.user_version = $5)
        AND ($6::text IS NULL
          OR ($6 = 'in_flight' AND aud.kind IN ('submitted', 'audit_delayed'))
          OR ($6 = 'failed' AND aud.kind = 'audit_failed')
          OR ($6 = 'passed' AND aud.kind = 'audit_passed'))
        AND ($7::text IS NULL OR ($7 = 'needs_attention' AND a.needs_attention)
          OR ($7 <> 'needs_attention' AND ($7 = 'failing') = (coalesce(t.failures, 0) > 0)))
        AND ($8::text IS NULL OR ($8 = 'drifted') = (coalesce(dr.action, '') = 'drift_detected'))`;
      const params = [
        f.type ?? null,
        f.status ?? null,
        f.tenant_id ?? null,
        f.q ?? null,
        f.released_version ?? null,
        f.audit ?? null,
        f.token ?? null,
        f.drift ?? null,
      ];
      const rows = await db.query<ListRow>(
        `SELECT a.*, rel.user_version AS released_version, rel.template_id AS released_template_id,
           rel.at AS released_at,
           CASE WHEN aud.kind = 'audit_passed' AND rel.id > aud.id THEN 'released' ELSE aud.kind END
             AS audit_kind,
           t.failures AS token_failures,
           t.last_error AS token_last_error, t.expires_at AS token_expires_at,
           dr.action AS drift_action, dr.detail AS drift_detail, dr.at AS drift_at
         ${from} ${where} ORDER BY a.created_at DESC, a.appid LIMIT $9 OFFSET $10`,
        [...params, f.limit, f.offset],
      );
      const total = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n ${from} ${where}`,
        params,
      );
      return { items: rows.rows.map(listItem), total: total.rows[0]?.n ?? 0 };
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
          next_refresh_at: row.needs_attention
            ? null
            : (t?.refresh_at?.toISOString() ??
              (expiresAt
                ? new Date(expiresAt.getTime() - deps.refreshAheadMs).toISOString()
                : null)),
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
          details: {
            field: 'tenant_id',
            params: { reason: 'tenant', tenant_id: tenantId },
          },
        });
      }
      if (!(await authorizers.setTenant(appid, tenantId, new Date(clock.now())))) {
        throw new AppError('not_found', `authorizer ${appid} not found`, {
          details: { params: { reason: 'authorizer', appid } },
        });
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
              .catch((err: unknown) => log.warn({ err }, 'reconcile: info not fetched'));
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
