import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { callerGuard, requireAppidAccess } from '../../http/auth.ts';
import { errorBody } from '../../http/schemas.ts';
import { createTesterService, type TesterService } from './service.ts';

/**
 * The testers capability as one Fastify plugin: `/api/admin/authorizers/:appid/testers` for the
 * platform side and `/api/tenant/authorizers/:appid/testers` for tenant keys (another tenant's
 * appid is a 404).
 */
export interface TesterRouteDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  adminToken: string;
}

const security = [{ bearerAuth: [] }];
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 502: errorBody };
const appid = { type: 'string', pattern: '^wx[0-9a-zA-Z]{16}$' } as const;
const tester = {
  title: 'Tester',
  type: 'object',
  properties: {
    userstr: { type: 'string', description: 'WeChat’s id of the tester for this mini program' },
    wechatid: {
      type: ['string', 'null'],
      description: 'The WeChat ID, when the tester was bound through openwx',
    },
    bound_at: { type: ['string', 'null'] },
  },
} as const;
const bindBody = {
  type: 'object',
  additionalProperties: false,
  required: ['wechatid'],
  properties: {
    wechatid: {
      type: 'string',
      maxLength: 64,
      description: 'WeChat ID (微信号): 6 to 20 letters, digits, - or _, starting with a letter',
    },
  },
} as const;

function testerRoutesAt(
  app: FastifyInstance,
  deps: TesterRouteDeps,
  testers: TesterService,
  base: string,
  tag: string,
): void {
  const allowed = (req: FastifyRequest, id: string) => requireAppidAccess(deps.db, req, id);
  app.get<{ Params: { appid: string } }>(
    `${base}/:appid/testers`,
    {
      schema: {
        tags: [tag],
        security,
        summary: 'The testers of a mini program (WeChat’s list, with the WeChat IDs openwx bound)',
        params: { type: 'object', properties: { appid } },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: tester } } },
          ...errors,
        },
      },
    },
    async (req) => {
      await allowed(req, req.params.appid);
      return testers.list(req.params.appid);
    },
  );
  app.post<{ Params: { appid: string }; Body: { wechatid: string } }>(
    `${base}/:appid/testers`,
    {
      schema: {
        tags: [tag],
        security,
        summary:
          'Bind a WeChat ID as a tester (it may open the trial version); WeChat’s refusals answer 502 with errcode 85001 (no such WeChat ID or not searchable), 85002, 85003 (limits) or 85004 (already a tester)',
        params: { type: 'object', properties: { appid } },
        body: bindBody,
        response: { 201: tester, ...errors },
      },
    },
    async (req, reply) => {
      await allowed(req, req.params.appid);
      return reply.status(201).send(await testers.bind(req.params.appid, req.body.wechatid));
    },
  );
  app.delete<{ Params: { appid: string; userstr: string } }>(
    `${base}/:appid/testers/:userstr`,
    {
      schema: {
        tags: [tag],
        security,
        summary: 'Unbind a tester by its userstr (404 when it is not a tester)',
        params: {
          type: 'object',
          properties: { appid, userstr: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await allowed(req, req.params.appid);
      await testers.unbind(req.params.appid, req.params.userstr);
      return reply.status(204).send();
    },
  );
}

/** The plugin src/app/create.ts adds. */
export function testerRoutes(deps: TesterRouteDeps) {
  const testers = createTesterService(deps);
  const guardDeps = { db: deps.db, adminToken: deps.adminToken, clock: deps.clock };
  return async function plugin(app: FastifyInstance): Promise<void> {
    await app.register(async (admin) => {
      admin.addHook('onRequest', callerGuard(guardDeps, 'admin'));
      testerRoutesAt(admin, deps, testers, '/api/admin/authorizers', 'Testers');
    });
    await app.register(async (tenant) => {
      tenant.addHook('onRequest', callerGuard(guardDeps, 'tenant'));
      testerRoutesAt(tenant, deps, testers, '/api/tenant/authorizers', 'Tenant API');
    });
  };
}
