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

/**
 * A mini program may send at most 5 customer-service messages to a user after each message of
 * that user (45047 beyond). Source: the mini-program customer-service rules as copied in
 * blog.csdn.net/zhoupenghui168/article/details/130198851 (weak source: not a doc page).
 */
export const MINI_PROGRAM_REPLIES_PER_MESSAGE = 5;
const repliesSince = new WeakMap<object, Map<string, number>>();
/** The whole area (also what the snapshot of the world holds, persistence.ts). */
export const replies = (ctx: EmulatorContext): Map<string, number> => {
  let m = repliesSince.get(ctx.state);
  if (!m) {
    m = new Map();
    repliesSince.set(ctx.state, m);
  }
  return m;
};

/** Messages sent to the user since the user's last message or event. */
export function repliesSinceInteraction(
  ctx: EmulatorContext,
  appid: string,
  openid: string,
): number {
  return replies(ctx).get(key(appid, openid)) ?? 0;
}

/** A user wrote to (or acted on) an authorizer: opens the 48-hour window. */
export function recordUserInteraction(ctx: EmulatorContext, appid: string, openid: string): void {
  const map = ctx.state.userInteractions;
  map.delete(key(appid, openid));
  map.set(key(appid, openid), nowMs(ctx));
  capMap(map, MAX_INTERACTIONS);
  replies(ctx).delete(key(appid, openid));
}

export function withinServiceWindow(ctx: EmulatorContext, appid: string, openid: string): boolean {
  const at = ctx.state.userInteractions.get(key(appid, openid));
  return at !== undefined && nowMs(ctx) - at <= SERVICE_WINDOW_MS;
}

export function recordSentMessage(ctx: EmulatorContext, message: SentMessage): void {
  const counts = replies(ctx);
  const k = key(message.appid, message.touser);
  const before = counts.get(k) ?? 0;
  counts.delete(k);
  counts.set(k, before + 1);
  capMap(counts, MAX_INTERACTIONS);
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
