import { errorMessage } from '../core/errors.ts';
import { sha1Signature } from '../crypto/signature.ts';
import { buildXml, parseXml, xmlText } from '../crypto/xml.ts';
import { nowMs, nowSeconds, type EmulatorContext } from './context.ts';
import { recordUserInteraction } from './customer-service.ts';
import type { PushHealth } from './state.ts';
import { issueTicket } from './tokens.ts';

/**
 * Pushes from WeChat to the platform, encrypted in safe mode with the component's token and key
 * (receive-id = component appid). Reference: ../shared/wechat/01 §1.6, §2.1, §5, §6.1–6.2, §9.
 */
export interface PushResult {
  status: number;
  body: string;
  ok: boolean;
  error?: string;
}

export interface MessagePushResult extends PushResult {
  attempts: number;
  /** The decrypted passive reply, when the receiver sent one. */
  reply?: string;
}

interface Envelope {
  query: string;
  body: string;
}

function withQuery(url: string, query: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/** Encrypts `plaintext` and builds the query string and body of one push. */
function envelope(
  ctx: EmulatorContext,
  plaintext: string,
  outer: { name: 'AppId' | 'ToUserName'; value: string },
  openid?: string,
): Envelope {
  const timestamp = String(nowSeconds(ctx));
  const nonce = ctx.ids.nonce();
  const sealed = ctx.crypt.seal(plaintext, timestamp, nonce, ctx.state.component.appid);
  const params = new URLSearchParams({
    signature: sha1Signature(ctx.crypt.token, timestamp, nonce),
    timestamp,
    nonce,
  });
  if (openid !== undefined) params.set('openid', openid);
  params.set('encrypt_type', 'aes');
  params.set('msg_signature', sealed.msgSignature);
  const body =
    `<xml><${outer.name}><![CDATA[${outer.value}]]></${outer.name}>` +
    `<Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt></xml>`;
  return { query: params.toString(), body };
}

async function post(ctx: EmulatorContext, url: string, body: string): Promise<PushResult> {
  try {
    const res = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
      signal: AbortSignal.timeout(ctx.settings.pushTimeoutMs),
    });
    return { status: res.status, body: await res.text(), ok: false };
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    const error = timedOut ? `timed out after ${ctx.settings.pushTimeoutMs} ms` : errorMessage(err);
    return { status: 0, body: '', ok: false, error };
  }
}

function record(ctx: EmulatorContext, health: PushHealth, result: PushResult): void {
  const now = nowMs(ctx);
  health.lastAttemptAt = now;
  health.lastStatus = result.status;
  health.ok = result.ok;
  if (result.ok) {
    health.lastOkAt = now;
    health.consecutiveFailures = 0;
    delete health.lastError;
  } else {
    health.consecutiveFailures++;
    health.lastError = result.error ?? `HTTP ${result.status}: ${result.body.slice(0, 200)}`;
  }
}

/** Builds a plaintext authorization-event XML (AppId, CreateTime, InfoType, then `fields`). */
export function authEventXml(
  ctx: EmulatorContext,
  infoType: string,
  fields: Record<string, string | number> = {},
): string {
  return buildXml({
    AppId: ctx.state.component.appid,
    CreateTime: nowSeconds(ctx),
    InfoType: infoType,
    ...fields,
  });
}

/** One POST to the authorization-event URL; success means HTTP 200 with body `success`. */
export async function pushAuthEvent(
  ctx: EmulatorContext,
  plaintextXml: string,
  health: PushHealth = ctx.state.authEventPush,
): Promise<PushResult> {
  const env = envelope(ctx, plaintextXml, { name: 'AppId', value: ctx.state.component.appid });
  const url = withQuery(ctx.targets.authEventUrl(), env.query);
  const result = await post(ctx, url, env.body);
  result.ok = result.status === 200 && result.body.trim() === 'success';
  if (!result.ok && result.error === undefined) {
    result.error = `expected HTTP 200 with body "success", got HTTP ${result.status}`;
  }
  record(ctx, health, result);
  if (!result.ok) ctx.log('emulator: auth event push failed', { error: result.error });
  return result;
}

/** Issues a new component_verify_ticket and pushes it. */
export async function pushTicket(ctx: EmulatorContext): Promise<PushResult> {
  const ticket = issueTicket(ctx);
  const xml = authEventXml(ctx, 'component_verify_ticket', {
    ComponentVerifyTicket: ticket.value,
  });
  return pushAuthEvent(ctx, xml, ctx.state.ticketPush);
}

/** Reads a message-URL reply: `success`, empty, or a valid encrypted passive reply. */
export function readReply(
  ctx: EmulatorContext,
  body: string,
): { ok: true; reply?: string } | { ok: false; error: string } {
  const trimmed = body.trim();
  if (trimmed === '' || trimmed === 'success') return { ok: true };
  try {
    const outer = parseXml(body);
    const encrypt = xmlText(outer, 'Encrypt');
    const msgSignature = xmlText(outer, 'MsgSignature');
    const timestamp = xmlText(outer, 'TimeStamp');
    const nonce = xmlText(outer, 'Nonce');
    if (!encrypt || !msgSignature || !timestamp || !nonce) {
      return { ok: false, error: 'reply lacks Encrypt, MsgSignature, TimeStamp or Nonce' };
    }
    const reply = ctx.crypt.open({ timestamp, nonce, msgSignature, encrypt });
    parseXml(reply);
    return { ok: true, reply };
  } catch (err) {
    return { ok: false, error: `invalid passive reply: ${errorMessage(err)}` };
  }
}

const SYSTEM_EVENT = /^(weapp_|wxa_|debug_demo)/;

/**
 * Pushes a plaintext message or event to the authorizer's message URL: up to `pushAttempts`
 * attempts with the identical payload, each with its own timeout; stops at the first HTTP 200
 * whose body is `success`, empty or a valid encrypted reply.
 */
export async function pushMessage(
  ctx: EmulatorContext,
  appid: string,
  plaintextXml: string,
): Promise<MessagePushResult> {
  const msg = parseXml(plaintextXml);
  const toUserName = xmlText(msg, 'ToUserName') ?? ctx.state.merchants.get(appid)?.user_name ?? '';
  const from = xmlText(msg, 'FromUserName');
  const event = xmlText(msg, 'Event') ?? '';
  const openid = from && !SYSTEM_EVENT.test(event) ? from : undefined;
  if (openid !== undefined) recordUserInteraction(ctx, appid, openid);
  const env = envelope(ctx, plaintextXml, { name: 'ToUserName', value: toUserName }, openid);
  let last: MessagePushResult = { status: 0, body: '', ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= ctx.settings.pushAttempts; attempt++) {
    const base = ctx.targets.messageUrl().split('$APPID$').join(appid);
    const result = await post(ctx, withQuery(base, env.query), env.body);
    last = { ...result, attempts: attempt };
    if (result.status === 200) {
      const read = readReply(ctx, result.body);
      if (read.ok) {
        last.ok = true;
        if (read.reply !== undefined) last.reply = read.reply;
        break;
      }
      last.error = read.error;
    } else if (last.error === undefined) {
      last.error = `HTTP ${result.status}`;
    }
    ctx.log('emulator: message push attempt failed', { appid, attempt, error: last.error });
  }
  record(ctx, ctx.state.messagePush, last);
  return last;
}
