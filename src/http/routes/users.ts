import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import type { OAuthScope, UserService } from '../../services/users.ts';
import { callerGuard, requireAppidAccess, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/**
 * The merchants' own users, for the admin (`/api/admin/...`) and for the tenant that owns the
 * appid (`/api/tenant/...`): mini program login, web OAuth, JS-SDK signatures.
 */
export interface UserRouteDeps extends GuardDeps {
  users: UserService;
}

type Scope = 'admin' | 'tenant';

const security = [{ bearerAuth: [] }];
const appidParams = {
  type: 'object',
  required: ['appid'],
  properties: { appid: { type: 'string', pattern: '^wx[0-9a-zA-Z]{16}$' } },
} as const;
const codeBody = {
  type: 'object',
  required: ['code'],
  additionalProperties: false,
  properties: { code: { type: 'string', minLength: 1, maxLength: 512, pattern: '\\S' } },
} as const;
const errors = { 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody, 502: errorBody };

const userInfo = {
  type: 'object',
  properties: {
    nickname: { type: 'string' },
    sex: { type: 'integer' },
    province: { type: 'string' },
    city: { type: 'string' },
    country: { type: 'string' },
    headimgurl: { type: 'string' },
    privilege: { type: 'array', items: { type: 'string' } },
  },
} as const;

function register(app: FastifyInstance, deps: UserRouteDeps, scope: Scope): void {
  const base = `/api/${scope}`;
  const tags = [scope === 'admin' ? 'Admin: users' : 'Tenant: users'];
  const who = scope === 'admin' ? '' : ' (only the tenant’s own appids)';

  app.post<{ Params: { appid: string }; Body: { code: string } }>(
    `${base}/miniprogram/:appid/session`,
    {
      schema: {
        tags,
        summary: `Mini program login: exchange a wx.login code for openid, unionid and session_key${who}`,
        description:
          'Calls `sns/component/jscode2session`. The session_key is a secret: keep it on the server.',
        security,
        params: appidParams,
        body: codeBody,
        response: {
          200: {
            type: 'object',
            required: ['openid', 'session_key'],
            properties: {
              openid: { type: 'string' },
              unionid: { type: 'string' },
              session_key: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const row = await requireAppidAccess(deps.db, req, req.params.appid);
      return deps.users.miniProgramSession(row, req.body.code);
    },
  );

  app.get<{
    Params: { appid: string };
    Querystring: { redirect_uri: string; scope: OAuthScope; state?: string };
  }>(
    `${base}/officialaccount/:appid/oauth-url`,
    {
      schema: {
        tags,
        summary: `Web OAuth: the authorize URL on behalf of an official account${who}`,
        security,
        params: appidParams,
        querystring: {
          type: 'object',
          required: ['redirect_uri'],
          additionalProperties: false,
          properties: {
            redirect_uri: { type: 'string', minLength: 1, maxLength: 2048 },
            scope: {
              type: 'string',
              enum: ['snsapi_base', 'snsapi_userinfo'],
              default: 'snsapi_base',
            },
            state: { type: 'string', pattern: '^[A-Za-z0-9]{0,128}$' },
          },
        },
        response: {
          200: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
          ...errors,
        },
      },
    },
    async (req) => {
      const row = await requireAppidAccess(deps.db, req, req.params.appid);
      return deps.users.oauthUrl(row, {
        redirectUri: req.query.redirect_uri,
        scope: req.query.scope,
        state: req.query.state,
      });
    },
  );

  app.post<{ Params: { appid: string }; Body: { code: string } }>(
    `${base}/officialaccount/:appid/oauth/exchange`,
    {
      schema: {
        tags,
        summary: `Web OAuth: exchange the code for the user’s openid (and profile)${who}`,
        description:
          'With scope snsapi_userinfo the answer includes `user` (nickname, headimgurl, …).',
        security,
        params: appidParams,
        body: codeBody,
        response: {
          200: {
            type: 'object',
            required: ['openid', 'scope'],
            properties: {
              openid: { type: 'string' },
              scope: { type: 'string' },
              unionid: { type: 'string' },
              user: userInfo,
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const row = await requireAppidAccess(deps.db, req, req.params.appid);
      return deps.users.oauthExchange(row, req.body.code);
    },
  );

  app.post<{ Params: { appid: string }; Body: { url: string } }>(
    `${base}/officialaccount/:appid/jssdk/signature`,
    {
      schema: {
        tags,
        summary: `JS-SDK: a wx.config signature for a page URL${who}`,
        description: 'Signed with the account’s jsapi_ticket, which openwx keeps fresh.',
        security,
        params: appidParams,
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { url: { type: 'string', minLength: 1, maxLength: 2048 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['appId', 'timestamp', 'nonceStr', 'signature'],
            properties: {
              appId: { type: 'string' },
              timestamp: { type: 'integer' },
              nonceStr: { type: 'string' },
              signature: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const row = await requireAppidAccess(deps.db, req, req.params.appid);
      return deps.users.jssdkSignature(row, req.body.url);
    },
  );
}

export function userRoutes(deps: UserRouteDeps): FastifyPluginAsync {
  return async (app) => {
    for (const scope of ['admin', 'tenant'] as const) {
      await app.register(async (scoped) => {
        scoped.addHook('onRequest', callerGuard(deps, scope));
        register(scoped, deps, scope);
      });
    }
  };
}
