import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { RolloutInput, Rollouts } from '../../services/rollout/rollouts.ts';
import { AppError } from '../../core/errors.ts';
import { callerGuard, requireAppidAccess, tenantOf, type GuardDeps } from '../auth.ts';
import {
  errors,
  idParams,
  itemsView,
  page,
  previewView,
  rolloutBody,
  rolloutView,
} from './rollout-schemas.ts';
import { ITEM_STATES } from '../../services/rollout/rollout-view.ts';

/** Fleet rollouts (admin) and a tenant's own deployment (`POST /api/tenant/deploy`). */
const security = [{ bearerAuth: [] }];
const tags = ['Rollouts'];
type IdParams = { id: number };

export function rolloutRoutes(deps: GuardDeps & { rollouts: Rollouts }) {
  const { rollouts } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    await app.register(async (admin) => {
      admin.addHook('onRequest', callerGuard(deps, 'admin'));
      admin.post<{ Body: RolloutInput; Querystring: { offset: number; limit: number } }>(
        '/api/admin/rollouts/preview',
        {
          schema: {
            tags,
            security,
            summary:
              'Preview a rollout without sending anything: per mini program the exact commit payload (rendered ext_json) and the pre-flight result (one page of them), the waves and the audit quota estimate',
            body: rolloutBody,
            querystring: {
              type: 'object',
              properties: { ...page, limit: { ...page.limit, maximum: 200, default: 20 } },
            },
            response: {
              200: previewView,
              ...errors,
            },
          },
        },
        (req) => rollouts.preview(req.body, req.query),
      );
      admin.post<{ Body: RolloutInput }>(
        '/api/admin/rollouts',
        {
          schema: {
            tags,
            security,
            summary:
              'Start a rollout: commit, audit and release a template on every targeted mini program, wave by wave (refused when the monthly audit quota is short or a targeted mini program is in another active rollout)',
            body: rolloutBody,
            response: { 201: rolloutView, ...errors },
          },
        },
        async (req, reply) => reply.status(201).send(await rollouts.create(req.body, 'admin')),
      );
      admin.get<{ Querystring: { status?: string; offset: number; limit: number } }>(
        '/api/admin/rollouts',
        {
          schema: {
            tags,
            security,
            summary: 'Rollouts, newest first',
            querystring: {
              type: 'object',
              properties: {
                status: {
                  type: 'string',
                  enum: ['running', 'paused', 'completed', 'halted', 'cancelled'],
                },
                ...page,
              },
            },
            response: {
              200: {
                type: 'object',
                properties: {
                  items: { type: 'array', items: rolloutView },
                  total: { type: 'integer' },
                },
              },
              ...errors,
            },
          },
        },
        (req) => rollouts.list(req.query),
      );
      admin.get<{ Params: IdParams }>(
        '/api/admin/rollouts/:id',
        {
          schema: {
            tags,
            security,
            summary: 'Live progress: counts per state and per wave, errors grouped by reason',
            params: idParams,
            response: { 200: rolloutView, ...errors },
          },
        },
        (req) => rollouts.get(req.params.id),
      );
      admin.get<{
        Params: IdParams;
        Querystring: { state?: string; reason?: string; offset: number; limit: number };
      }>(
        '/api/admin/rollouts/:id/items',
        {
          schema: {
            tags,
            security,
            summary: 'The mini programs of a rollout with their state and reason',
            params: idParams,
            querystring: {
              type: 'object',
              properties: {
                state: { type: 'string', enum: [...ITEM_STATES] },
                reason: { type: 'string' },
                ...page,
              },
            },
            response: {
              200: itemsView,
              ...errors,
            },
          },
        },
        (req) => rollouts.items(req.params.id, req.query),
      );
      const action = (verb: string, summary: string, run: (id: number) => Promise<unknown>) =>
        admin.post<{ Params: IdParams }>(
          `/api/admin/rollouts/:id/${verb}`,
          {
            schema: {
              tags,
              security,
              summary,
              params: idParams,
              response: { 200: rolloutView, ...errors },
            },
          },
          (req) => run(req.params.id),
        );
      action('pause', 'Pause: no further WeChat calls (audits in flight still report)', (id) =>
        rollouts.pause(id),
      );
      action(
        'resume',
        'Resume a paused or halted rollout (a halted one goes on past the wave that halted it)',
        (id) => rollouts.resume(id),
      );
      action(
        'cancel',
        'Cancel: mini programs not yet sent to WeChat are dropped; audits in flight are left to finish',
        (id) => rollouts.cancel(id),
      );
      admin.post<{ Params: IdParams; Body: { reason?: string } | undefined }>(
        '/api/admin/rollouts/:id/retry',
        {
          schema: {
            tags,
            security,
            summary: 'Retry the failed mini programs (all, or those failed for one reason)',
            params: idParams,
            body: {
              type: ['object', 'null'],
              additionalProperties: false,
              properties: { reason: { type: 'string' } },
            },
            response: {
              200: {
                type: 'object',
                properties: { retried: { type: 'integer' }, rollout: rolloutView },
              },
              ...errors,
            },
          },
        },
        (req) => rollouts.retry(req.params.id, req.body?.reason),
      );
      admin.post<{ Params: IdParams }>(
        '/api/admin/rollouts/:id/release',
        {
          schema: {
            tags,
            security,
            summary:
              'Release for everyone the mini programs waiting for a release by hand or in a phased release',
            params: idParams,
            response: {
              200: {
                type: 'object',
                properties: { releasing: { type: 'integer' }, rollout: rolloutView },
              },
              ...errors,
            },
          },
        },
        (req) => rollouts.release(req.params.id),
      );
    });

    await app.register(async (tenant) => {
      tenant.addHook('onRequest', callerGuard(deps, 'tenant'));
      tenant.post<{ Body: { appid: string; template_id?: number } }>(
        '/api/tenant/deploy',
        {
          schema: {
            tags,
            security,
            summary:
              "Deploy one of the tenant's mini programs: the default template is committed with the tenant's ext_json, audited and released. Later upgrades need the operator's permission (self_upgrade)",
            body: {
              type: 'object',
              additionalProperties: false,
              required: ['appid'],
              properties: {
                appid: { type: 'string', minLength: 1 },
                template_id: { type: 'integer', minimum: 0 },
              },
            },
            response: { 202: rolloutView, ...errors },
          },
        },
        async (req, reply) => {
          await requireAppidAccess(deps.db, req, req.body.appid);
          const tenantId = tenantOf(req) as string;
          const row = await deps.db.query<{ self_upgrade: boolean | null }>(
            'SELECT self_upgrade FROM tenants WHERE id = $1',
            [tenantId],
          );
          const rollout = await rollouts.deployForTenant(
            { id: tenantId, self_upgrade: row.rows[0]?.self_upgrade ?? null },
            req.body,
          );
          return reply.status(202).send(rollout);
        },
      );
      tenant.get<{ Params: IdParams }>(
        '/api/tenant/deploy/:id',
        {
          schema: {
            tags,
            security,
            summary: "Progress of one of the tenant's deployments",
            params: idParams,
            response: { 200: rolloutView, ...errors },
          },
        },
        async (req) => {
          const r = await rollouts.find(req.params.id);
          if (r.created_by !== `tenant:${tenantOf(req)}`) {
            throw new AppError('not_found', `deployment ${req.params.id} not found`, {
              details: { params: { reason: 'deployment', id: req.params.id } },
            });
          }
          return rollouts.get(req.params.id);
        },
      );
    });
  };
}
