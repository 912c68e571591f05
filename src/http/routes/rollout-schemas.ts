/** Request and response schemas of the rollout routes (OpenAPI and validation). */
import { ITEM_STATES } from '../../services/rollout/rollout-view.ts';
import { errorBody } from '../schemas.ts';

export const errors = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  502: errorBody,
  503: errorBody,
};
export const stringList = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  maxItems: 100_000,
};
export const rolloutBody = {
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
export const stateCounts = {
  type: 'object',
  properties: Object.fromEntries(ITEM_STATES.map((s) => [s, { type: 'integer' }])),
} as const;
export const rolloutView = {
  title: 'Rollout',
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
    halted_code: {
      type: ['string', 'null'],
      description:
        'halted_reason as a stable code (wave_failures_above_threshold, paused_audit_quota, ...)',
    },
    halted_params: { type: ['object', 'null'], additionalProperties: true },
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
          code: { type: 'string', description: 'The reason as a stable code' },
          params: { type: 'object', additionalProperties: true },
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
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;
export const page = {
  offset: { type: 'integer', minimum: 0, default: 0 },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
} as const;

export const previewView = {
  title: 'RolloutPreview',
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
        code: {
          type: 'string',
          enum: ['audit_quota_enough', 'audit_quota_short', 'audit_quota_unknown'],
        },
        params: { type: 'object', additionalProperties: true },
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
    warning_reasons: {
      type: 'array',
      description: 'The warnings again, each with a stable code and its params',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: ['audit_quota_short', 'in_active_rollout'] },
          params: { type: 'object', additionalProperties: true },
          message: { type: 'string' },
        },
      },
    },
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
} as const;

export const itemsView = {
  title: 'RolloutItemPage',
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
          reason_code: { type: ['string', 'null'], description: 'The reason as a stable code' },
          reason_params: { type: ['object', 'null'], additionalProperties: true },
          errcode: { type: ['integer', 'null'] },
          screenshots: { type: ['array', 'null'], items: { type: 'string' } },
          attempts: { type: 'integer' },
          updated_at: { type: 'string' },
        },
      },
    },
    total: { type: 'integer' },
  },
} as const;
