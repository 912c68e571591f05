import {
  APPID,
  auth,
  DOC_AUTH,
  DOC_BETA,
  DOC_FASTREGISTER,
  DOC_TICKET,
  obj,
  REDACTED,
  type PayloadType,
} from './payload-kit.ts';

/** The bodies of authorization events (授权事件), pushed to the platform's authorization event URL. */
const registrationInfo = obj(
  [],
  [
    'name',
    'code',
    'code_type',
    'legal_persona_wechat',
    'legal_persona_name',
    'component_phone',
    'unique_id',
    'taskid',
  ],
);

export const AUTH_PAYLOADS: PayloadType[] = [
  auth(
    'component_verify_ticket',
    'The ticket WeChat pushes every 10 minutes (sent only to webhooks that name this type)',
    DOC_TICKET,
    { required: ['ComponentVerifyTicket'] },
    { ComponentVerifyTicket: REDACTED },
  ),
  ...(['authorized', 'updateauthorized'] as const).map((t) =>
    auth(
      t,
      t === 'authorized'
        ? 'An account authorized the platform'
        : 'An account changed its authorization',
      DOC_AUTH,
      {
        required: ['AuthorizerAppid', 'AuthorizationCode', 'AuthorizationCodeExpiredTime'],
        optional: ['PreAuthCode'],
      },
      {
        AuthorizerAppid: APPID,
        AuthorizationCode: REDACTED,
        AuthorizationCodeExpiredTime: '1767258000',
        PreAuthCode: REDACTED,
      },
    ),
  ),
  auth(
    'unauthorized',
    'An account cancelled its authorization',
    DOC_AUTH,
    { required: ['AuthorizerAppid'] },
    { AuthorizerAppid: APPID },
  ),
  auth(
    'notify_third_fasteregister',
    'Result of a fast registration of a mini program (enterprise or personal)',
    DOC_FASTREGISTER,
    {
      required: ['status', 'msg'],
      optional: ['appid', 'auth_code'],
      nested: { info: registrationInfo },
    },
    {
      appid: APPID,
      status: '0',
      auth_code: REDACTED,
      msg: 'OK',
      info: {
        name: 'Example Co., Ltd.',
        code: '91440300000000000X',
        code_type: '1',
        legal_persona_wechat: 'example_wechat',
        legal_persona_name: 'Zhang San',
        component_phone: '13800000000',
      },
    },
  ),
  auth(
    'notify_third_fastregisterbetaapp',
    'Result of the creation of a trial (beta) mini program',
    DOC_BETA,
    { required: ['status', 'msg'], optional: ['appid'], nested: { info: registrationInfo } },
    {
      appid: APPID,
      status: '0',
      msg: 'OK',
      info: { unique_id: 'a1b2c3d4', name: 'Example trial' },
    },
  ),
  auth(
    'notify_third_fastverifybetaapp',
    'Result of the verification of a trial mini program',
    DOC_BETA,
    { required: ['status', 'msg'], optional: ['appid'], nested: { info: registrationInfo } },
    {
      appid: APPID,
      status: '0',
      msg: 'OK',
      info: {
        name: 'Example Co., Ltd.',
        code: '91440300000000000X',
        code_type: '1',
        legal_persona_wechat: 'example_wechat',
        legal_persona_name: 'Zhang San',
      },
    },
  ),
  // ICP filing (备案) results, pushed to the authorization event URL (shared/wechat/02 §5.7).
  auth(
    'notify_icpfiling_verify_result',
    'Result of the face verification of an ICP filing task (result 2: failed, 3: passed)',
    undefined,
    { required: ['task_id', 'verify_appid', 'result'] },
    { task_id: 'R202601010000000001', verify_appid: APPID, result: '3' },
  ),
  auth(
    'notify_apply_icpfiling_result',
    'Result of an ICP filing application',
    undefined,
    { required: ['authorizer_appid', 'beian_status'] },
    { authorizer_appid: APPID, beian_status: '1' },
  ),
];
