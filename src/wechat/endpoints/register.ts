import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Registering mini programs for merchants: enterprise and personal fast registration, trial
 * (beta) mini programs, their name and their conversion. Results arrive as pushes.
 *
 * Since 2026-04-30 12:00 (Beijing time) WeChat serves only the new versions of personal
 * registration, enterprise registration and trial conversion (`new_version: true`, answered with
 * an authorization URL that the person opens within 24 h instead of a template message), and
 * the legacy fastregisterweapp answers `{"errcode":-1,"errmsg":"system error"}`.
 * Sources: WeChat Open Community notice community/develop/doc/0004829e9105005ce7d480e6561401;
 * the -1 answer: community/develop/doc/000044ceb88098c22a152ff2c66000 (2026-05);
 * ../shared/wechat/02 §0, §1; ../shared/wechat/03-fidelity-audit.md F1–F3, D1.
 */
const DOC = 'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
/** taskid / authorize_url / status: SKIT WxaComponentFastRegisterPersonalWeappCreateResponse. */
const taskAnswer = z.looseObject({
  taskid: z.string().optional(),
  authorize_url: z.string().optional(),
  status: z.number().optional(),
});

export const registerEndpoints = defineEndpoints({
  // Create body: doc register-management/fast-registration-ent/registerMiniprogram and SKIT
  // CgibinComponentFastRegisterWeappCreateRequest; search body {name, legal_persona_wechat,
  // legal_persona_name} without code: the same doc ("二、查询创建任务状态") and SKIT
  // CgibinComponentFastRegisterWeappSearchRequest. Retired: -1 since 2026-04-30 (see above).
  fastregisterweapp: {
    name: 'fastregisterweapp',
    method: 'POST',
    effect: 'write',
    readWhen: { field: 'action', values: ['search'] },
    path: '/cgi-bin/component/fastregisterweapp',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({
      name: z.string().min(1),
      code: z.string().min(1).optional(),
      code_type: z.number().int().optional(),
      legal_persona_wechat: z.string().min(1),
      legal_persona_name: z.string().min(1),
      component_phone: z.string().optional(),
    }),
    response: ok,
    errcodes: [-1, 86004, 61070, 89247, 89248, 89249, 89250, 89251, 89252, 89253, 89254, 89255],
    doc: `${DOC}register-management/fast-registration-ent/registerMiniprogram.html`,
    summary:
      'Fast-register an enterprise mini program, legacy template-message flow (query action=create, or action=search with name, legal_persona_wechat and legal_persona_name); retired on 2026-04-30: WeChat answers -1',
  },
  // new_version body {name, code (18-character USCC), component_phone, new_version}: the 2026
  // notice's table; path and taskid/authorize_url/status answer: SDK indexes
  // (../shared/wechat/03-fidelity-audit.md "fastregisterenterpriseweapp").
  fastregisterenterpriseweapp: {
    name: 'fastregisterenterpriseweapp',
    method: 'POST',
    effect: 'write',
    readWhen: { field: 'action', values: ['query'] },
    path: '/wxa/component/fastregisterenterpriseweapp',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({
      name: z.string().optional(),
      code: z.string().optional(),
      component_phone: z.string().optional(),
      taskid: z.string().optional(),
      new_version: z.boolean().optional(),
    }),
    response: taskAnswer,
    errcodes: [-1, 89249, 89250, 89253, 89255],
    doc: `${DOC}register-management/fast-registration-ent/registerEnterpriseWeapp.html`,
    summary:
      'Fast-register an enterprise mini program, new version (new_version true; query action=create or action=query); the legal person verifies through authorize_url within 24 h',
  },
  // Body idname, wxuser, component_phone: doc register-management/fast-regist-personal and SKIT
  // WxaComponentFastRegisterPersonalWeappCreateRequest; new_version true: the 2026 notice (the
  // only version WeChat still serves); query body {taskid}: SKIT ...QueryRequest.
  fastregisterpersonalweapp: {
    name: 'fastregisterpersonalweapp',
    method: 'POST',
    effect: 'write',
    readWhen: { field: 'action', values: ['query'] },
    path: '/wxa/component/fastregisterpersonalweapp',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({
      idname: z.string().optional(),
      wxuser: z.string().optional(),
      component_phone: z.string().optional(),
      taskid: z.string().optional(),
      new_version: z.boolean().optional(),
    }),
    response: taskAnswer,
    errcodes: [-1, 86004, 89249, 89250, 89253],
    doc: `${DOC}register-management/fast-regist-personal/registerPersonalWeapp.html`,
    summary:
      'Fast-register a personal mini program, new version (new_version true; query action=create or action=query); the person verifies through authorize_url within 24 h',
  },
  // Doc register-management/fast-registration-beta/registerBetaMiniprogram; SKIT
  // WxaComponentFastRegisterBetaWeappRequest/Response.
  fastregisterbetaweapp: {
    name: 'fastregisterbetaweapp',
    method: 'POST',
    effect: 'write',
    path: '/wxa/component/fastregisterbetaweapp',
    token: 'component',
    tokenParam: 'access_token',
    request: z.object({ name: z.string().min(1), openid: z.string().min(1) }),
    response: z.looseObject({ unique_id: z.string().min(1), authorize_url: z.string().min(1) }),
    errcodes: [-1, 86011, 47001],
    doc: `${DOC}register-management/fast-registration-beta/registerBetaMiniprogram.html`,
    summary: 'Create a trial (beta) mini program; the user confirms through authorize_url',
  },
  // Old body verify_info{enterprise_name, code, code_type, legal_persona_wechat,
  // legal_persona_name, legal_persona_idcard, component_phone}: SKIT WxaVerifyBetaWeappRequest.
  // New version (the only one WeChat serves since 2026-04-30): verify_info{enterprise_name, code
  // (18-character USCC), component_phone} and new_version true, answered with the URL the legal
  // person opens (2026 notice). Where new_version sits is not published: openwx sends it at the
  // top level and inside verify_info (WeChat ignores fields it does not use).
  verifybetaweapp: {
    name: 'verifybetaweapp',
    method: 'POST',
    effect: 'write',
    path: '/wxa/verifybetaweapp',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({
      verify_info: z.object({
        enterprise_name: z.string().min(1),
        code: z.string().min(1),
        code_type: z.number().int().optional(),
        legal_persona_wechat: z.string().optional(),
        legal_persona_name: z.string().optional(),
        legal_persona_idcard: z.string().optional(),
        component_phone: z.string().min(1),
        new_version: z.boolean().optional(),
      }),
      new_version: z.boolean().optional(),
    }),
    response: taskAnswer,
    errcodes: [-1, 86004, 89248, 89251, 89253, 89255, 91021],
    doc: `${DOC}register-management/fast-registration-beta/verfifyBetaMiniprogram.html`,
    summary:
      'Convert a trial mini program, new version (new_version true): the legal person verifies through the answered authorize_url within 24 h',
  },
  // Doc register-management/fast-registration-beta/setBetaMiniprogramNickName (86011, 91020).
  setbetaweappnickname: {
    name: 'setbetaweappnickname',
    method: 'POST',
    effect: 'write',
    path: '/wxa/setbetaweappnickname',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.object({ name: z.string().min(1) }),
    response: ok,
    errcodes: [86011, 91020],
    doc: `${DOC}register-management/fast-registration-beta/setBetaMiniprogramNickName.html`,
    summary: 'Rename an unconverted trial mini program',
  },
});
