import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { RolloutInput, Rollouts } from '../../services/rollouts.ts';
import { ITEM_STATES } from '../../services/rollout-view.ts';
import { AppError } from '../../core/errors.ts';
import { callerGuard, requireAppidAccess, tenantOf, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Fleet rollouts (admin) and a tenant's own deployment (`POST /api/tenant/deploy`). */
const security = [{ bearerAuth: [] }];
const tags = ['Rollouts'];
const errors = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  502: errorBody,
  503: errorBody,
};
const stringList = { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 100_000 };
const rolloutBody = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: {
    template_id: {
      type: 'integer',
      minimum: 0,
      description: 'A template of the library; the default template when absent',
    },
    user_version: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: "Default: the template's",
    },
    user_desc: { type: 'string', maxLength: 1000 },
    ext: {
      type: 'object',
      additionalProperties: true,
      description:
        "Merged over each tenant's ext; {{appid}}, {{tenant.id}}, {{tenant.name}} are replaced",
    },
    ext_json: { type: 'string', description: 'The whole ext_json as text (instead of ext)' },
    target: {
      type: 'object',
      additionalProperties: false,
      description: 'All given conditions must hold',
      properties: {
        all: { type: 'boolean' },
        tenant_ids: stringList,
        appids: stringList,
        released_below: { type: 'string', description: 'e.g. "1.4.0"' },
        include_unreleased: { type: 'boolean' },
      },
    },
    waves: {
      type: 'array',
      items: { type: 'number' },
      description: 'Cumulative percentages, e.g. [1, 10, 100]; default [100]',
    },
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        auto_release: {
          type: 'boolean',
          description: 'Release when the audit passes (default true)',
        },
        gray_percentage: { type: ['integer', 'null'], minimum: 1, maximum: 100 },
        failure_threshold: {
          type: 'integer',
          minimum: 0,
          maximum: 100,
          description: 'Halt when more than this percentage of a wave failed',
        },
      },
    },
  },
} as const;
const stateCounts = {
  type: 'object',
  properties: Object.fromEntries(ITEM_STATES.map((s) => [s, { type: 'integer' }])),
} as const;
const rolloutView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: { type: 'string', enum: ['running', 'paused', 'completed', 'halted', 'cancelled'] },
    template_id: { type: 'integer' },
    user_version: { type: 'string' },
    user_desc: { type: 'string' },
    target: { type: 'object', additionalProperties: true },
    options: { type: 'object', additionalProperties: true },
    current_wave: { type: 'integer' },
    halted_reason: { type: ['string', 'null'] },
    total: { type: 'integer' },
    counts: stateCounts,
    progress: { type: 'number', description: 'Percentage of mini programs settled' },
    waves: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          wave: { type: 'integer' },
          percent: { type: 'number' },
          total: { type: 'integer' },
          state: { type: 'string', enum: ['done', 'current', 'waiting'] },
          counts: stateCounts,
        },
      },
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          reason: { type: 'string' },
          errcode: { type: ['integer', 'null'] },
          count: { type: 'integer' },
          sample_appids: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    created_by: { type: 'string' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    finished_at: { type: ['string', 'null'] },
  },
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;
const page = {
  offset: { type: 'integer', minimum: 0, default: 0 },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
} as const;

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
              200: {
                type: 'object',
                properties: {
                  template_id: { type: 'integer' },
                  user_version: { type: 'string' },
                  user_desc: { type: 'string' },
                  total: { type: 'integer' },
                  waves: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        wave: { type: 'integer' },
                        percent: { type: 'number' },
                        mini_programs: { type: 'integer' },
                      },
                    },
                  },
                  options: { type: 'object', additionalProperties: true },
                  quota: {
                    type: 'object',
                    properties: {
                      needed: { type: 'integer' },
                      remaining: { type: ['integer', 'null'] },
                      limit: { type: ['integer', 'null'] },
                      enough: { type: 'boolean' },
                      message: { type: 'string' },
                    },
                  },
                  warnings: { type: 'array', items: { type: 'string' } },
                  offset: { type: 'integer' },
                  limit: { type: 'integer' },
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        appid: { type: 'string' },
                        tenant_id: { type: ['string', 'null'] },
                        released_version: { type: ['string', 'null'] },
                        wave: { type: 'integer' },
                        commit: {
                          type: 'object',
                          properties: {
                            template_id: { type: 'integer' },
                            user_version: { type: 'string' },
                            user_desc: { type: 'string' },
                            ext_json: { type: 'string' },
                          },
                        },
                        preflight: { type: 'object', additionalProperties: true },
                      },
                    },
                  },
                },
              },
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
              200: {
                type: 'object',
                properties: {
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        appid: { type: 'string' },
                        tenant_id: { type: ['string', 'null'] },
                        wave: { type: 'integer' },
                        state: { type: 'string' },
                        auditid: { type: ['integer', 'null'] },
                        reason: { type: ['string', 'null'] },
                        errcode: { type: ['integer', 'null'] },
                        screenshots: { type: ['array', 'null'], items: { type: 'string' } },
                        attempts: { type: 'integer' },
                        updated_at: { type: 'string' },
                      },
                    },
                  },
                  total: { type: 'integer' },
                },
              },
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
            throw new AppError('not_found', `deployment ${req.params.id} not found`);
          }
          return rollouts.get(req.params.id);
        },
      );
    });
  };
}
