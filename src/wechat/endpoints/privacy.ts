import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/** The privacy protection guide of a mini program. Reference: ../shared/wechat/02 §5.6. */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/privacy-management/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const setting = z.object({ privacy_key: z.string().min(1), privacy_text: z.string() });
const ownerSetting = z.looseObject({
  contact_email: z.string().optional(),
  contact_phone: z.string().optional(),
  contact_qq: z.string().optional(),
  contact_weixin: z.string().optional(),
  notice_method: z.string().optional(),
  store_expire_timestamp: z.string().optional(),
  ext_file_media_id: z.string().optional(),
  store_region: z.number().optional(),
});

export const privacyEndpoints = defineEndpoints({
  setprivacysetting: {
    name: 'setprivacysetting',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/component/setprivacysetting',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      privacy_ver: z.number().int().optional(),
      owner_setting: ownerSetting,
      setting_list: z.array(setting).optional(),
    }),
    response: ok,
    errcodes: [86069, 86070, 86072, 86073, 86074, 86075],
    doc: `${DOC}setPrivacySetting.html`,
    summary: 'Set the privacy protection guide (development version by default)',
  },
  getprivacysetting: {
    name: 'getprivacysetting',
    method: 'POST',
    // POST, but only queries
    effect: 'read',
    path: '/cgi-bin/component/getprivacysetting',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ privacy_ver: z.number().int().optional() }),
    response: z.looseObject({
      code_exist: z.number().optional(),
      privacy_list: z.array(z.string()).optional(),
      setting_list: z.array(z.looseObject({ privacy_key: z.string(), privacy_text: z.string() })),
      owner_setting: ownerSetting.optional(),
    }),
    errcodes: [86074],
    doc: `${DOC}getPrivacySetting.html`,
    summary: 'Read the privacy protection guide',
  },
});
