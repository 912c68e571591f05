import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../store/db.ts';
import {
  MAX_AUTO_REPLY_LENGTH,
  MAX_AUTO_REPLY_RULES,
  parseAutoReplyRules,
  type AutoReplies,
  type AutoReplyService,
} from '../../services/auto-replies.ts';
import { callerGuard, requireAppidAccess } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/**
 * Passive auto-replies per authorizer, for the operator (`/api/admin/...`, admin token) and for
 * a tenant system (`/api/tenant/...`, its API key, its own appids only).
 */
export interface AutoReplyRouteDeps {
  db: Db;
  adminToken: string;
  clock: Clock;
  autoReplies: AutoReplyService;
}

const security = [{ bearerAuth: [] }];

const rule = {
  title: 'AutoReplyRule',
  type: 'object',
  required: ['match', 'reply'],
  additionalProperties: false,
  properties: {
    match: {
      type: 'string',
      enum: ['exact', 'contains', 'any'],
      description: '`exact`: the whole message; `contains`: part of it; `any`: every text',
    },
    keyword: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      description: 'Required unless match is `any`; case and surrounding spaces are ignored',
    },
    reply: { type: 'string', minLength: 1, maxLength: MAX_AUTO_REPLY_LENGTH },
  },
} as const;

const rulesBody = {
  type: 'object',
  required: ['rules'],
  additionalProperties: false,
  properties: {
    rules: {
      type: 'array',
      maxItems: MAX_AUTO_REPLY_RULES,
      items: rule,
      description: 'Checked in order; the first match answers',
    },
  },
} as const;

const rulesView = {
  title: 'AutoReplies',
  type: 'object',
  properties: {
    appid: { type: 'string' },
    rules: { type: 'array', items: rule },
    updated_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const params = {
  type: 'object',
  required: ['appid'],
  properties: { appid: { type: 'string', maxLength: 64 } },
} as const;

const view = (a: AutoReplies) => ({
  appid: a.appid,
  rules: a.rules,
  updated_at: a.updatedAt?.toISOString() ?? null,
});

/** Bodies are checked by the service (so that a bad rule names its field); the schema documents. */
const documentOnly = () => (data: unknown) => ({ value: data });

function register(
  app: FastifyInstance,
  deps: AutoReplyRouteDeps,
  prefix: '/api/admin' | '/api/tenant',
): void {
  const tags = ['Auto-replies'];
  const who = prefix === '/api/admin' ? 'any authorizer' : 'an authorizer of this tenant';

  app.get<{ Params: { appid: string } }>(
    `${prefix}/authorizers/:appid/auto-replies`,
    {
      schema: {
        tags,
        summary: `The passive auto-reply rules of ${who}`,
        security,
        params,
        response: { 200: rulesView, 401: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      await requireAppidAccess(deps.db, req, req.params.appid);
      return view(await deps.autoReplies.find(req.params.appid));
    },
  );

  app.put<{ Params: { appid: string }; Body: unknown }>(
    `${prefix}/authorizers/:appid/auto-replies`,
    {
      schema: {
        tags,
        summary: `Replace the passive auto-reply rules of ${who}`,
        description:
          'A user’s text message matching a rule gets the rule’s reply as an encrypted passive ' +
          'text reply; everything else is answered `success` and stored as an event.',
        security,
        params,
        body: rulesBody,
        response: { 200: rulesView, 400: errorBody, 401: errorBody, 404: errorBody },
      },
      validatorCompiler: documentOnly,
    },
    async (req) => {
      await requireAppidAccess(deps.db, req, req.params.appid);
      const rules = parseAutoReplyRules(req.body);
      const saved = await deps.autoReplies.update(req.params.appid, rules);
      req.log.info(
        { appid: req.params.appid, rules: rules.length, caller: req.caller?.kind },
        'auto-replies updated',
      );
      return view(saved);
    },
  );
}

export function autoReplyRoutes(deps: AutoReplyRouteDeps) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    await app.register(async (admin) => {
      admin.addHook('onRequest', callerGuard(deps, 'admin'));
      register(admin, deps, '/api/admin');
    });
    await app.register(async (tenant) => {
      tenant.addHook('onRequest', callerGuard(deps, 'tenant'));
      register(tenant, deps, '/api/tenant');
    });
  };
}
