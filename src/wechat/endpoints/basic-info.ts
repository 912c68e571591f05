import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/** Basic information of a mini program. Reference: ../shared/wechat/02 §5.1–5.4. */
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
    }),
    errcodes: [],
    doc: `${DOC}getAccountBasicInfo.html`,
    summary: 'Basic information: name, signature, avatar and their quotas',
  },
  modifysignature: {
    name: 'modifysignature',
    method: 'POST',
    path: '/cgi-bin/account/modifysignature',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ signature: z.string() }),
    response: ok,
    errcodes: [40097, 53200, 53201, 53204],
    doc: `${DOC}setSignature.html`,
    summary: 'Change the signature (description) of a mini program',
  },
  setnickname: {
    name: 'setnickname',
    method: 'POST',
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
