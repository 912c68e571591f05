import { buildXml, xmlText, type XmlObject } from '../crypto/xml.ts';

/**
 * Passive replies (被动回复) in plaintext; the callback service encrypts and signs them.
 * Reference: ../shared/wechat/01 §6.
 */

/** A text reply to the sender of `fields`, from the account the message was sent to. */
export function textReplyXml(fields: XmlObject, content: string, nowMs: number): string {
  return buildXml({
    ToUserName: xmlText(fields, 'FromUserName') ?? '',
    FromUserName: xmlText(fields, 'ToUserName') ?? '',
    CreateTime: Math.floor(nowMs / 1000),
    MsgType: 'text',
    Content: content,
  });
}
