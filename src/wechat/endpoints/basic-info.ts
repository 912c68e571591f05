import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Basic information of a mini program, and the temporary media upload that avatars come from.
 * Reference: ../shared/wechat/02 §5.1–5.4.
 */
const DOC =
  'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/basic-info-management/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });

export const basicInfoEndpoints = defineEndpoints({
  getaccountbasicinfo: {
    name: 'getaccountbasicinfo',
    method: 'GET',
    path: '/cgi-bin/account/getaccountbasicinfo',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      appid: z.string().optional(),
      nickname: z.string().optional(),
      signature_info: z
        .looseObject({ signature: z.string(), modify_used_count: z.number().optional() })
        .optional(),
      head_image_info: z
        .looseObject({
          head_image_url: z.string(),
          modify_used_count: z.number().optional(),
          modify_quota: z.number().optional(),
        })
        .optional(),
      // Source: SKIT Models/CgibinAccount/CgibinAccountGetAccountBasicInfoResponse.cs.
      account_type: z.number().optional(),
      principal_type: z.number().optional(),
      principal_name: z.string().optional(),
      credential: z.string().optional(),
      realname_status: z.number().optional(),
      registered_country: z.number().optional(),
      nickname_info: z
        .looseObject({
          nickname: z.string(),
          modify_used_count: z.number().optional(),
          modify_quota: z.number().optional(),
        })
        .optional(),
      wx_verify_info: z
        .looseObject({
          qualification_verify: z.boolean(),
          naming_verify: z.boolean(),
          annual_review: z.boolean().optional(),
          annual_review_begin_time: z.number().optional(),
          annual_review_end_time: z.number().optional(),
        })
        .optional(),
    }),
    errcodes: [],
    doc: `${DOC}getAccountBasicInfo.html`,
    summary: 'Basic information: name, signature, avatar and their quotas',
  },
  modifysignature: {
    name: 'modifysignature',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/account/modifysignature',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ signature: z.string() }),
    response: ok,
    errcodes: [40097, 53200, 53201, 53204],
    doc: `${DOC}setSignature.html`,
    summary: 'Change the signature (description) of a mini program',
  },
  modifyheadimage: {
    name: 'modifyheadimage',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/account/modifyheadimage',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      head_img_media_id: z.string(),
      x1: z.string(),
      y1: z.string(),
      x2: z.string(),
      y2: z.string(),
    }),
    response: ok,
    // 53205: an empty or inverted crop box (community/develop/doc/00022c0b0a0c40cea68b9a66457000).
    errcodes: [40007, 40009, 40097, 41006, 46001, 53202, 53203, 53205],
    doc: `${DOC}setHeadImage.html`,
    summary: 'Change the avatar from an uploaded temporary image and a crop box (0..1)',
  },
  media_upload: {
    name: 'media_upload',
    method: 'POST',
    // a repeat stores another temporary image, expiring in 3 days
    effect: 'read',
    path: '/cgi-bin/media/upload',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({}),
    response: z.looseObject({
      type: z.string().optional(),
      media_id: z.string().optional(),
      created_at: z.number().optional(),
    }),
    // 40005 file type, 40009–40012 size per type (image 10 MB, voice 2 MB, video 10 MB, thumb
    // 64 KB): the doc's limits and the global return codes.
    errcodes: [40004, 40005, 40009, 40010, 40011, 40012, 41005],
    doc: 'https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html',
    summary: 'Upload a temporary image (multipart `media`, query `type=image`); valid 3 days',
  },
  setnickname: {
    name: 'setnickname',
    method: 'POST',
    effect: 'write',
    path: '/wxa/setnickname',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      nick_name: z.string(),
      id_card: z.string().optional(),
      license: z.string().optional(),
    }),
    response: z.looseObject({ wording: z.string().optional(), audit_id: z.number().optional() }),
    errcodes: [91001, 91002, 91003, 91004, 91007, 91009],
    doc: `${DOC}setNickName.html`,
    summary: 'Rename a mini program (may need a manual review)',
  },
});
