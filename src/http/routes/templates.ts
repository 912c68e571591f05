import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { TemplateService } from '../../services/templates.ts';
import { callerGuard, type GuardDeps } from '../auth.ts';
import { errorBody } from '../schemas.ts';

/** Admin: the platform's draft box, template library and default template. */
const security = [{ bearerAuth: [] }];
const tags = ['Templates'];
const nullableString = { type: ['string', 'null'] } as const;
/** Every field of services/templates.ts `TemplateView` is always answered. */
const templateRequired = [
  'template_id',
  'draft_id',
  'template_type',
  'user_version',
  'user_desc',
  'source_miniprogram_appid',
  'source_miniprogram',
  'developer',
  'created_at',
  'first_seen_at',
  'last_seen_at',
  'in_library',
  'left_library_at',
  'is_default',
] as const;
const template = {
  title: 'Template',
  type: 'object',
  required: templateRequired,
  properties: {
    template_id: { type: 'integer' },
    draft_id: { type: ['integer', 'null'] },
    template_type: { type: 'integer', description: '0 normal, 1 standard' },
    user_version: { type: 'string' },
    user_desc: { type: 'string' },
    source_miniprogram_appid: nullableString,
    source_miniprogram: nullableString,
    developer: nullableString,
    created_at: { ...nullableString, description: 'When WeChat created the template' },
    first_seen_at: { type: 'string' },
    last_seen_at: { type: 'string' },
    in_library: {
      type: 'boolean',
      description: 'false once WeChat’s library no longer holds it (openwx keeps the record)',
    },
    left_library_at: nullableString,
    is_default: { type: 'boolean' },
    warning: { type: 'string', description: 'In English, for logs (the default template only)' },
    warning_code: {
      type: 'string',
      enum: ['default_left_library'],
      description: "The warning's stable code: the default template left WeChat's library",
    },
    warning_params: {
      type: 'object',
      properties: { template_id: { type: 'integer' } },
    },
  },
} as const;
const draft = {
  title: 'TemplateDraft',
  type: 'object',
  properties: {
    draft_id: { type: 'integer' },
    user_version: { type: 'string' },
    user_desc: { type: 'string' },
    source_miniprogram_appid: nullableString,
    source_miniprogram: nullableString,
    developer: nullableString,
    created_at: nullableString,
  },
} as const;
const warning = {
  type: 'object',
  required: ['code', 'message', 'candidates'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    candidates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          template_id: { type: 'integer' },
          user_version: { type: 'string' },
          created_at: nullableString,
        },
      },
    },
  },
} as const;
const idParams = {
  type: 'object',
  properties: { template_id: { type: 'integer', minimum: 0 } },
} as const;
const idBody = {
  type: 'object',
  additionalProperties: false,
  required: ['template_id'],
  properties: { template_id: { type: 'integer', minimum: 0 } },
} as const;
const errors = { 400: errorBody, 401: errorBody, 404: errorBody, 502: errorBody, 503: errorBody };

export function templateRoutes(deps: GuardDeps & { templates: TemplateService }) {
  const { templates } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));

    app.get(
      '/api/admin/templates/drafts',
      {
        schema: {
          tags,
          security,
          summary: 'The draft box: code uploaded with the development mini program',
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: draft } } },
            ...errors,
          },
        },
      },
      () => templates.drafts(),
    );
    app.get(
      '/api/admin/templates',
      {
        schema: {
          tags,
          security,
          summary:
            'The template library, with every template openwx has seen (in_library false once WeChat dropped it) and a warning near the limit',
          response: {
            200: {
              title: 'TemplateList',
              type: 'object',
              required: ['items', 'library', 'default_template_id', 'warnings'],
              properties: {
                items: {
                  type: 'array',
                  items: {
                    ...template,
                    title: 'TemplateWithUsage',
                    required: [...templateRequired, 'usage'],
                    properties: {
                      ...template.properties,
                      usage: {
                        type: 'integer',
                        description:
                          'How many mini programs run it online (GET …/:template_id/usage lists them)',
                      },
                    },
                  },
                },
                library: {
                  type: 'object',
                  required: ['count', 'limit'],
                  properties: { count: { type: 'integer' }, limit: { type: 'integer' } },
                },
                default_template_id: { type: ['integer', 'null'] },
                warnings: { type: 'array', items: warning },
              },
            },
            ...errors,
          },
        },
      },
      () => templates.list(),
    );
    app.post<{ Body: { draft_id: number; template_type?: 0 | 1 } }>(
      '/api/admin/templates',
      {
        schema: {
          tags,
          security,
          summary: 'Add a draft to the template library (addtotemplate)',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['draft_id'],
            properties: {
              draft_id: { type: 'integer', minimum: 0 },
              template_type: {
                type: 'integer',
                enum: [0, 1],
                description: '0 normal (default), 1 standard',
              },
            },
          },
          response: { 201: template, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await templates.add(req.body)),
    );
    app.get(
      '/api/admin/templates/default',
      {
        schema: {
          tags,
          security,
          summary: 'The default template (the one new merchants get)',
          response: { 200: template, ...errors },
        },
      },
      () => templates.getDefault(),
    );
    app.put<{ Body: { template_id: number } }>(
      '/api/admin/templates/default',
      {
        schema: {
          tags,
          security,
          summary: 'Set the default template; it must be in WeChat’s template library',
          body: idBody,
          response: { 200: template, 409: errorBody, ...errors },
        },
      },
      (req) => templates.setDefault(req.body.template_id),
    );
    app.delete<{ Params: { template_id: number } }>(
      '/api/admin/templates/:template_id',
      {
        schema: {
          tags,
          security,
          summary:
            'Delete a template from WeChat’s library (deletetemplate); openwx keeps its record',
          params: idParams,
          response: { 200: template, 409: errorBody, ...errors },
        },
      },
      (req) => templates.remove(req.params.template_id),
    );
  };
}
