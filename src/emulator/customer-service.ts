import { nowMs, type EmulatorContext } from './context.ts';
import { capMap, type SentMessage } from './state.ts';

/**
 * Customer-service messages (客服消息): an authorizer may message a user only within 48 hours of
 * the user's last message or event to it; every message sent is kept for the control API.
 * Reference: ../shared/wechat/01 §7.2.
 */
export const SERVICE_WINDOW_MS = 48 * 3600_000;
const MAX_SENT = 1000;
const MAX_INTERACTIONS = 100_000;

const key = (appid: string, openid: string): string => `${appid} ${openid}`;

/** A user wrote to (or acted on) an authorizer: opens the 48-hour window. */
export function recordUserInteraction(ctx: EmulatorContext, appid: string, openid: string): void {
  const map = ctx.state.userInteractions;
  map.delete(key(appid, openid));
  map.set(key(appid, openid), nowMs(ctx));
  capMap(map, MAX_INTERACTIONS);
}

export function withinServiceWindow(ctx: EmulatorContext, appid: string, openid: string): boolean {
  const at = ctx.state.userInteractions.get(key(appid, openid));
  return at !== undefined && nowMs(ctx) - at <= SERVICE_WINDOW_MS;
}

export function recordSentMessage(ctx: EmulatorContext, message: SentMessage): void {
  const list = ctx.state.sentMessages;
  list.push(message);
  if (list.length > MAX_SENT) list.splice(0, list.length - MAX_SENT);
}

export function sentMessageView(m: SentMessage): Record<string, unknown> {
  return {
    appid: m.appid,
    touser: m.touser,
    msgtype: m.msgtype,
    ...(m.content === undefined ? {} : { content: m.content }),
    message: m.body,
    sent_at: m.sentAt,
  };
}
