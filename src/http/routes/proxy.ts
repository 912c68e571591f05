import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import { AppError } from '../../core/errors.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { callerGuard, requireAppidAccess, tenantOf, type GuardDeps } from '../auth.ts';
import { sendError } from '../errors.ts';
import { insteadOf, TENANT_PROXY_PERMISSIONS, tenantProxyPermission } from './proxy-policy.ts';

/**
 * `ANY /api/proxy/:appid/<wechat path>` and `/api/proxy/component/<path>`: forwards the call to
 * WeChat with the right token (stale tokens are replaced and the call retried once by the client)
 * and returns WeChat's answer as is. The admin may use any appid and path; a tenant only its own
 * appids, only the paths of its permissions (proxy-policy.ts), and never the component token.
 */
const WECHAT_PATH =
  /^\/(cgi-bin|wxa|wxaapi|sns|datacube|card|merchant|shop|product|customservice|tcb|semantic|channels|wxopen|union|intp|express)\/[A-Za-z0-9_\-/.]+$/;
const SECRET_QUERY = new Set(['access_token', 'component_access_token']);

function wechatPath(rest: string): string {
  const path = `/${rest}`;
  if (!WECHAT_PATH.test(path) || path.includes('..') || path.includes('//')) {
    throw new AppError(
      'bad_request',
      `"${path}" is not a WeChat API path (e.g. /cgi-bin/…, /wxa/…, /sns/…)`,
      { details: { field: 'path', params: { reason: 'not_wechat_path', field: 'path', path } } },
    );
  }
  return path;
}

function forwardQuery(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    if (!SECRET_QUERY.has(k) && typeof v === 'string') out[k] = v;
  }
  return out;
}

export function proxyRoutes(deps: GuardDeps & { client: WechatClient }) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'both'));
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    const schema = {
      tags: ['Proxy'],
      security: [{ bearerAuth: [] }],
      summary: 'Call any WeChat API with the right token; the answer is WeChat’s own',
      description:
        'The admin token may call any path. A tenant key may call only its own appids and only ' +
        'these permissions (other paths answer 403 `proxy_path_not_allowed`; the component proxy ' +
        'is the operator’s): ' +
        TENANT_PROXY_PERMISSIONS.map((p) => `${p.name} (${p.summary})`).join('; ') +
        '.',
    };

    async function forward(
      req: FastifyRequest,
      reply: FastifyReply,
      kind: 'component' | 'authorizer',
      appid: string | undefined,
      rest: string,
    ) {
      const path = wechatPath(rest);
      if (kind === 'component' && tenantOf(req) !== undefined) {
        throw new AppError('not_found', 'the component proxy is for the operator only', {
          details: { params: { reason: 'component_proxy' } },
        });
      }
      if (appid) await requireAppidAccess(deps.db, req, appid);
      if (tenantOf(req) !== undefined && tenantProxyPermission(path) === undefined) {
        const use = insteadOf(path);
        req.log.info({ proxy: path, tenant: tenantOf(req) }, 'proxy path refused for a tenant key');
        return sendError(
          reply,
          403,
          'proxy_path_not_allowed',
          `a tenant key may not call ${path} through the proxy: it belongs to the platform${
            use ? `; use ${use}` : '; ask the operator'
          }`,
          { params: { path, ...(use ? { use } : {}) } },
        );
      }
      const res = await deps.client.raw({
        method: req.method,
        path,
        token: kind,
        ...(appid ? { appid } : {}),
        query: forwardQuery(req),
        ...(Buffer.isBuffer(req.body) && req.body.length > 0 ? { body: req.body } : {}),
        contentType: req.headers['content-type'] ?? 'application/json',
      });
      const errcode = typeof res.json?.['errcode'] === 'number' ? res.json['errcode'] : 0;
      req.log.info(
        {
          proxy: path,
          appid: appid ?? 'component',
          caller: req.caller?.kind,
          tenant: tenantOf(req),
          errcode,
        },
        'proxied',
      );
      return reply.status(res.status).header('content-type', res.contentType).send(res.bytes);
    }

    const methods = ['GET', 'POST'] as const;
    app.route<{ Params: { '*': string } }>({
      method: methods as unknown as string[],
      url: '/api/proxy/component/*',
      schema,
      handler: (req, reply) => forward(req, reply, 'component', undefined, req.params['*']),
    });
    app.route<{ Params: { appid: string; '*': string } }>({
      method: methods as unknown as string[],
      url: '/api/proxy/:appid/*',
      schema,
      handler: (req, reply) => {
        if (!/^wx[0-9a-zA-Z]{16}$/.test(req.params.appid)) {
          throw new AppError(
            'bad_request',
            'the proxy path must start with an appid or "component"',
            {
              details: {
                field: 'appid',
                params: { reason: 'proxy_appid_invalid', field: 'appid' },
              },
            },
          );
        }
        return forward(req, reply, 'authorizer', req.params.appid, req.params['*']);
      },
    });
  };
}
