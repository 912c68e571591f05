import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { TenantService } from '../../services/tenants.ts';
import { callerGuard, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Admin: tenants and their API keys. */
const security = [{ bearerAuth: [] }];
const tags = ['Tenants'];
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
const tenant = {
  title: 'Tenant',
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    ext: { type: 'object', additionalProperties: true },
    self_upgrade: {
      type: ['boolean', 'null'],
      description:
        "May the tenant upgrade its mini programs itself (POST /api/tenant/deploy after the first deployment); null: the server's default (OPENWX_TENANT_SELF_UPGRADE)",
    },
    token_access: {
      type: 'boolean',
      description:
        "May the tenant's keys fetch raw authorizer access tokens (GET /api/tenant/tokens/:appid); off by default: tenants call WeChat through /api/proxy",
    },
    appids: { type: 'array', items: { type: 'string' } },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;
const key = {
  title: 'TenantKey',
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    created_at: { type: 'string' },
    revoked_at: { type: ['string', 'null'] },
    last_used_at: { type: ['string', 'null'] },
  },
} as const;
const tenantBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    ext: {
      type: 'object',
      additionalProperties: true,
      description: 'Per-tenant data for ext_json templates',
    },
    self_upgrade: { type: ['boolean', 'null'] },
    token_access: { type: 'boolean' },
  },
} as const;
const errors = { 400: errorBody, 401: errorBody, 404: errorBody };

type Body = {
  name?: string;
  ext?: Record<string, unknown>;
  self_upgrade?: boolean | null;
  token_access?: boolean;
};

export function tenantRoutes(deps: GuardDeps & { tenants: TenantService }) {
  const { tenants } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));

    app.post<{ Body: Body & { name: string } }>(
      '/api/admin/tenants',
      {
        schema: {
          tags,
          security,
          summary: 'Create a tenant',
          body: { ...tenantBody, required: ['name'] },
          response: { 201: tenant, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await tenants.create(req.body)),
    );
    app.get<{ Querystring: { q?: string; limit?: number; offset?: number } }>(
      '/api/admin/tenants',
      {
        schema: {
          tags,
          security,
          summary: 'List tenants (search by name or id)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              q: { type: 'string', maxLength: 200 },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              offset: { type: 'integer', minimum: 0, default: 0 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: tenant }, total: { type: 'integer' } },
            },
            ...errors,
          },
        },
      },
      (req) =>
        tenants.list({
          ...(req.query.q ? { q: req.query.q } : {}),
          limit: req.query.limit ?? 50,
          offset: req.query.offset ?? 0,
        }),
    );
    app.get<{ Params: { id: string } }>(
      '/api/admin/tenants/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One tenant with its appids',
          params: idParams,
          response: { 200: tenant, ...errors },
        },
      },
      async (req) => tenants.view(await tenants.require(req.params.id)),
    );
    app.patch<{ Params: { id: string }; Body: Body }>(
      '/api/admin/tenants/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Rename a tenant, replace its ext data or set whether it may upgrade itself',
          params: idParams,
          body: { ...tenantBody, minProperties: 1 },
          response: { 200: tenant, ...errors },
        },
      },
      (req) => tenants.update(req.params.id, req.body),
    );
    app.post<{ Params: { id: string }; Body: { name?: string } | undefined }>(
      '/api/admin/tenants/:id/keys',
      {
        schema: {
          tags,
          security,
          summary: 'Create an API key for the tenant (the key is shown only in this answer)',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { name: { type: 'string', maxLength: 100 } },
          },
          response: {
            201: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                key: { type: 'string' },
                name: { type: 'string' },
                prefix: { type: 'string' },
              },
            },
            ...errors,
          },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await tenants.createKey(req.params.id, req.body?.name ?? '')),
    );
    app.get<{ Params: { id: string } }>(
      '/api/admin/tenants/:id/keys',
      {
        schema: {
          tags,
          security,
          summary: "The tenant's keys (prefix only)",
          params: idParams,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: key } } },
            ...errors,
          },
        },
      },
      async (req) => ({ items: await tenants.listKeys(req.params.id) }),
    );
    app.delete<{ Params: { id: string; keyId: string } }>(
      '/api/admin/tenants/:id/keys/:keyId',
      {
        schema: {
          tags,
          security,
          summary: 'Revoke a key (it stops working at once)',
          params: {
            type: 'object',
            properties: { id: { type: 'string' }, keyId: { type: 'string' } },
          },
          response: { 204: { type: 'null' }, ...errors },
        },
      },
      async (req, reply) => {
        await tenants.revokeKey(req.params.id, req.params.keyId);
        return reply.status(204).send();
      },
    );
  };
}
