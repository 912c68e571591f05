import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import { createAuditTrail, type Actor } from '../../services/audit/trail.ts';
import type { ProfileService } from '../../services/profile/profiles.ts';
import type { TenantService } from '../../services/tenants.ts';
import { callerGuard, type Caller, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Methods that change something; GET, HEAD and OPTIONS are not recorded. */
const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Params = Record<string, string>;
type Snapshot = (params: Params) => Promise<unknown>;

/** The recorded identity of a platform-side caller: an operator account or the admin token. */
export function actorOf(caller: Caller | undefined): Actor | undefined {
  if (caller?.kind !== 'admin') return undefined;
  return caller.operator
    ? { kind: 'operator', id: caller.operator.id }
    : { kind: 'admin_token', id: null };
}

const anyValue = { description: 'A JSON value, secrets redacted, capped' };
const auditItem = {
  title: 'AuditEntry',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: {
      type: 'object',
      properties: {
        kind: { type: 'string', description: 'admin_token or operator' },
        id: { type: ['string', 'null'] },
        name: { type: ['string', 'null'], description: "The operator's username" },
      },
    },
    ip: { type: 'string' },
    method: { type: 'string' },
    route: { type: 'string', description: 'The route pattern, e.g. /api/admin/tenants/:id' },
    params: { type: 'object', additionalProperties: { type: 'string' } },
    appid: { type: ['string', 'null'] },
    status: { type: 'integer' },
    requestId: { type: 'string' },
    body: anyValue,
    before: anyValue,
    after: anyValue,
  },
} as const;

/**
 * The audit trail of the admin API: every POST, PUT, PATCH and DELETE made with the admin token
 * or an operator session
 * is recorded once its answer is ready (before it is sent), whatever the status. For the routes
 * that edit tenants and profiles the value before and after the change is kept as well.
 * GETs, WeChat's pushes, the emulator's control API and tenant-key calls are not recorded.
 *
 * The plugin's hooks belong to the scope it is registered in (it is not encapsulated), so it
 * must be registered before the route plugins whose changes it records. GET /api/admin/audit
 * reads the trail; nothing edits or deletes it.
 */
export function auditRoutes(
  deps: GuardDeps & {
    tenants: Pick<TenantService, 'require' | 'view'>;
    profiles: Pick<ProfileService, 'get' | 'forTenant'>;
  },
) {
  const trail = createAuditTrail(deps);
  const { tenants, profiles } = deps;
  const snapshots: Record<string, Snapshot> = {
    'PATCH /api/admin/tenants/:id': async (p) => tenants.view(await tenants.require(p['id'] ?? '')),
    'PATCH /api/admin/profiles/:id': (p) => profiles.get(p['id'] ?? ''),
    'PUT /api/admin/profiles/:id/default': (p) => profiles.get(p['id'] ?? ''),
    'PUT /api/admin/tenants/:id/profile': async (p) => ({
      profile_id: (await profiles.forTenant(p['id'] ?? ''))?.id ?? null,
    }),
  };
  const before = new WeakMap<FastifyRequest, unknown>();
  const recorded = (req: FastifyRequest) =>
    CHANGES.has(req.method) && req.routeOptions.url !== undefined && actorOf(req.caller);
  const snapshotOf = (req: FastifyRequest) =>
    snapshots[`${req.method} ${req.routeOptions.url ?? ''}`];

  async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('preHandler', async (req) => {
      const read = recorded(req) ? snapshotOf(req) : undefined;
      if (!read) return;
      // A missing tenant or profile is the handler's to report (404); nothing to compare then.
      before.set(req, await read(req.params as Params).catch(() => undefined));
    });

    app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const actor = recorded(req);
      if (!actor) return payload;
      const params = { ...(req.params as Params) };
      const read = before.has(req) && reply.statusCode < 400 ? snapshotOf(req) : undefined;
      try {
        const after = read ? await read(params).catch(() => undefined) : undefined;
        await trail.record({
          actor,
          ip: req.ip,
          method: req.method,
          route: req.routeOptions.url ?? '',
          params,
          status: reply.statusCode,
          requestId: String(req.id),
          body: req.body,
          ...(before.has(req) ? { before: before.get(req) } : {}),
          ...(after !== undefined ? { after } : {}),
        });
      } catch (err) {
        // The change is made (or refused) already; its answer goes out, the gap is logged.
        req.log.error(
          { err, method: req.method, route: req.routeOptions.url },
          'audit trail: the change could not be recorded',
        );
      }
      return payload;
    });

    await app.register(async (admin) => {
      admin.addHook('onRequest', callerGuard(deps, 'admin'));
      admin.get<{
        Querystring: {
          limit?: number;
          before?: number;
          actor?: string;
          route?: string;
          method?: string;
          appid?: string;
          since?: string;
          until?: string;
        };
      }>(
        '/api/admin/audit',
        {
          schema: {
            tags: ['Admin'],
            summary:
              'The audit trail of changes made through the admin API, newest first; page with `before` = the `next` of the previous page',
            security: [{ bearerAuth: [] }],
            querystring: {
              type: 'object',
              additionalProperties: false,
              properties: {
                limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
                before: { type: 'integer', minimum: 1 },
                actor: {
                  type: 'string',
                  maxLength: 64,
                  description: 'Actor kind (admin_token, operator), operator id or username',
                },
                route: {
                  type: 'string',
                  maxLength: 200,
                  description: 'Route pattern, e.g. /api/admin/tenants/:id',
                },
                method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] },
                appid: { type: 'string', maxLength: 64 },
                since: {
                  type: 'string',
                  format: 'date-time',
                  description: 'At or after this time (ISO 8601)',
                },
                until: {
                  type: 'string',
                  format: 'date-time',
                  description: 'Before this time (ISO 8601)',
                },
              },
            },
            response: {
              200: {
                type: 'object',
                properties: {
                  items: { type: 'array', items: auditItem },
                  next: { type: ['integer', 'null'] },
                },
              },
              400: errorBody,
              401: errorBody,
            },
          },
        },
        async (req) => {
          const { since, until, limit, ...rest } = req.query;
          return trail.page({
            ...rest,
            limit: limit ?? 50,
            since: since === undefined ? undefined : new Date(since),
            until: until === undefined ? undefined : new Date(until),
          });
        },
      );
    });
  }
  // Not encapsulated: the hooks above apply to the route plugins registered after this one.
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
