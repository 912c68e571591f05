/** Request and response schemas of the code pipeline routes (OpenAPI and validation). */
import { CODE_STEP_KINDS } from '../../services/code/code-history.ts';
import { errorBody } from '../schemas.ts';

export const nullableString = { type: ['string', 'null'] } as const;
export const nullableInteger = { type: ['integer', 'null'] } as const;
export const codeStep = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: [...CODE_STEP_KINDS] },
    template_id: nullableInteger,
    user_version: nullableString,
    user_desc: nullableString,
    auditid: nullableInteger,
    reason: nullableString,
    screenshots: { type: ['array', 'null'], items: { type: 'string' } },
    detail: { type: 'object', additionalProperties: true },
    by: {
      type: 'string',
      description:
        "'admin', 'tenant:<id>', 'rollout:<id>', 'auto-release', or 'wechat' / 'wechat-poll' for audit results",
    },
    at: { type: 'string' },
  },
} as const;
export const codeState = {
  type: 'object',
  properties: {
    appid: { type: 'string' },
    committed: {
      type: ['object', 'null'],
      properties: {
        template_id: nullableInteger,
        user_version: nullableString,
        user_desc: nullableString,
        at: { type: 'string' },
        by: { type: 'string' },
      },
    },
    audit: {
      type: ['object', 'null'],
      properties: {
        auditid: nullableInteger,
        state: {
          type: 'string',
          enum: ['auditing', 'passed', 'failed', 'delayed', 'withdrawn', 'released'],
          description: "'released': the version passed and has been released since",
        },
        reason: nullableString,
        screenshots: { type: ['array', 'null'], items: { type: 'string' } },
        template_id: nullableInteger,
        user_version: nullableString,
        user_desc: nullableString,
        auto_release: { type: 'boolean' },
        at: { type: 'string' },
      },
    },
    gray: {
      type: ['object', 'null'],
      description: 'The phased release running now, if any',
      properties: {
        percentage: { type: 'integer' },
        user_version: nullableString,
        at: { type: 'string' },
        by: { type: 'string' },
      },
    },
    released: {
      type: ['object', 'null'],
      properties: {
        template_id: nullableInteger,
        user_version: nullableString,
        user_desc: nullableString,
        rollback: { type: 'boolean' },
        at: { type: 'string' },
        by: { type: 'string' },
      },
    },
    visit_status: nullableString,
  },
} as const;
export const versionsBody = {
  type: 'object',
  properties: { appid: { type: 'string' }, items: { type: 'array', items: codeStep } },
} as const;
export const usageItem = {
  type: 'object',
  properties: {
    appid: { type: 'string' },
    user_version: nullableString,
    since: { type: 'string' },
  },
} as const;
export const appidParams = {
  type: 'object',
  required: ['appid'],
  properties: { appid: { type: 'string', minLength: 1 } },
} as const;
export const errors = {
  400: errorBody,
  401: errorBody,
  404: errorBody,
  409: errorBody,
  502: errorBody,
  503: errorBody,
};
export const preflightBody = {
  type: 'object',
  properties: {
    appid: { type: 'string' },
    ok: { type: 'boolean' },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          check: {
            type: 'string',
            enum: [
              'authorized',
              'no_audit_in_flight',
              'privacy',
              'categories',
              'icp',
              'audit_quota',
            ],
          },
          ok: { type: 'boolean' },
          detail: { type: 'string' },
          params: { type: 'object', additionalProperties: true },
        },
      },
    },
    item_list: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;
