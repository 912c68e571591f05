/**
 * Building blocks of the delivery payload schemas (payload-schemas.ts): field helpers, the
 * fake values of the examples and the WeChat documentation page of each push.
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

export const str: JsonSchema = { type: 'string' };
export const obj = (
  required: string[],
  optional: string[] = [],
  nested: Record<string, JsonSchema> = {},
) => {
  const properties: Record<string, JsonSchema> = {};
  for (const f of [...required, ...optional]) properties[f] = str;
  Object.assign(properties, nested);
  return { type: 'object', required: [...required, ...Object.keys(nested)], properties };
};

export const APPID = 'wx0123456789abcdef';
export const COMPONENT = 'wxfedcba9876543210';
export const GH = 'gh_0123456789ab';
export const OPENID = 'oUSER000000000000000000000042';
export const TIME = '1767254400';

export const DOC_AUTH =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/authorize_event.html';
export const DOC_TICKET =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/component_verify_ticket.html';
export const DOC_FASTREGISTER =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Register_Mini_Programs/Fast_Registration_Interface_document.html';
export const DOC_BETA =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/beta_Mini_Programs/fastregister.html';
export const DOC_MESSAGES =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html';
export const DOC_EVENTS =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html';
export const DOC_MENU =
  'https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Custom_Menu_Push_Events.html';
export const DOC_TEMPLATE =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html';
export const DOC_MASS =
  'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html';
export const DOC_SUBSCRIBE_MSG =
  'https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html';
export const DOC_KF =
  'https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Session_control.html';
export const DOC_MP_KF =
  'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/receive.html';
export const DOC_AUDIT =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/code/submit_audit.html';
export const DOC_BASIC_INFO =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Mini_Program_Basic_Info/setnickname.html';
export const DOC_CATEGORY =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/category/addcategory.html';
export const DOC_MEDIA_CHECK =
  'https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/mediaCheckAsync.html';
export const DOC_PRIVACY =
  'https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/apply_api/apply_privacy_interface.html';
export const DOC_VERIFY =
  'https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Wechat_Accreditation_Event_Push.html';
export const DOC_PUBLISH =
  'https://developers.weixin.qq.com/doc/offiaccount/Publish/Callback_on_finish.html';

/** Authorization events: AppId (the component appid), CreateTime, InfoType, then their fields. */
export function auth(
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
export function message(
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
export function event(
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

export const REDACTED = '[redacted]';
