import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import { AppError } from '../../core/errors.ts';
import type { AuthorizerDirectory } from '../../services/authorizer-directory.ts';
import type { AuthorizationService } from '../../services/authorizations.ts';
import { AUTH_TYPES, type LinkRequest, type OnboardingService } from '../../services/onboarding.ts';
import { createTenantQueries } from '../../store/queries/tenants.ts';
import type { TokenService } from '../../tokens/token-service.ts';
import { callerGuard, requireAppidAccess, tenantOf, type GuardDeps } from '../auth.ts';
import { errorBody, tokenBody } from '../schemas.ts';

/** Authorizers and authorization links, for the operator (admin) and for tenant systems (own appids). */
export interface AuthorizerRouteDeps extends GuardDeps {
  directory: AuthorizerDirectory;
  authorizations: AuthorizationService;
  onboarding: OnboardingService;
  tokens: TokenService;
}

const security = [{ bearerAuth: [] }];
const appidParams = {
  type: 'object',
  properties: { appid: { type: 'string', pattern: '^wx[0-9a-zA-Z]{16}$' } },
} as const;
const errors = {
  400: errorBody,
  401: errorBody,
  404: errorBody,
  409: errorBody,
  502: errorBody,
  503: errorBody,
};
/** Every field of the summary is always answered (services/authorizer-directory.ts summary()). */
const summaryRequired = [
  'appid',
  'nickname',
  'user_name',
  'type',
  'status',
  'tenant_id',
  'authorized_at',
  'revoked_at',
  'needs_attention',
  'attention_reason',
] as const;
const summaryItem = {
  type: 'object',
  required: summaryRequired,
  properties: {
    appid: { type: 'string' },
    nickname: { type: ['string', 'null'] },
    user_name: { type: ['string', 'null'] },
    type: { type: 'string', enum: ['miniprogram', 'officialaccount'] },
    status: { type: 'string', enum: ['authorized', 'revoked'] },
    tenant_id: { type: ['string', 'null'] },
    authorized_at: { type: ['string', 'null'] },
    revoked_at: { type: ['string', 'null'] },
    needs_attention: {
      type: 'boolean',
      description:
        'Token refreshes stopped: WeChat answered 61003/61023 (authorization gone) 3 times in a row. Cleared by a new authorization or a successful manual refresh',
    },
    attention_reason: { type: ['string', 'null'] },
  },
} as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const detail = {
  title: 'Authorizer',
  type: 'object',
  required: [...summaryRequired, 'info', 'func_info', 'token', 'history'],
  properties: {
    ...summaryItem.properties,
    info: {
      type: ['object', 'null'],
      additionalProperties: true,
      description:
        "WeChat's authorizer_info as it is (api_get_authorizer_info: https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/authorization-management/getAuthorizerInfo.html)",
    },
    func_info: { type: 'array', items: { type: 'integer' } },
    token: {
      title: 'AuthorizerTokenHealth',
      type: 'object',
      description: 'The authorizer_access_token’s health (the token itself is never answered here)',
      required: [
        'refreshed_at',
        'expires_at',
        'next_refresh_at',
        'has_refresh_token',
        'failures',
        'last_error',
        'last_error_at',
      ],
      properties: {
        refreshed_at: nullableTime,
        expires_at: nullableTime,
        next_refresh_at: {
          ...nullableTime,
          description: 'null while refreshes are stopped (needs_attention)',
        },
        has_refresh_token: { type: 'boolean' },
        failures: { type: 'integer', description: 'Refreshes failed in a row' },
        last_error: { type: ['string', 'null'] },
        last_error_at: nullableTime,
      },
    },
    history: {
      type: 'array',
      description: 'The latest 50 entries, newest first',
      items: {
        title: 'AuthorizerHistoryEntry',
        type: 'object',
        required: ['action', 'detail', 'at'],
        properties: {
          action: {
            type: 'string',
            description:
              'authorized, updated, unauthorized, profile_applied, drift_detected, drift_cleared, …',
          },
          detail: {
            type: 'object',
            additionalProperties: true,
            description: 'What the entry records, by action',
          },
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['miniprogram', 'officialaccount'] },
    status: { type: 'string', enum: ['authorized', 'revoked'] },
    tenant_id: { type: 'string', maxLength: 64 },
    q: { type: 'string', maxLength: 100 },
    released_version: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: "The user_version online now; 'none' for mini programs never released",
    },
    audit: {
      type: 'string',
      enum: ['in_flight', 'failed', 'passed'],
      description: "The latest audit: 'in_flight' (submitted or delayed), 'failed' or 'passed'",
    },
    token: {
      type: 'string',
      enum: ['failing', 'ok', 'needs_attention'],
      description:
        "'failing': the last refresh of the access token failed; 'needs_attention': refreshes stopped because the authorization is gone",
    },
    drift: {
      type: 'string',
      enum: ['drifted', 'in_sync'],
      description:
        "'drifted': the latest drift check found differences from the profile, not applied since",
    },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;
const listItem = {
  title: 'AuthorizerListItem',
  type: 'object',
  required: [...summaryRequired, 'released', 'audit_state', 'token', 'drift'],
  properties: {
    ...summaryItem.properties,
    released: {
      type: ['object', 'null'],
      description: 'The version online now (released or rolled back to)',
      required: ['user_version', 'template_id', 'at'],
      properties: {
        user_version: { type: ['string', 'null'] },
        template_id: { type: ['integer', 'null'] },
        at: { type: 'string' },
      },
    },
    audit_state: {
      type: ['string', 'null'],
      description:
        "The latest audit: 'auditing', 'delayed', 'passed', 'failed', 'withdrawn', or 'released' (passed and released since)",
    },
    token: {
      type: 'object',
      required: ['failures', 'last_error', 'expires_at'],
      properties: {
        failures: { type: 'integer' },
        last_error: { type: ['string', 'null'] },
        expires_at: { type: ['string', 'null'] },
      },
    },
    drift: {
      type: ['object', 'null'],
      description: 'The drift found by the latest check, when not applied since',
      required: ['detected_at', 'differences'],
      properties: { detected_at: { type: 'string' }, differences: { type: 'integer' } },
    },
  },
} as const;
const linkBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tenant_id: { type: 'string', maxLength: 64 },
    auth_type: {
      type: 'integer',
      enum: [...AUTH_TYPES],
      description: '1 official accounts, 2 mini programs, 3 both, 6 all',
    },
    biz_appid: { type: 'string', pattern: '^wx[0-9a-zA-Z]{16}$' },
    category_id_list: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 100 },
    redirect: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 1000 },
  },
} as const;
const linkAnswer = {
  title: 'AuthorizationLink',
  type: 'object',
  properties: {
    pre_auth_code: { type: 'string' },
    pc_url: { type: 'string' },
    mobile_url: { type: 'string' },
    start_url: { type: 'string', description: 'openwx’s start page: send merchants here' },
    expires_at: { type: 'string' },
  },
} as const;

type ListQuery = {
  type?: 'miniprogram' | 'officialaccount';
  status?: 'authorized' | 'revoked';
  tenant_id?: string;
  q?: string;
  released_version?: string;
  audit?: 'in_flight' | 'failed' | 'passed';
  token?: 'failing' | 'ok' | 'needs_attention';
  drift?: 'drifted' | 'in_sync';
  limit?: number;
  offset?: number;
};

function listRoute(app: FastifyInstance, deps: AuthorizerRouteDeps, path: string, tag: string) {
  app.get<{ Querystring: ListQuery }>(
    path,
    {
      schema: {
        tags: [tag],
        security,
        summary:
          'Authorizers with their released version, audit state, token health and drift; filtered by type, status, tenant, a search on name/appid, released version, audit, token health or drift; paginated',
        querystring: listQuery,
        response: {
          200: {
            title: 'AuthorizerList',
            type: 'object',
            required: ['items', 'total'],
            properties: {
              items: { type: 'array', items: listItem },
              total: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    (req) =>
      deps.directory.list({
        ...req.query,
        tenant_id: tenantOf(req) ?? req.query.tenant_id,
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      }),
  );
  app.get<{ Params: { appid: string } }>(
    `${path}/:appid`,
    {
      schema: {
        tags: [tag],
        security,
        summary: 'One authorizer: info, permission sets, token health, history',
        params: appidParams,
        response: { 200: detail, ...errors },
      },
    },
    async (req) => deps.directory.detail(await requireAppidAccess(deps.db, req, req.params.appid)),
  );
}

function linkRoute(app: FastifyInstance, deps: AuthorizerRouteDeps, path: string, tag: string) {
  app.post<{ Body: LinkRequest }>(
    path,
    {
      schema: {
        tags: [tag],
        security,
        summary: 'Create an authorization link (a fresh pre_auth_code each time)',
        body: linkBody,
        response: { 201: linkAnswer, ...errors },
      },
    },
    async (req: FastifyRequest<{ Body: LinkRequest }>, reply) => {
      const tenantId = tenantOf(req) ?? req.body?.tenant_id;
      return reply
        .status(201)
        .send(await deps.onboarding.createLink({ ...req.body, tenant_id: tenantId }));
    },
  );
}

export function adminAuthorizerRoutes(deps: AuthorizerRouteDeps) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    const tag = 'Authorizers';
    listRoute(app, deps, '/api/admin/authorizers', tag);
    linkRoute(app, deps, '/api/admin/authorizations', tag);
    app.post<{ Params: { appid: string } }>(
      '/api/admin/authorizers/:appid/sync',
      {
        schema: {
          tags: [tag],
          security,
          summary: 'Fetch the authorizer’s info from WeChat again',
          params: appidParams,
          response: { 200: detail, ...errors },
        },
      },
      async (req) => {
        await requireAppidAccess(deps.db, req, req.params.appid);
        await deps.authorizations.syncInfo(req.params.appid);
        return deps.directory.detail(await requireAppidAccess(deps.db, req, req.params.appid));
      },
    );
    app.post<{ Params: { appid: string } }>(
      '/api/admin/authorizers/:appid/token/refresh',
      {
        schema: {
          tags: [tag],
          security,
          summary:
            'Refresh the authorizer_access_token now (the token itself is not answered); the detail with its token health',
          params: appidParams,
          response: { 200: detail, ...errors },
        },
      },
      async (req) => {
        const row = await requireAppidAccess(deps.db, req, req.params.appid);
        if (row.status !== 'authorized') {
          throw new AppError('conflict', `authorizer ${row.appid} has revoked its authorization`, {
            details: { params: { reason: 'authorization_revoked', appid: row.appid } },
          });
        }
        await deps.tokens.forceRefresh('authorizer', row.appid);
        req.log.info({ kind: 'authorizer', appid: row.appid }, 'token refreshed on request');
        return deps.directory.detail(await requireAppidAccess(deps.db, req, req.params.appid));
      },
    );
    app.patch<{ Params: { appid: string }; Body: { tenant_id: string | null } }>(
      '/api/admin/authorizers/:appid',
      {
        schema: {
          tags: [tag],
          security,
          summary: 'Give the authorizer to a tenant (or to none)',
          params: appidParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['tenant_id'],
            properties: { tenant_id: { type: ['string', 'null'], maxLength: 64 } },
          },
          response: { 200: detail, ...errors },
        },
      },
      async (req) => {
        await deps.directory.assignTenant(req.params.appid, req.body.tenant_id);
        return deps.directory.detail(await requireAppidAccess(deps.db, req, req.params.appid));
      },
    );
    app.post(
      '/api/admin/authorizers/reconcile',
      {
        schema: {
          tags: [tag],
          security,
          summary: 'Compare with WeChat’s list of authorizers and repair what is missing',
          response: {
            200: {
              type: 'object',
              properties: {
                checked: { type: 'integer' },
                added: { type: 'integer' },
                repaired: { type: 'integer' },
              },
            },
            ...errors,
          },
        },
      },
      () => deps.directory.reconcile(),
    );
  };
}

export function tenantAuthorizerRoutes(deps: AuthorizerRouteDeps) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'tenant'));
    const tag = 'Tenant API';
    listRoute(app, deps, '/api/tenant/authorizers', tag);
    linkRoute(app, deps, '/api/tenant/authorizations', tag);
    app.get<{ Params: { appid: string } }>(
      '/api/tenant/tokens/:appid',
      {
        schema: {
          tags: [tag],
          security,
          summary: 'The current authorizer_access_token of one of the tenant’s appids',
          description:
            'Only for a tenant the operator allowed raw tokens (token_access); otherwise 403 `token_access_off`. A raw token reaches every WeChat API of the mini program, the code pipeline included, outside the proxy’s allow list: tenants call WeChat through /api/proxy/:appid/… instead.',
          params: appidParams,
          response: { 200: tokenBody, 403: errorBody, ...errors },
        },
      },
      async (req) => {
        await requireAppidAccess(deps.db, req, req.params.appid);
        const tenantId = tenantOf(req) ?? '';
        if (!(await createTenantQueries(deps.db).findById(tenantId))?.token_access) {
          throw new AppError(
            'token_access_off',
            'this tenant may not fetch raw access tokens: call WeChat through /api/proxy/:appid/…, or ask the operator to allow raw tokens (token_access)',
            { details: { params: { reason: 'raw_tokens_off', tenant_id: tenantId } } },
          );
        }
        const t = await deps.tokens.getAuthorizerToken(req.params.appid);
        req.log.info(
          { kind: 'authorizer', appid: req.params.appid, tenant: tenantOf(req) },
          'token handed out',
        );
        return t;
      },
    );
  };
}
