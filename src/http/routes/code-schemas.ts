/** Request and response schemas of the code pipeline routes (OpenAPI and validation). */
import { CODE_STEP_KINDS } from '../../services/code/code-history.ts';
import { errorBody } from '../schemas.ts';

export const nullableString = { type: ['string', 'null'] } as const;
export const nullableInteger = { type: ['integer', 'null'] } as const;
export const codeStep = {
  title: 'CodeStep',
  type: 'object',
  required: [
    'id',
    'kind',
    'template_id',
    'user_version',
    'user_desc',
    'auditid',
    'reason',
    'screenshots',
    'detail',
    'by',
    'at',
  ],
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: [...CODE_STEP_KINDS] },
    template_id: nullableInteger,
    user_version: nullableString,
    user_desc: nullableString,
    auditid: nullableInteger,
    reason: nullableString,
    screenshots: { type: ['array', 'null'], items: { type: 'string' } },
    detail: {
      type: 'object',
      additionalProperties: true,
      description:
        'For audit_failed: categories and advice, what the reason asked for when it came (as at GET …/audit-advice)',
    },
    by: {
      type: 'string',
      description:
        "'admin', 'tenant:<id>', 'rollout:<id>', 'auto-release', or 'wechat' / 'wechat-poll' for audit results",
    },
    at: { type: 'string' },
  },
} as const;
export const codeState = {
  title: 'CodeState',
  type: 'object',
  required: ['appid', 'committed', 'audit', 'gray', 'released', 'visit_status'],
  properties: {
    appid: { type: 'string' },
    committed: {
      type: ['object', 'null'],
      required: ['template_id', 'user_version', 'user_desc', 'at', 'by'],
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
      required: [
        'auditid',
        'state',
        'reason',
        'screenshots',
        'template_id',
        'user_version',
        'user_desc',
        'auto_release',
        'at',
      ],
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
      required: ['percentage', 'user_version', 'at', 'by'],
      properties: {
        percentage: { type: 'integer' },
        user_version: nullableString,
        at: { type: 'string' },
        by: { type: 'string' },
      },
    },
    released: {
      type: ['object', 'null'],
      required: ['template_id', 'user_version', 'user_desc', 'rollback', 'at', 'by'],
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
  title: 'VersionHistory',
  type: 'object',
  required: ['appid', 'items'],
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
  title: 'AuditPreflight',
  type: 'object',
  required: ['appid', 'ok', 'checks', 'item_list'],
  properties: {
    appid: { type: 'string' },
    ok: { type: 'boolean' },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['check', 'ok', 'detail', 'code', 'params'],
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
          code: {
            type: 'string',
            description: 'The result as a stable code (privacy_guide_missing, ...)',
          },
          params: { type: 'object', additionalProperties: true },
        },
      },
    },
    item_list: {
      type: 'array',
      description:
        "The item_list submit_audit is given when the submission names none: the mini program's first approved category (the profile's preferred one first)",
      items: {
        type: 'object',
        required: ['first_class', 'second_class', 'first_id', 'second_id'],
        properties: {
          first_class: { type: 'string' },
          second_class: { type: 'string' },
          third_class: { type: 'string' },
          first_id: { type: 'integer' },
          second_id: { type: 'integer' },
          third_id: { type: 'integer' },
        },
      },
    },
  },
} as const;
const reasonCategory = {
  type: 'object',
  required: ['name', 'status'],
  properties: {
    name: {
      type: 'string',
      description: 'As the reason names it (first-second), dashes and parentheses ASCII',
    },
    status: {
      type: 'string',
      enum: ['can_add', 'needs_qualification', 'already_added', 'not_found'],
    },
    id: { type: 'integer', description: "The category's id in WeChat's tree (getallcategories)" },
    first: { type: 'integer', description: 'Its first-level category' },
    first_name: { type: 'string' },
    level: { type: 'integer' },
    qualifications: {
      type: 'array',
      items: { type: 'string' },
      description: 'Documents WeChat asks for when adding it (qualify.exter_list)',
    },
    sensitive: { type: 'boolean' },
    audit_status: {
      type: 'integer',
      description:
        "getcategory's audit_status when the mini program has it: 1 in review, 2 rejected, 3 approved",
    },
  },
} as const;
export const auditAdviceBody = {
  title: 'AuditAdvice',
  type: 'object',
  required: [
    'appid',
    'auditid',
    'user_version',
    'reason',
    'failed_at',
    'current',
    'categories',
    'advice',
  ],
  properties: {
    appid: { type: 'string' },
    auditid: nullableInteger,
    user_version: nullableString,
    reason: nullableString,
    failed_at: { type: 'string' },
    current: {
      type: 'boolean',
      description: 'false once a later audit was submitted or passed',
    },
    categories: { type: 'array', items: reasonCategory },
    advice: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'params'],
        properties: {
          code: {
            type: 'string',
            enum: [
              'add_category',
              'add_category_with_qualification',
              'category_already_added',
              'category_in_review',
              'category_not_available',
              'no_category_named',
            ],
            description:
              "add_category(_with_qualification): add it (with the documents) and submit again; category_not_available: not in WeChat's tree for this mini program — remove the feature or change the subject",
          },
          params: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;
