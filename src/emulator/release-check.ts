import { sleep } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { randomAlnum } from '../core/random.ts';
import { parseXml, xmlText } from '../crypto/xml.ts';
import {
  RELEASE_QUERY_AUTH_CODE_PREFIX,
  RELEASE_TEST_GROUPS,
  RELEASE_TEST_TEXT,
  RELEASE_TEST_TEXT_REPLY,
  releaseApiReplyContent,
  type ReleaseTestAccount,
} from '../wechat/release-test-accounts.ts';
import { nowMs, nowSeconds, type EmulatorContext } from './context.ts';
import { defaultFuncIds } from './merchants.ts';
import { textMessageXml } from './messages.ts';
import {
  authEventXml,
  pushAuthEvent,
  pushMessage,
  pushTicket,
  type MessagePushResult,
} from './pushes.ts';
import { capMap, CODES_MAX, type Merchant, type SentMessage } from './state.ts';

/**
 * The full-network release (全网发布) runner: WeChat's automated checks against the platform's
 * URLs, with one of the five published test groups. Reference: ../shared/wechat/01 §7, §9.
 */
export interface ReleaseCase {
  name: string;
  passed: boolean;
  detail: string;
}

export interface ReleaseReport {
  passed: boolean;
  group: number;
  cases: ReleaseCase[];
}

export interface ReleaseCheckOptions {
  /** 1..5; random when absent. */
  group?: number;
  /** How long to wait for the customer-service message after the reply (default 10 s). */
  apiWaitMs?: number;
  /**
   * The permission sets the platform selected in its settings (default: all). The official
   * account cases run only with set 1 (消息管理), the mini program case only with set 19
   * (小程序客服消息管理); otherwise WeChat skips them. Source: doc
   * Third-party_Platforms/2.0/operation/thirdparty/releases_instructions ("一、自动化测试内容").
   */
  permissionSets?: number[];
}

/** The passive reply must come within WeChat's 5-second window, on the first attempt. */
const REPLY_WINDOW_MS = 5000;
const DEFAULT_API_WAIT_MS = 10_000;
const POLL_MS = 50;

/** The test account as a merchant of this emulator (created on first use). */
function testMerchant(ctx: EmulatorContext, account: ReleaseTestAccount): Merchant {
  const existing = ctx.state.merchants.get(account.appid);
  if (existing) return existing;
  const kind = account.type === 'officialaccount' ? '公众号 OA' : '小程序 MP';
  const merchant: Merchant = {
    appid: account.appid,
    type: account.type,
    nickname: `全网发布测试${kind} ${account.group}`,
    user_name: account.userName,
    principal_name: 'WeChat release test account',
    createdAt: nowMs(ctx),
  };
  ctx.state.merchants.set(merchant.appid, merchant);
  return merchant;
}

/**
 * The test account authorizes the platform by itself: a fresh `queryauthcode@@@` code each run,
 * pushed as `authorized`. Returns the code.
 */
async function autoAuthorize(
  ctx: EmulatorContext,
  merchant: Merchant,
): Promise<{ code: string; pushed: boolean; error?: string }> {
  const { state, settings } = ctx;
  const now = nowMs(ctx);
  const code = ctx.ids.authCode();
  state.authCodes.set(code, {
    value: code,
    authorizerAppid: merchant.appid,
    preAuthCode: '',
    expiresAt: now + settings.authCodeTtlSeconds * 1000,
    consumed: false,
  });
  capMap(state.authCodes, CODES_MAX);
  const funcIds = defaultFuncIds(merchant.type);
  const existing = state.authorizations.get(merchant.appid);
  if (existing && existing.status === 'authorized') {
    existing.funcIds = funcIds;
  } else {
    state.authorizations.set(merchant.appid, {
      appid: merchant.appid,
      status: 'authorized',
      funcIds,
      refreshToken: ctx.ids.refreshToken(),
      authTime: nowSeconds(ctx),
      options: existing?.options ?? {},
    });
  }
  const push = await pushAuthEvent(
    ctx,
    authEventXml(ctx, 'authorized', {
      AuthorizerAppid: merchant.appid,
      AuthorizationCode: code,
      AuthorizationCodeExpiredTime: Math.floor(now / 1000) + settings.authCodeTtlSeconds,
    }),
  );
  return { code, pushed: push.ok, ...(push.error ? { error: push.error } : {}) };
}

const fanOpenid = (ctx: EmulatorContext): string => `o${randomAlnum(27, ctx.random)}`;

/** A user message pushed once (with WeChat's retries); the time until the answer. */
async function sendAsFan(
  ctx: EmulatorContext,
  merchant: Merchant,
  openid: string,
  content: string,
): Promise<{ result: MessagePushResult; ms: number }> {
  const started = performance.now();
  const msg = textMessageXml(ctx, merchant, openid, content);
  const result = await pushMessage(ctx, merchant.appid, msg.xml);
  return { result, ms: Math.round(performance.now() - started) };
}

/** Why a push did not get its answer on the first attempt within the window, or undefined. */
function lateOrFailed(r: { result: MessagePushResult; ms: number }): string | undefined {
  if (!r.result.ok) return `no valid answer: ${r.result.error ?? `HTTP ${r.result.status}`}`;
  if (r.result.attempts > 1 || r.ms > REPLY_WINDOW_MS) {
    return `answered only after ${r.ms} ms (attempt ${r.result.attempts}); the window is ${REPLY_WINDOW_MS} ms`;
  }
  return undefined;
}

async function caseTicket(ctx: EmulatorContext): Promise<ReleaseCase> {
  const name = 'component_verify_ticket push answered "success"';
  const r = await pushTicket(ctx);
  return r.ok
    ? { name, passed: true, detail: `HTTP ${r.status} "success"` }
    : { name, passed: false, detail: r.error ?? `HTTP ${r.status}` };
}

async function caseTextReply(ctx: EmulatorContext, merchant: Merchant): Promise<ReleaseCase> {
  const name = `official account passive text reply (${merchant.user_name})`;
  const openid = fanOpenid(ctx);
  const sent = await sendAsFan(ctx, merchant, openid, RELEASE_TEST_TEXT);
  const problem = lateOrFailed(sent);
  if (problem) return { name, passed: false, detail: problem };
  if (sent.result.reply === undefined) {
    return {
      name,
      passed: false,
      detail: `expected an encrypted text reply "${RELEASE_TEST_TEXT_REPLY}", got "${sent.result.body.trim()}"`,
    };
  }
  const reply = parseXml(sent.result.reply);
  const expected: Record<string, string> = {
    MsgType: 'text',
    Content: RELEASE_TEST_TEXT_REPLY,
    ToUserName: openid,
    FromUserName: merchant.user_name,
  };
  const wrong = Object.entries(expected)
    .filter(([field, value]) => xmlText(reply, field) !== value)
    .map(([field, value]) => `${field} is "${xmlText(reply, field) ?? ''}", expected "${value}"`);
  return wrong.length === 0
    ? { name, passed: true, detail: `encrypted reply in ${sent.ms} ms` }
    : { name, passed: false, detail: wrong.join('; ') };
}

function describeSent(messages: readonly SentMessage[]): string {
  if (messages.length === 0) return 'no message/custom/send call for this user';
  return messages.map((m) => `got msgtype "${m.msgtype}" content "${m.content ?? ''}"`).join('; ');
}

async function caseApiReply(
  ctx: EmulatorContext,
  merchant: Merchant,
  apiWaitMs: number,
): Promise<ReleaseCase> {
  const kind = merchant.type === 'officialaccount' ? 'official account' : 'mini program';
  const name = `${kind} QUERY_AUTH_CODE answered through message/custom/send (${merchant.user_name})`;
  const auth = await autoAuthorize(ctx, merchant);
  if (!auth.pushed) {
    return { name, passed: false, detail: `authorized push not acknowledged: ${auth.error ?? ''}` };
  }
  const openid = fanOpenid(ctx);
  const since = nowMs(ctx);
  const sent = await sendAsFan(
    ctx,
    merchant,
    openid,
    `${RELEASE_QUERY_AUTH_CODE_PREFIX}${auth.code}`,
  );
  const problem = lateOrFailed(sent);
  if (problem) return { name, passed: false, detail: problem };
  if (sent.result.reply !== undefined) {
    return {
      name,
      passed: false,
      detail: 'expected an empty or "success" answer, got a passive reply',
    };
  }
  const content = releaseApiReplyContent(auth.code);
  const toFan = (): SentMessage[] =>
    ctx.state.sentMessages.filter(
      (m) => m.appid === merchant.appid && m.touser === openid && m.sentAt >= since,
    );
  const until = performance.now() + apiWaitMs;
  for (;;) {
    const hit = toFan().find((m) => m.msgtype === 'text' && m.content === content);
    if (hit) {
      return {
        name,
        passed: true,
        detail: `answered in ${sent.ms} ms; customer-service message "${content}" sent with the account's token`,
      };
    }
    if (performance.now() >= until) {
      return {
        name,
        passed: false,
        detail: `no "${content}" within ${apiWaitMs} ms: ${describeSent(toFan())}`,
      };
    }
    await sleep(POLL_MS);
  }
}

async function guarded(name: string, run: () => Promise<ReleaseCase>): Promise<ReleaseCase> {
  try {
    return await run();
  } catch (err) {
    return { name, passed: false, detail: `check failed: ${errorMessage(err)}` };
  }
}

export function pickGroup(ctx: EmulatorContext): number {
  return 1 + ((ctx.random.bytes(1)[0] ?? 0) % RELEASE_TEST_GROUPS.length);
}

/** Runs the four cases in order: ticket, passive text reply, API reply (OA), API reply (MP). */
export async function runReleaseCheck(
  ctx: EmulatorContext,
  opts: ReleaseCheckOptions = {},
): Promise<ReleaseReport> {
  const group = opts.group ?? pickGroup(ctx);
  const accounts = RELEASE_TEST_GROUPS.find((g) => g.group === group);
  if (!accounts) throw new RangeError(`group must be 1..${RELEASE_TEST_GROUPS.length}`);
  const apiWaitMs = opts.apiWaitMs ?? DEFAULT_API_WAIT_MS;
  const oa = testMerchant(ctx, accounts.officialAccount);
  const mp = testMerchant(ctx, accounts.miniProgram);
  const selected = (id: number) => opts.permissionSets?.includes(id) ?? true;
  const cases = [
    await guarded('ticket', () => caseTicket(ctx)),
    ...(selected(1) ? [await guarded('text reply', () => caseTextReply(ctx, oa))] : []),
    ...(await Promise.all([
      ...(selected(1)
        ? [guarded('official account API reply', () => caseApiReply(ctx, oa, apiWaitMs))]
        : []),
      ...(selected(19)
        ? [guarded('mini program API reply', () => caseApiReply(ctx, mp, apiWaitMs))]
        : []),
    ])),
  ];
  ctx.log('emulator: release check finished', { group, passed: cases.every((c) => c.passed) });
  return { passed: cases.every((c) => c.passed), group, cases };
}
