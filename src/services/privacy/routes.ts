import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { Clock } from '../../core/clock.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { callerGuard, type GuardDeps } from '../../http/auth.ts';
import { appidParams, perAppErrors } from '../../http/schemas.ts';
import type { FileInput } from './media.ts';
import { createPrivacyService, type ApplyInput } from './service.ts';

/**
 * Privacy interfaces of a mini program as one Fastify plugin (admin token): the interfaces WeChat
 * grants on application and their state, applying for one, what the code privacy detection found,
 * and the uploads for a submission (audit materials) and a custom privacy guide.
 */
const security = [{ bearerAuth: [] }];
const tags = ['Privacy interfaces'];
const errors = perAppErrors;
const str = { type: ['string', 'null'] } as const;

const privacyInterface = {
  title: 'PrivacyInterface',
  type: 'object',
  properties: {
    api_name: { type: 'string', description: 'e.g. wx.getLocation (case-sensitive)' },
    api_ch_name: str,
    api_desc: str,
    group_name: str,
    api_link: str,
    status: {
      type: ['integer', 'null'],
      description:
        "WeChat's status: 1 to apply for, 2 no permission, 3 applying, 4 rejected, 5 approved",
    },
    state: {
      type: 'string',
      description: 'not_applied, no_permission, applying, rejected or approved',
    },
    audit_id: { type: ['integer', 'null'] },
    apply_time: str,
    fail_reason: { type: ['string', 'null'], description: "The reviewer's reason of a rejection" },
  },
} as const;
const fileBody = {
  type: 'object',
  additionalProperties: false,
  required: ['content_base64'],
  properties: {
    filename: { type: 'string', maxLength: 200 },
    content_base64: { type: 'string', description: 'The file, base64-encoded' },
  },
} as const;
const urls = (max: number, description: string) =>
  ({
    type: 'array',
    maxItems: max,
    items: { type: 'string', minLength: 1, maxLength: 2048 },
    description,
  }) as const;

export interface PrivacyRouteDeps extends GuardDeps {
  client: WechatClient;
  clock: Clock;
}

type Params = { appid: string };

export function privacyRoutes(deps: PrivacyRouteDeps) {
  const privacy = createPrivacyService(deps);
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', callerGuard(deps, 'admin'));
    const base = '/api/admin/authorizers/:appid';
    const route = (
      summary: string,
      ok: unknown,
      extra: Record<string, unknown> = {},
      bodyLimit?: number,
    ) => ({
      ...(bodyLimit ? { bodyLimit } : {}),
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
      `${base}/privacy-interfaces`,
      route(
        'The privacy interfaces WeChat grants on application (the location APIs), each with where its application stands (get_privacy_interface)',
        {
          type: 'object',
          properties: {
            appid: { type: 'string' },
            items: { type: 'array', items: privacyInterface },
          },
        },
      ),
      (req) => privacy.interfaces(req.params.appid),
    );
    app.post<{ Params: Params; Body: ApplyInput }>(
      `${base}/privacy-interfaces`,
      route(
        'Apply for a privacy interface (apply_privacy_interface): the reason and at least one page, picture or video URL showing where it is used. An api_name WeChat does not list is 400 naming the field (params.reason privacy_interface_unknown); an interface already approved or under review is 409 (privacy_interface_approved, privacy_interface_applying); nothing is sent then. The result arrives later as wxa_privacy_apply',
        {
          type: 'object',
          properties: {
            audit_id: { type: ['integer', 'null'] },
            interface: privacyInterface,
          },
        },
        {
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['api_name', 'content'],
            properties: {
              api_name: { type: 'string', minLength: 1, maxLength: 128 },
              content: {
                type: 'string',
                maxLength: 2000,
                description: 'Why the mini program needs it, at most 300 characters',
              },
              url_list: urls(20, 'Pages showing the use'),
              pic_list: urls(20, 'Picture URLs (at most 10)'),
              video_list: urls(5, 'One MP4 video URL'),
            },
          },
        },
      ),
      (req) => privacy.apply(req.params.appid, req.body),
    );
    app.get<{ Params: Params }>(
      `${base}/code-privacy`,
      route(
        "What WeChat's privacy-interface detection found in the committed code (get_code_privacy_info): each interface the code uses that is not declared in ext_json or not approved, with its application state and what to do. detection is running while WeChat still scans (submit_audit would answer 61039), no_code before any commit",
        {
          type: 'object',
          properties: {
            appid: { type: 'string' },
            detection: { type: 'string', enum: ['done', 'running', 'no_code'] },
            ok: {
              type: 'boolean',
              description: 'Nothing stops a submission on privacy interfaces',
            },
            without_auth_list: { type: 'array', items: { type: 'string' } },
            without_conf_list: { type: 'array', items: { type: 'string' } },
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  api_name: { type: 'string' },
                  declared: { type: 'boolean', description: 'In ext_json requiredPrivateInfos' },
                  approved: { type: 'boolean' },
                  application: str,
                  advice: { type: 'string' },
                },
              },
            },
          },
        },
      ),
      (req) => privacy.codePrivacy(req.params.appid),
    );
    app.post<{ Params: Params; Body: FileInput }>(
      `${base}/privacy-ext-file`,
      route(
        "Upload a custom privacy guide (uploadprivacyextfile): a .txt file of at most 100 KB; the answer's ext_file_media_id goes into owner_setting.ext_file_media_id of the privacy settings",
        { type: 'object', properties: { ext_file_media_id: { type: 'string' } } },
        { body: fileBody },
        1024 * 1024,
      ),
      (req) => privacy.uploadPrivacyExtFile(req.params.appid, req.body),
    );
    app.post<{ Params: Params; Body: FileInput }>(
      `${base}/media`,
      route(
        "Upload an audit material (uploadmedia): a PNG, JPEG or GIF image of at most 2 MB or an MP4 video of at most 10 MB; the answer's mediaid goes into submit's preview_info.pic_id_list or video_id_list within 3 days",
        {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['image', 'video'] },
            mediaid: { type: 'string' },
            expires_at: { type: 'string' },
          },
        },
        { body: fileBody },
        16 * 1024 * 1024,
      ),
      (req) => privacy.uploadMedia(req.params.appid, req.body),
    );
  };
}
