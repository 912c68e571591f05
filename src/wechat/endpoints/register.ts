import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Registering mini programs for merchants: enterprise and personal fast registration, trial
 * (beta) mini programs, their name and their conversion. Results arrive as pushes.
 * Reference: ../shared/wechat/02 §0, §1; ../shared/wechat/01 §5.3–5.5.
 */
const DOC = 'https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/';

const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });
const taskAnswer = z.looseObject({
  taskid: z.string().optional(),
  authorize_url: z.string().optional(),
  status: z.number().optional(),
});

export const registerEndpoints = defineEndpoints({
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
      code: z.string().min(1),
      code_type: z.number().int().optional(),
      legal_persona_wechat: z.string().min(1),
      legal_persona_name: z.string().min(1),
      component_phone: z.string().optional(),
    }),
    response: ok,
    errcodes: [
      -1, 48004, 86004, 61070, 89247, 89248, 89249, 89250, 89251, 89252, 89253, 89254, 89255,
    ],
    doc: `${DOC}register-management/fast-registration-ent/registerMiniprogram.html`,
    summary:
      'Fast-register an enterprise mini program, legacy template-message flow (query action=create or action=search); offline since 2026-04-30',
  },
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
    errcodes: [-1, 48004, 89249, 89250, 89253, 89255],
    doc: `${DOC}register-management/fast-registration-ent/registerEnterpriseWeapp.html`,
    summary:
      'Fast-register an enterprise mini program, new version (new_version true; query action=create or action=query); the legal person verifies through authorize_url within 24 h',
  },
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
    summary: 'Fast-register a personal mini program (query action=create or action=query)',
  },
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
      }),
    }),
    response: ok,
    errcodes: [-1, 86004, 89248, 89251, 89253, 89255, 91021],
    doc: `${DOC}register-management/fast-registration-beta/verfifyBetaMiniprogram.html`,
    summary: 'Convert a trial mini program with the legal person’s face verification',
  },
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
