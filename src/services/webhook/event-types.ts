/**
 * The event types a webhook can subscribe to by name: the `type` of stored events (InfoType of
 * authorization events, MsgType or Event of message pushes) and openwx's internal events.
 * A stored event of a type not listed here still reaches webhooks that take all types.
 */
export const TOKEN_REFRESHED = 'token.refreshed';
export const TOKEN_REFRESH_FAILED = 'token.refresh_failed';

export const INTERNAL_EVENT_TYPES = [TOKEN_REFRESHED, TOKEN_REFRESH_FAILED] as const;

/** 授权事件 (InfoType), including the fast-registration results. */
export const AUTH_EVENT_TYPES = [
  'component_verify_ticket',
  'authorized',
  'updateauthorized',
  'unauthorized',
  'notify_third_fasteregister',
  'notify_third_fastregisterbetaapp',
  'notify_third_fastverifybetaapp',
  // ICP filing: face verification and filing results (../shared/wechat/02 §5.7)
  'notify_icpfiling_verify_result',
  'notify_apply_icpfiling_result',
] as const;

/** 消息 (MsgType) and 事件 (Event) pushed to the message URL of an authorizer. */
export const MESSAGE_EVENT_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'shortvideo',
  'location',
  'link',
  'file',
  'miniprogrampage',
  'event',
  'subscribe',
  'unsubscribe',
  'SCAN',
  'LOCATION',
  'CLICK',
  'VIEW',
  'view_miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'TEMPLATESENDJOBFINISH',
  'MASSSENDJOBFINISH',
  'subscribe_msg_popup_event',
  'subscribe_msg_change_event',
  'subscribe_msg_sent_event',
  'user_enter_tempsession',
  'kf_create_session',
  'kf_close_session',
  'kf_switch_session',
  'weapp_audit_success',
  'weapp_audit_fail',
  'weapp_audit_delay',
  'wxa_nickname_audit',
  'wxa_category_audit',
  'wxa_media_check',
  'wxa_privacy_apply',
  'qualification_verify_success',
  'qualification_verify_fail',
  'naming_verify_success',
  'naming_verify_fail',
  'annual_renew',
  'verify_expired',
  'publishjobfinish',
  'unknown',
] as const;

export const WEBHOOK_EVENT_TYPES: readonly string[] = [
  ...INTERNAL_EVENT_TYPES,
  ...AUTH_EVENT_TYPES,
  ...MESSAGE_EVENT_TYPES,
];

/**
 * Types a webhook that takes all types does not get unless it names them: the ticket push every
 * ten minutes is platform plumbing, not news for other systems.
 */
export const EXCLUDED_BY_DEFAULT: readonly string[] = ['component_verify_ticket'];

export const isKnownEventType = (t: string): boolean => WEBHOOK_EVENT_TYPES.includes(t);
