import { nowSeconds, type EmulatorContext } from './context.ts';
import type { Merchant } from './state.ts';

/**
 * Plaintext messages a user sends to an authorizer. `MsgId` is written as a bare 64-bit number
 * (as WeChat does), which a receiver must keep as a string.
 * Reference: ../shared/wechat/01 §6.1, §7.2, §9.
 */
const cdata = (value: string): string =>
  `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;

export function textMessageXml(
  ctx: EmulatorContext,
  merchant: Merchant,
  openid: string,
  content: string,
): { xml: string; msgId: string } {
  const msgId = ctx.ids.msgId();
  const xml =
    `<xml><ToUserName>${cdata(merchant.user_name)}</ToUserName>` +
    `<FromUserName>${cdata(openid)}</FromUserName>` +
    `<CreateTime>${nowSeconds(ctx)}</CreateTime>` +
    `<MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(content)}</Content>` +
    `<MsgId>${msgId}</MsgId></xml>`;
  return { xml, msgId };
}
