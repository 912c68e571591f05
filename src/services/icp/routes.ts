import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { callerGuard, requireAppidAccess, type GuardDeps } from '../../http/auth.ts';
import { appidParams, perAppErrors } from '../../http/schemas.ts';
import type { MediaInput } from './media.ts';
import { createIcpService, ICP_STATES, type Application } from './service.ts';

/**
 * ICP filing (小程序备案) of a mini program on its behalf: admin routes for each step under
 * /api/admin/authorizers/{appid}/icp and the tenant's read-only view. One plugin, added to the
 * composition root in one line; it builds the service and takes the filing pushes' jobs.
 */
const security = [{ bearerAuth: [] }];
const tags = ['ICP filing'];
const ACTOR = 'admin';

const errors = perAppErrors;
const json = { type: 'object', additionalProperties: true } as const;

const auditItem = {
  type: 'object',
  properties: {
    key_name: { type: 'string', description: 'The field WeChat refused (its Chinese name)' },
    error: { type: 'string' },
    suggest: { type: 'string' },
  },
} as const;
const mediaItem = {
  type: 'object',
  properties: {
    media_id: { type: 'string' },
    type: { type: 'string', enum: ['image', 'video'] },
    icp_order_field: { type: 'string' },
    certificate_type: { type: ['integer', 'null'] },
    created_at: { type: ['integer', 'null'] },
  },
} as const;
export const icpView = {
  title: 'IcpFiling',
  type: 'object',
  properties: {
    appid: { type: 'string' },
    state: {
      type: 'string',
      enum: [...ICP_STATES],
      description:
        'not_started → verification (face verification started) → materials (face verified) → submitted (platform review, WeChat status 2) → under_review (bureau review, 4) → filed (6); rejected (3 or 5, reasons in audit_data)',
    },
    wechat_status: {
      type: ['integer', 'null'],
      description:
        "WeChat's status: 2 platform review, 3 platform rejected, 4 bureau review, 5 bureau rejected, 6 filed, 1024 and above not filed",
    },
    is_canceling: { type: 'boolean', description: 'A cancellation of the filing is in progress' },
    audit_data: { type: 'array', items: auditItem },
    verify_task_id: { type: ['string', 'null'] },
    face_status: {
      type: ['integer', 'null'],
      description: '0 not started, 1 waiting, 2 failed, 3 passed',
    },
    media: { type: 'array', items: mediaItem },
    updated_at: { type: ['string', 'null'] },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          kind: {
            type: 'string',
            description:
              'face_started, face_status, face_result, media_uploaded, applied, withdrawn, cancel_requested, status',
          },
          state: { type: 'string', enum: [...ICP_STATES] },
          detail: json,
          by: { type: 'string', description: "'admin', or 'wechat' for pushes" },
          at: { type: 'string' },
        },
      },
    },
  },
} as const;

export interface IcpRouteDeps extends GuardDeps {
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  log?: Logger;
}

type Params = { appid: string };

export function icpRoutes(deps: IcpRouteDeps) {
  const icp = createIcpService(deps);
  return async function plugin(root: FastifyInstance): Promise<void> {
    await root.register(async (tenant) => {
      tenant.addHook('onRequest', callerGuard(deps, 'tenant'));
      tenant.get<{ Params: Params }>(
        '/api/tenant/authorizers/:appid/icp',
        {
          schema: {
            tags,
            security,
            summary: "Where the ICP filing of one of the tenant's mini programs stands (read only)",
            params: appidParams,
            response: { 200: icpView, ...errors },
          },
        },
        async (req) => {
          await requireAppidAccess(deps.db, req, req.params.appid);
          return icp.stored(req.params.appid);
        },
      );
    });
    await root.register(async (app) => admin(app));
  };

  async function admin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    const base = '/api/admin/authorizers/:appid/icp';
    const route = (
      summary: string,
      extra: Record<string, unknown> = {},
      ok: unknown = icpView,
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
      route('Where the ICP filing stands, with its history (stored; refresh asks WeChat)'),
      (req) => icp.view(req.params.appid),
    );
    app.post<{ Params: Params }>(
      `${base}/refresh`,
      route('Ask WeChat where the filing stands (get_icp_entrance_info) and record it'),
      (req) => icp.refresh(req.params.appid, ACTOR),
    );
    app.get<{ Params: Params }>(
      `${base}/dictionaries`,
      route(
        "WeChat's filing dictionaries: subject types, districts (a tree), certificate types, pre-approval (nrlx) types, service content types",
        {},
        {
          type: 'object',
          properties: {
            subject_types: { type: 'array', items: json },
            districts: { type: 'array', items: json },
            certificate_types: { type: 'array', items: json },
            nrlx_types: { type: 'array', items: json },
            service_content_types: { type: 'array', items: json },
          },
        },
      ),
      (req) => icp.dictionaries(req.params.appid),
    );
    app.post<{ Params: Params; Body: { along_with_auth?: boolean } | undefined }>(
      `${base}/verification`,
      route(
        "Start the face verification (人脸核身) of the mini program's administrator; WeChat asks them on their phone",
        {
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: {
              along_with_auth: {
                type: 'boolean',
                description: 'For WeChat verification and filing in one (default false)',
              },
            },
          },
        },
      ),
      (req) => icp.startVerification(req.params.appid, ACTOR, req.body?.along_with_auth ?? false),
    );
    app.get<{ Params: Params }>(
      `${base}/verification`,
      route(
        'Ask WeChat about the face verification in use (query_icp_verifytask)',
        {},
        {
          type: 'object',
          properties: {
            is_finish: { type: 'boolean' },
            face_status: {
              type: 'integer',
              description: '0 not started, 1 waiting, 2 failed, 3 passed',
            },
            filing: icpView,
          },
        },
      ),
      (req) => icp.checkVerification(req.params.appid, ACTOR),
    );
    app.post<{ Params: Params; Body: MediaInput }>(
      `${base}/media`,
      {
        ...route(
          'Upload an image or a video for the filing (base64); checked for type, format and size before WeChat sees it',
          {
            body: {
              type: 'object',
              additionalProperties: false,
              required: ['type', 'icp_order_field', 'content_base64'],
              properties: {
                type: {
                  type: 'string',
                  description: '"image" (JPEG, PNG, GIF, BMP; 2 MB) or "video" (MP4; 10 MB)',
                },
                icp_order_field: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 200,
                  description:
                    'The field the file is for, e.g. icp_subject.principal_info.certificate_photo_front',
                },
                certificate_type: {
                  type: 'integer',
                  description: 'The certificate type, for photos of a certificate',
                },
                filename: { type: 'string', maxLength: 200 },
                content_base64: { type: 'string', minLength: 1 },
              },
            },
          },
          mediaItem,
        ),
        bodyLimit: 16 * 1024 * 1024,
      },
      (req) => icp.uploadMedia(req.params.appid, req.body, ACTOR),
    );
    app.post<{ Params: Params; Body: Application }>(
      `${base}/application`,
      route(
        "Apply for the filing (apply_icp_filing): icp_subject, icp_applets and icp_materials as WeChat documents them, media by the media_id of the uploads, the administrator's verify_task_id in icp_applets.principal_info. Codes are checked against WeChat's dictionaries first; a refused field is named in `field`",
        {
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['icp_subject', 'icp_applets', 'icp_materials'],
            properties: { icp_subject: json, icp_applets: json, icp_materials: json },
          },
        },
      ),
      (req) => icp.apply(req.params.appid, req.body, ACTOR),
    );
    app.post<{ Params: Params }>(
      `${base}/application/withdraw`,
      route('Withdraw the application under platform review (cancel_apply_icp_filing)'),
      (req) => icp.withdraw(req.params.appid, ACTOR),
    );
    app.post<{ Params: Params; Body: { cancel_type: number } }>(
      `${base}/cancel`,
      route('Cancel (注销) the filing (cancel_icp_filing)', {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['cancel_type'],
          properties: {
            cancel_type: {
              type: 'integer',
              enum: [1, 2, 3],
              description: '1 the subject, 2 the mini program, 3 the WeChat mini program',
            },
          },
        },
      }),
      (req) => icp.cancelFiling(req.params.appid, req.body.cancel_type, ACTOR),
    );
    app.get<{ Params: Params }>(
      `${base}/order`,
      route(
        'The filed details as WeChat shows them (get_online_icp_order; personal data masked by WeChat), with the record numbers',
        {},
        {
          type: 'object',
          properties: {
            icp_subject: { type: ['object', 'null'], additionalProperties: true },
            icp_applets: { type: ['object', 'null'], additionalProperties: true },
          },
        },
      ),
      (req) => icp.order(req.params.appid),
    );
  }
}
