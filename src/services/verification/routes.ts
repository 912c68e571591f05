import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { callerGuard, requireAppidAccess, type GuardDeps } from '../../http/auth.ts';
import { appidParams, errorBody, perAppErrors } from '../../http/schemas.ts';
import {
  createVerificationService,
  type CategoryReviewInput,
  type MaterialInput,
  type VerificationInput,
} from './service.ts';

/**
 * Verification on behalf (代认证) of a mini program and WeChat's reviews of its name and
 * categories, for the admin token: /api/admin/authorizers/{appid}/verification (state, start,
 * refresh, materials, resubmit) and /api/admin/authorizers/{appid}/reviews; tenant keys read their own
 * mini programs' verification and reviews under /api/tenant/authorizers. One plugin, added to
 * the composition root in one line; it builds the service and takes the pushes' jobs.
 */
const security = [{ bearerAuth: [] }];
const tags = ['Verification'];
const errors = perAppErrors;
const mediaIds = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

const task = {
  title: 'VerificationTask',
  type: 'object',
  properties: {
    taskid: { type: 'string' },
    state: {
      type: 'string',
      enum: ['in_progress', 'approved', 'rejected', 'failed'],
      description:
        'in_progress (waiting for the administrator or the reviewers), approved (apply_status 4), rejected (sent back to refill, apply_status 3: resubmit), failed (final failure or a task that ended)',
    },
    task_status: {
      type: ['integer', 'null'],
      description:
        "WeChat's task_status: 0 initial, 1 expired, 2 refused, 3 agreed, 4–9 face and SMS steps, 11 review order failed, 12 review order created, 14 failed, 15 waiting for payment",
    },
    apply_status: {
      type: ['integer', 'null'],
      description:
        "WeChat's apply_status: 0 none, 1 to pay, 2 reviewing, 3 sent back to refill, 4 verified, 5 finally failed",
    },
    auth_url: {
      type: ['string', 'null'],
      description: 'The link the administrator opens to agree to the verification',
    },
    account_name: { type: 'string' },
    customer_type: { type: 'integer' },
    reason: { type: ['string', 'null'], description: 'Why it was sent back or failed' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;
const verificationView = {
  title: 'Verification',
  type: 'object',
  properties: {
    appid: { type: 'string' },
    state: { type: 'string', enum: ['none', 'in_progress', 'approved', 'rejected', 'failed'] },
    current: { anyOf: [task, { type: 'null' }] },
    history: { type: 'array', items: task },
  },
} as const;
const review = {
  title: 'Review',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: ['nickname', 'category'] },
    state: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
    audit_id: { type: ['integer', 'null'], description: 'setnickname’s audit_id' },
    nickname: { type: ['string', 'null'] },
    first: { type: ['integer', 'null'], description: 'First-level category id' },
    second: { type: ['integer', 'null'], description: 'Second-level category id' },
    reason: { type: ['string', 'null'], description: 'Why WeChat rejected it' },
    requested_at: { type: 'string' },
    decided_at: { type: ['string', 'null'] },
  },
} as const;
const startBody = {
  type: 'object',
  additionalProperties: false,
  required: ['customer_type', 'contact_info', 'account_name', 'account_name_type', 'pay_type'],
  properties: {
    customer_type: {
      type: 'integer',
      description: '1 enterprise, 12 individual business (个体工商户), 15 person',
    },
    contact_info: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'email'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 64 },
        email: { type: 'string', minLength: 3, maxLength: 128 },
      },
    },
    invoice_info: {
      type: 'object',
      additionalProperties: true,
      description:
        'Invoice details as WeChat takes them (invoice_type, invoice_title, electronic or vat); not needed when the platform pays',
    },
    qualification: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description:
        'Media id (from …/verification/materials) of the subject’s licence; required unless customer_type is 15',
    },
    qualification_other: { ...mediaIds, maxItems: 10 },
    account_name: { type: 'string', minLength: 1, maxLength: 30 },
    account_name_type: { type: 'integer', description: '1 chosen words, 2 a trademark' },
    account_supplemental: { ...mediaIds, maxItems: 20 },
    pay_type: {
      type: 'integer',
      description: '1 the platform’s prepaid package, 2 the developer pays',
    },
    auth_identification: { type: 'string', maxLength: 128 },
    auth_ident_material: { ...mediaIds, maxItems: 10 },
    third_party_phone: { type: 'string', maxLength: 32 },
    service_appid: { type: 'string', maxLength: 64 },
  },
} as const;

export interface VerificationRouteDeps extends GuardDeps {
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  log?: Logger;
}

type Params = { appid: string };

/** The plugin src/app/create.ts adds. */
export function verificationRoutes(deps: VerificationRouteDeps) {
  const service = createVerificationService(deps);
  return async function plugin(root: FastifyInstance): Promise<void> {
    await root.register(async (app) => {
      app.addHook('onRequest', callerGuard(deps, 'admin'));
      const base = '/api/admin/authorizers/:appid/verification';
      const schema = (
        summary: string,
        extra: Record<string, unknown> = {},
        ok: unknown = verificationView,
      ) => ({
        schema: {
          tags,
          security,
          summary,
          params: appidParams,
          response: { 200: ok, ...errors },
          ...extra,
        },
      });

      app.get<{ Params: Params }>(
        base,
        schema(
          'The verification (代认证) of a mini program: the current task and earlier ones (stored)',
        ),
        (req) => service.view(req.params.appid),
      );
      app.post<{ Params: Params; Body: VerificationInput }>(
        base,
        schema(
          'Start a verification (wxaauth); the answer carries the auth_url to send to the administrator. 409 verification_in_progress while one is in progress',
          { body: startBody },
        ),
        (req) => service.start(req.params.appid, req.body),
      );
      app.post<{ Params: Params }>(
        `${base}/refresh`,
        schema('Ask WeChat where the current task stands (queryauth) and record it'),
        (req) => service.refresh(req.params.appid),
      );
      app.post<{ Params: Params; Body: VerificationInput }>(
        `${base}/resubmit`,
        schema(
          'Submit a verification sent back to refill again (reauth); 409 verification_not_sent_back otherwise',
          { body: startBody },
        ),
        (req) => service.resubmit(req.params.appid, req.body),
      );
      app.post<{ Params: Params; Body: MaterialInput }>(
        `${base}/materials`,
        {
          // A 2 MB image is about 2.8 MB of base64.
          bodyLimit: 4 * 1024 * 1024,
          ...schema(
            'Upload a material (uploadauthmaterial): a PNG, JPEG or GIF image of at most 2 MB, base64; checked before WeChat sees it. Answers the mediaid to use in qualification and the other material fields',
            {
              body: {
                type: 'object',
                additionalProperties: false,
                required: ['content_base64'],
                properties: {
                  filename: { type: 'string', maxLength: 200 },
                  content_base64: { type: 'string', maxLength: 3_000_000 },
                },
              },
            },
            {
              type: 'object',
              properties: { mediaid: { type: 'string' }, type: { type: 'string' } },
            },
          ),
        },
        (req) => service.uploadMaterial(req.params.appid, req.body),
      );
      app.get<{ Params: Params }>(
        '/api/admin/authorizers/:appid/reviews',
        {
          schema: {
            tags,
            security,
            summary:
              'WeChat’s reviews of the mini program’s name (setnickname) and categories (with qualifications): pending ones and decided ones, newest first',
            params: appidParams,
            response: {
              200: { type: 'object', properties: { items: { type: 'array', items: review } } },
              ...errors,
            },
          },
        },
        (req) => service.reviews(req.params.appid),
      );
      app.post<{ Params: Params; Body: CategoryReviewInput }>(
        '/api/admin/authorizers/:appid/reviews/categories',
        {
          schema: {
            tags,
            security,
            summary:
              'Submit a category for WeChat’s review with its qualifications: added when the mini program does not have it (addcategory), given new qualifications when it was rejected (modifycategory); 409 category_not_rejected when it is under review or approved. The review is pending until WeChat’s wxa_category_audit push',
            params: appidParams,
            body: {
              type: 'object',
              additionalProperties: false,
              required: ['first', 'second', 'certicates'],
              properties: {
                first: { type: 'integer', minimum: 1 },
                second: { type: 'integer', minimum: 1 },
                certicates: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 10,
                  description:
                    'Qualifications: key names the qualification, value is the media id of its image',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['key', 'value'],
                    properties: {
                      key: { type: 'string', maxLength: 100 },
                      value: { type: 'string', maxLength: 256 },
                    },
                  },
                },
              },
            },
            response: {
              200: {
                type: 'object',
                properties: {
                  audit_status: {
                    type: ['integer', 'null'],
                    description:
                      'WeChat’s audit_status of the category now: 1 reviewing, 2 rejected, 3 approved',
                  },
                  reviews: { type: 'array', items: review },
                },
              },
              ...errors,
            },
          },
        },
        (req) => service.submitCategory(req.params.appid, req.body),
      );
    });
    // A tenant's system reads where its own mini programs stand (another tenant's: 404).
    await root.register(async (tenant) => {
      tenant.addHook('onRequest', callerGuard(deps, 'tenant'));
      const read = (summary: string, ok: unknown) => ({
        schema: {
          tags: ['Tenant API'],
          security,
          summary,
          params: appidParams,
          response: { 200: ok, 401: errorBody, 404: errorBody },
        },
      });
      tenant.get<{ Params: Params }>(
        '/api/tenant/authorizers/:appid/verification',
        read(
          'The verification (代认证) of one of the tenant’s mini programs: the current task (with the auth_url its administrator opens) and earlier ones',
          verificationView,
        ),
        async (req) => {
          await requireAppidAccess(deps.db, req, req.params.appid);
          return service.view(req.params.appid);
        },
      );
      tenant.get<{ Params: Params }>(
        '/api/tenant/authorizers/:appid/reviews',
        read(
          'WeChat’s reviews of the name and categories of one of the tenant’s mini programs, pending and decided, newest first',
          { type: 'object', properties: { items: { type: 'array', items: review } } },
        ),
        async (req) => {
          await requireAppidAccess(deps.db, req, req.params.appid);
          return service.reviews(req.params.appid);
        },
      );
    });
  };
}
