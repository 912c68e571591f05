import { nowMs } from '../context.ts';
import {
  MINI_PROGRAM_REPLIES_PER_MESSAGE,
  recordSentMessage,
  repliesSinceInteraction,
  withinServiceWindow,
} from '../customer-service.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, requireAuthorization, type HandlerTable } from './types.ts';

/**
 * Customer-service messages. Checks after the token: the permission set (消息管理权限 for an
 * Official Account, 客服消息管理权限 for a Mini Program: 61007), `touser` (40003), `msgtype`
 * (40008), the message body (44004 for empty text, 47001 for a missing body), and the 48-hour
 * window since the user's last message (45015). Reference: ../shared/wechat/01 §7.2.
 */
const MESSAGE_FUNC_ID = { officialaccount: 1, miniprogram: 19 } as const;

/**
 * msgtype per account type, else 40008 "invalid message type": a mini program sends text, image,
 * link and miniprogrampage (doc miniprogram/dev/OpenApiDoc/kf-mgnt/kf-message/sendCustomMessage);
 * an official account the types of doc offiaccount/Message_Management/Service_Center_messages.
 */
const MSG_TYPES = {
  officialaccount: [
    'text',
    'image',
    'voice',
    'video',
    'music',
    'news',
    'mpnews',
    'mpnewsarticle',
    'msgmenu',
    'wxcard',
    'miniprogrampage',
  ],
  miniprogram: ['text', 'image', 'link', 'miniprogrampage'],
} as const;

/**
 * `touser` that cannot be an openid is 40003 "invalid openid" (global return codes; doc
 * customerServiceMessage.send errcode table). The pattern is assumed (no doc: WeChat checks that
 * the openid is one of this account's users, which the emulator does too after the form).
 */
const OPENID = /^[A-Za-z0-9_-]{6,64}$/;

export const messageHandlers: HandlerTable = {
  message_custom_send: {
    handle({ ctx, body, caller }) {
      if (caller.kind !== 'authorizer') throw new WxApiError(40001);
      const auth = requireAuthorization(ctx, caller.appid);
      const type = ctx.state.merchants.get(caller.appid)?.type ?? 'officialaccount';
      if (!auth.funcIds.includes(MESSAGE_FUNC_ID[type])) throw new WxApiError(61007);
      if (!OPENID.test(body.touser)) throw new WxApiError(40003);
      const allowed: readonly string[] = MSG_TYPES[type];
      if (!allowed.includes(body.msgtype)) throw new WxApiError(40008);
      const payload = (body as Record<string, unknown>)[body.msgtype];
      if (payload === null || typeof payload !== 'object') {
        throw new WxApiError(47001, `${body.msgtype} missing`);
      }
      const content = body.msgtype === 'text' ? (body.text?.content ?? '') : undefined;
      if (content !== undefined && content.trim() === '') throw new WxApiError(44004);
      if (!withinServiceWindow(ctx, caller.appid, body.touser)) throw new WxApiError(45015);
      if (
        type === 'miniprogram' &&
        repliesSinceInteraction(ctx, caller.appid, body.touser) >= MINI_PROGRAM_REPLIES_PER_MESSAGE
      ) {
        throw new WxApiError(45047);
      }
      recordSentMessage(ctx, {
        appid: caller.appid,
        touser: body.touser,
        msgtype: body.msgtype,
        ...(content === undefined ? {} : { content }),
        body: { ...body },
        sentAt: nowMs(ctx),
      });
      return { ...OK };
    },
  },
};
