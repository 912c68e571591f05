import {
  AUTH_EVENT_TYPES,
  INTERNAL_EVENT_TYPES,
  TOKEN_REFRESH_FAILED,
  TOKEN_REFRESHED,
} from './event-types.ts';

/**
 * The JSON body of a delivery, per event type, as delivery.ts builds it: `{ id, type, appid,
 * tenant_id, received_at, data }`. `data` is the decrypted push as callbacks/envelope.ts stores it
 * (every XML value a string, nested elements objects, credentials "[redacted]") or an internal
 * event's fields (service.ts). WeChat adds fields without notice, so `data` allows more than the
 * fields listed; each type names the fields its documentation promises.
 */
export type JsonSchema = Record<string, unknown>;

export interface PayloadType {
  type: string;
  summary: string;
  /** The WeChat documentation page of the push (none for openwx's internal events). */
  doc?: string;
  data: JsonSchema;
  example: Record<string, unknown>;
}

const str: JsonSchema = { type: 'string' };
const obj = (
  required: string[],
  optional: string[] = [],
  nested: Record<string, JsonSchema> = {},
) => {
  const properties: Record<string, JsonSchema> = {};
  for (const f of [...required, ...optional]) properties[f] = str;
  Object.assign(properties, nested);
  return { type: 'object', required: [...required, ...Object.keys(nested)], properties };
};

const APPID = 'wx0123456789abcdef';
const COMPONENT = 'wxfedcba9876543210';
const GH = 'gh_0123456789ab';
const OPENID = 'oUSER000000000000000000000042';
const TIME = '1767254400';

const DOC_AUTH =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/authorize_event.html';
const DOC_TICKET =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/component_verify_ticket.html';
const DOC_FASTREGISTER =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Register_Mini_Programs/Fast_Registration_Interface_document.html';
const DOC_BETA =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/beta_Mini_Programs/fastregister.html';
const DOC_MESSAGES =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html';
const DOC_EVENTS =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html';
const DOC_MENU =
  'https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Custom_Menu_Push_Events.html';
const DOC_TEMPLATE =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html';
const DOC_MASS =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html';
const DOC_SUBSCRIBE_MSG =
  'https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html';
const DOC_KF =
  'https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Session_control.html';
const DOC_MP_KF =
  'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/receive.html';
const DOC_AUDIT =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/code/submit_audit.html';
const DOC_BASIC_INFO =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Mini_Program_Basic_Info/setnickname.html';
const DOC_CATEGORY =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/category/addcategory.html';
const DOC_MEDIA_CHECK =
  'https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/mediaCheckAsync.html';
const DOC_PRIVACY =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/apply_api/apply_privacy_interface.html';
const DOC_VERIFY =
  'https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Wechat_Accreditation_Event_Push.html';
const DOC_PUBLISH =
  'https://developers.weixin.qq.com/doc/offiaccount/Publish/Callback_on_finish.html';

/** Authorization events: AppId (the component appid), CreateTime, InfoType, then their fields. */
function auth(
  type: string,
  summary: string,
  doc: string | undefined,
  fields: { required: string[]; optional?: string[]; nested?: Record<string, JsonSchema> },
  example: Record<string, unknown>,
): PayloadType {
  return {
    type,
    summary,
    ...(doc ? { doc } : {}),
    data: obj(
      ['AppId', 'CreateTime', 'InfoType', ...fields.required],
      fields.optional,
      fields.nested,
    ),
    example: { AppId: COMPONENT, CreateTime: TIME, InfoType: type, ...example },
  };
}

/** Message pushes: ToUserName, FromUserName, CreateTime, MsgType, then their fields. */
function message(
  type: string,
  summary: string,
  doc: string,
  fields: { required: string[]; optional?: string[]; nested?: Record<string, JsonSchema> },
  example: Record<string, unknown>,
): PayloadType {
  const base = ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType'];
  return {
    type,
    summary,
    doc,
    data: obj([...base, ...fields.required], fields.optional, fields.nested),
    example: { ToUserName: GH, FromUserName: OPENID, CreateTime: TIME, ...example },
  };
}

/** Event pushes: a message push with MsgType "event" and Event = the type. */
function event(
  type: string,
  summary: string,
  doc: string,
  fields: { required: string[]; optional?: string[]; nested?: Record<string, JsonSchema> },
  example: Record<string, unknown>,
): PayloadType {
  return message(
    type,
    summary,
    doc,
    { ...fields, required: ['Event', ...fields.required] },
    { MsgType: 'event', Event: type, ...example },
  );
}

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

const REDACTED = '[redacted]';

const AUTH: PayloadType[] = [
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

const scanCodeInfo = obj(['ScanType', 'ScanResult']);
const sendPicsInfo = obj(['Count'], [], { PicList: { type: 'object' } });
const sendLocationInfo = obj(['Location_X', 'Location_Y', 'Scale', 'Label'], ['Poiname']);
const subscribeList = { type: ['object', 'array'] };

const MESSAGES: PayloadType[] = [
  message(
    'text',
    'A text message',
    DOC_MESSAGES,
    { required: ['Content', 'MsgId'], optional: ['bizmsgmenuid'] },
    {
      MsgType: 'text',
      Content: 'hello',
      MsgId: '23991276453820000',
    },
  ),
  message(
    'image',
    'An image',
    DOC_MESSAGES,
    { required: ['PicUrl', 'MediaId', 'MsgId'] },
    {
      MsgType: 'image',
      PicUrl: 'https://mmbiz.example.com/pic.jpg',
      MediaId: 'MEDIA_ID_0001',
      MsgId: '23991276453820001',
    },
  ),
  message(
    'voice',
    'A voice message',
    DOC_MESSAGES,
    { required: ['MediaId', 'Format', 'MsgId'], optional: ['Recognition', 'MediaId16K'] },
    {
      MsgType: 'voice',
      MediaId: 'MEDIA_ID_0002',
      Format: 'amr',
      MsgId: '23991276453820002',
    },
  ),
  ...(['video', 'shortvideo'] as const).map((t) =>
    message(
      t,
      t === 'video' ? 'A video' : 'A short video',
      DOC_MESSAGES,
      { required: ['MediaId', 'ThumbMediaId', 'MsgId'] },
      {
        MsgType: t,
        MediaId: 'MEDIA_ID_0003',
        ThumbMediaId: 'MEDIA_ID_0004',
        MsgId: '23991276453820003',
      },
    ),
  ),
  message(
    'location',
    'A location',
    DOC_MESSAGES,
    { required: ['Location_X', 'Location_Y', 'Scale', 'Label', 'MsgId'] },
    {
      MsgType: 'location',
      Location_X: '23.134521',
      Location_Y: '113.358803',
      Scale: '20',
      Label: 'Example Road 1',
      MsgId: '23991276453820004',
    },
  ),
  message(
    'link',
    'A link',
    DOC_MESSAGES,
    { required: ['Title', 'Description', 'Url', 'MsgId'] },
    {
      MsgType: 'link',
      Title: 'An article',
      Description: 'What it is about',
      Url: 'https://example.com/article',
      MsgId: '23991276453820005',
    },
  ),
  message(
    'file',
    'A file',
    DOC_MESSAGES,
    {
      required: ['Title', 'MsgId'],
      optional: ['Description', 'FileKey', 'FileMd5', 'FileTotalLen'],
    },
    {
      MsgType: 'file',
      Title: 'report.pdf',
      Description: 'report.pdf',
      FileKey: 'FILE_KEY_0001',
      FileMd5: '0123456789abcdef0123456789abcdef',
      FileTotalLen: '2048',
      MsgId: '23991276453820006',
    },
  ),
  message(
    'miniprogrampage',
    'A mini program card sent to customer service',
    DOC_MP_KF,
    {
      required: ['Title', 'AppId', 'PagePath', 'MsgId'],
      optional: ['ThumbUrl', 'ThumbMediaId'],
    },
    {
      MsgType: 'miniprogrampage',
      Title: 'A product',
      AppId: APPID,
      PagePath: 'pages/index/index',
      ThumbUrl: 'https://mmbiz.example.com/thumb.jpg',
      ThumbMediaId: 'MEDIA_ID_0005',
      MsgId: '23991276453820007',
    },
  ),
  message(
    'event',
    'An event push without an Event field',
    DOC_EVENTS,
    { required: [] },
    {
      MsgType: 'event',
    },
  ),
  event(
    'subscribe',
    'A user followed the account (EventKey/Ticket when through a QR code)',
    DOC_EVENTS,
    { required: [], optional: ['EventKey', 'Ticket'] },
    {
      EventKey: 'qrscene_123',
      Ticket: 'TICKET_0001',
    },
  ),
  event('unsubscribe', 'A user unfollowed the account', DOC_EVENTS, { required: [] }, {}),
  event(
    'SCAN',
    'A follower scanned a QR code with a scene',
    DOC_EVENTS,
    { required: ['EventKey'], optional: ['Ticket'] },
    {
      EventKey: '123',
      Ticket: 'TICKET_0002',
    },
  ),
  event(
    'LOCATION',
    'A follower reported a location',
    DOC_EVENTS,
    { required: ['Latitude', 'Longitude', 'Precision'] },
    {
      Latitude: '23.137466',
      Longitude: '113.352425',
      Precision: '119.385040',
    },
  ),
  event('CLICK', 'A menu click', DOC_MENU, { required: ['EventKey'] }, { EventKey: 'MENU_KEY_1' }),
  event(
    'VIEW',
    'A menu link opened',
    DOC_MENU,
    { required: ['EventKey'], optional: ['MenuId'] },
    {
      EventKey: 'https://example.com/',
      MenuId: '100',
    },
  ),
  event(
    'view_miniprogram',
    'A menu item opened a mini program',
    DOC_MENU,
    { required: ['EventKey'], optional: ['MenuId'] },
    {
      EventKey: 'pages/index/index',
      MenuId: '101',
    },
  ),
  ...(['scancode_push', 'scancode_waitmsg'] as const).map((t) =>
    event(
      t,
      'A menu scan',
      DOC_MENU,
      { required: ['EventKey'], nested: { ScanCodeInfo: scanCodeInfo } },
      {
        EventKey: 'SCAN_KEY',
        ScanCodeInfo: { ScanType: 'qrcode', ScanResult: 'https://example.com/code' },
      },
    ),
  ),
  ...(['pic_sysphoto', 'pic_photo_or_album', 'pic_weixin'] as const).map((t) =>
    event(
      t,
      'A menu photo',
      DOC_MENU,
      { required: ['EventKey'], nested: { SendPicsInfo: sendPicsInfo } },
      {
        EventKey: 'PHOTO_KEY',
        SendPicsInfo: {
          Count: '1',
          PicList: { item: { PicMd5Sum: '0123456789abcdef0123456789abcdef' } },
        },
      },
    ),
  ),
  event(
    'location_select',
    'A location chosen from a menu',
    DOC_MENU,
    { required: ['EventKey'], nested: { SendLocationInfo: sendLocationInfo } },
    {
      EventKey: 'LOCATION_KEY',
      SendLocationInfo: {
        Location_X: '23',
        Location_Y: '113',
        Scale: '15',
        Label: 'Example Road 1',
        Poiname: '',
      },
    },
  ),
  event(
    'TEMPLATESENDJOBFINISH',
    'A template message was sent (or not)',
    DOC_TEMPLATE,
    { required: ['MsgID', 'Status'] },
    {
      MsgID: '200163836',
      Status: 'success',
    },
  ),
  event(
    'MASSSENDJOBFINISH',
    'A mass send finished',
    DOC_MASS,
    {
      required: ['MsgID', 'Status', 'TotalCount', 'FilterCount', 'SentCount', 'ErrorCount'],
      nested: {},
    },
    {
      MsgID: '1000001625',
      Status: 'send success',
      TotalCount: '100',
      FilterCount: '80',
      SentCount: '75',
      ErrorCount: '5',
    },
  ),
  ...(
    [
      [
        'subscribe_msg_popup_event',
        'SubscribeMsgPopupEvent',
        'A user answered a subscription pop-up',
        { TemplateId: 'TEMPLATE_ID_1', SubscribeStatusString: 'accept', PopupScene: '0' },
      ],
      [
        'subscribe_msg_change_event',
        'SubscribeMsgChangeEvent',
        'A user changed a subscription',
        { TemplateId: 'TEMPLATE_ID_1', SubscribeStatusString: 'reject' },
      ],
      [
        'subscribe_msg_sent_event',
        'SubscribeMsgSentEvent',
        'A subscription message was sent',
        {
          TemplateId: 'TEMPLATE_ID_1',
          MsgID: '1700827132819554304',
          ErrorCode: '0',
          ErrorStatus: 'success',
        },
      ],
    ] as const
  ).map(([t, field, summary, item]) =>
    event(
      t,
      summary,
      DOC_SUBSCRIBE_MSG,
      { required: [], nested: { [field]: obj([], [], { List: subscribeList }) } },
      {
        [field]: { List: item },
      },
    ),
  ),
  event(
    'user_enter_tempsession',
    'A user opened the customer service session of a mini program',
    DOC_MP_KF,
    { required: [], optional: ['SessionFrom'] },
    {
      SessionFrom: 'product-42',
    },
  ),
  event(
    'kf_create_session',
    'A customer service session started',
    DOC_KF,
    { required: ['KfAccount'] },
    { KfAccount: 'kf2001@example' },
  ),
  event(
    'kf_close_session',
    'A customer service session ended',
    DOC_KF,
    { required: ['KfAccount'] },
    { KfAccount: 'kf2001@example' },
  ),
  event(
    'kf_switch_session',
    'A customer service session moved to another agent',
    DOC_KF,
    { required: ['FromKfAccount', 'ToKfAccount'] },
    {
      FromKfAccount: 'kf2001@example',
      ToKfAccount: 'kf2002@example',
    },
  ),
  event(
    'weapp_audit_success',
    'A code audit passed',
    DOC_AUDIT,
    { required: ['SuccTime'] },
    { SuccTime: TIME },
  ),
  event(
    'weapp_audit_fail',
    'A code audit failed',
    DOC_AUDIT,
    { required: ['Reason', 'FailTime'], optional: ['ScreenShot'] },
    {
      Reason: 'The page is empty',
      FailTime: TIME,
      ScreenShot: 'MEDIA_ID_0006',
    },
  ),
  event(
    'weapp_audit_delay',
    'A code audit is delayed',
    DOC_AUDIT,
    { required: ['Reason', 'DelayTime'] },
    {
      Reason: 'More time needed',
      DelayTime: TIME,
    },
  ),
  event(
    'wxa_nickname_audit',
    'Result of a name audit',
    DOC_BASIC_INFO,
    { required: ['ret', 'nickname'], optional: ['reason'] },
    {
      ret: '3',
      nickname: 'Example shop',
      reason: '',
    },
  ),
  event(
    'wxa_category_audit',
    'Result of a category audit',
    DOC_CATEGORY,
    { required: ['ret'], optional: ['first', 'second', 'reason'] },
    {
      ret: '2',
      first: '304',
      second: '305',
      reason: '',
    },
  ),
  event(
    'wxa_media_check',
    'Result of an asynchronous media check',
    DOC_MEDIA_CHECK,
    {
      required: ['trace_id'],
      optional: [
        'appid',
        'version',
        'errcode',
        'errmsg',
        'isrisky',
        'extra_info_json',
        'status_code',
      ],
    },
    {
      appid: APPID,
      trace_id: '60ae120f-0000-0000-0000-000000000000',
      version: '2',
      errcode: '0',
      errmsg: 'ok',
    },
  ),
  event(
    'wxa_privacy_apply',
    'Result of a privacy interface application',
    DOC_PRIVACY,
    { required: [], nested: { result_info: { type: 'object' } } },
    {
      result_info: {
        api_name: 'wx.getLocation',
        apply_time: TIME,
        audit_id: '1',
        audit_time: TIME,
        status: '2',
        reason: '',
      },
    },
  ),
  event(
    'qualification_verify_success',
    'Qualification verification passed',
    DOC_VERIFY,
    { required: ['ExpiredTime'] },
    { ExpiredTime: '1798790400' },
  ),
  event(
    'qualification_verify_fail',
    'Qualification verification failed',
    DOC_VERIFY,
    { required: ['FailTime', 'FailReason'] },
    {
      FailTime: TIME,
      FailReason: 'Documents unclear',
    },
  ),
  event(
    'naming_verify_success',
    'Name verification passed',
    DOC_VERIFY,
    { required: ['ExpiredTime'] },
    { ExpiredTime: '1798790400' },
  ),
  event(
    'naming_verify_fail',
    'Name verification failed',
    DOC_VERIFY,
    { required: ['FailTime', 'FailReason'] },
    {
      FailTime: TIME,
      FailReason: 'Name taken',
    },
  ),
  event(
    'annual_renew',
    'Annual verification is due',
    DOC_VERIFY,
    { required: ['ExpiredTime'] },
    { ExpiredTime: '1798790400' },
  ),
  event(
    'verify_expired',
    'Verification expired',
    DOC_VERIFY,
    { required: ['ExpiredTime'] },
    { ExpiredTime: '1767254400' },
  ),
  event(
    'publishjobfinish',
    'A publication finished',
    DOC_PUBLISH,
    {
      required: [],
      nested: {
        PublishEventInfo: obj(['publish_id', 'publish_status'], ['article_id', 'fail_idx']),
      },
    },
    {
      PublishEventInfo: {
        publish_id: '2247503051',
        publish_status: '0',
        article_id: 'ARTICLE_ID_1',
      },
    },
  ),
  {
    type: 'unknown',
    summary: 'A message push without MsgType (its fields as pushed)',
    doc: DOC_MESSAGES,
    data: obj(['ToUserName', 'FromUserName', 'CreateTime']),
    example: { ToUserName: GH, FromUserName: OPENID, CreateTime: TIME, Something: 'new' },
  },
];

const INTERNAL: PayloadType[] = [
  {
    type: TOKEN_REFRESHED,
    summary:
      'openwx refreshed or first obtained an access token (only to webhooks with receive_secrets; carries the token in clear)',
    data: {
      type: 'object',
      required: ['kind', 'appid', 'access_token', 'expires_at'],
      additionalProperties: false,
      properties: {
        kind: { type: 'string', enum: ['component', 'authorizer'] },
        appid: str,
        access_token: str,
        expires_at: { type: 'string', format: 'date-time' },
      },
    },
    example: {
      kind: 'authorizer',
      appid: APPID,
      access_token: 'ACCESS_TOKEN_EXAMPLE',
      expires_at: '2026-01-01T10:00:00.000Z',
    },
  },
  {
    type: TOKEN_REFRESH_FAILED,
    summary: 'openwx could not refresh an access token',
    data: {
      type: 'object',
      required: ['kind', 'appid', 'error'],
      additionalProperties: false,
      properties: { kind: str, appid: str, error: str },
    },
    example: { kind: 'authorizer', appid: APPID, error: 'errcode 61023: refresh_token is invalid' },
  },
];

export const PAYLOAD_TYPES: readonly PayloadType[] = [...INTERNAL, ...AUTH, ...MESSAGES];

/** The whole body of a delivery of `p.type`. */
export function payloadSchema(p: PayloadType): JsonSchema {
  const internal = (INTERNAL_EVENT_TYPES as readonly string[]).includes(p.type);
  return {
    type: 'object',
    required: ['id', 'type', 'appid', 'tenant_id', 'received_at', 'data'],
    additionalProperties: false,
    properties: {
      id: {
        type: 'integer',
        description: 'The stored event (the same for every webhook and attempt)',
      },
      type: { type: 'string', const: p.type },
      appid: {
        type: ['string', 'null'],
        description: internal
          ? 'The appid of the token'
          : 'The authorizer (AuthorizerAppid or appid of an authorization event, the URL’s appid for a message)',
      },
      tenant_id: {
        type: ['string', 'null'],
        description: 'The tenant owning the appid, else null',
      },
      received_at: { type: 'string', format: 'date-time' },
      data: p.data,
    },
  };
}

export function payloadExample(p: PayloadType): Record<string, unknown> {
  const authLike = (AUTH_EVENT_TYPES as readonly string[]).includes(p.type);
  return {
    id: 1234,
    type: p.type,
    appid: p.type === 'component_verify_ticket' ? null : APPID,
    tenant_id: authLike ? null : 'shop-42',
    received_at: '2026-01-01T08:00:00.000Z',
    data: p.example,
  };
}
