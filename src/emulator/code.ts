import { buildXml } from '../crypto/xml.ts';
import { nowSeconds, type EmulatorContext } from './context.ts';
import { pushMessage, type MessagePushResult } from './pushes.ts';
import type { EmulatorState } from './state.ts';
import { templateLibrary } from './templates.ts';
import { WxApiError } from './wx-error.ts';

/**
 * The code pipeline of each mini program: the trial version made by commit, the audit in flight,
 * the online version with its rollback history, the phased release and the service status; and
 * the platform's monthly audit quota. Audits are decided through the control API or by a policy
 * (pass after N seconds, fail a given percentage; see audit-policy.ts), which keeps the audits in
 * flight in submission order. Reference: ../shared/wechat/02 §3, §6, §8.2–8.3;
 * ../shared/wechat/01 §6.3.
 */
export interface CodeVersion {
  template_id: number;
  ext_json: string;
  user_version: string;
  user_desc: string;
  commit_time: number;
  pages: string[];
}

export type AuditStatus = 0 | 1 | 2 | 3 | 4;

export interface Audit {
  auditid: number;
  appid: string;
  status: AuditStatus;
  reason: string;
  screenshot: string;
  version: CodeVersion;
  submit_time: number;
  /** Set when the policy decided, so that it decides once. */
  policyFail?: boolean;
}

export interface OnlineVersion extends CodeVersion {
  app_version: number;
  release_time: number;
  /** Reached by a rollback (a rollback cannot itself be rolled back). */
  rollback: boolean;
}

export interface GrayPlan {
  status: 0 | 1 | 2 | 3 | 4;
  percentage: number;
  debugerFirst: boolean;
  experiencerFirst: boolean;
  createTime: number;
}

export interface MiniProgramCode {
  trial: CodeVersion | null;
  /** The audit that release consumes (null once released). */
  audit: Audit | null;
  /** The newest audit ever submitted (get_latest_auditstatus), kept after release. */
  latestAudit: Audit | null;
  online: OnlineVersion | null;
  /** Previously online versions, newest last, at most 5. */
  history: OnlineVersion[];
  gray: GrayPlan | null;
  visitStatus: 'open' | 'closed';
  undoTimes: number[];
  expedited: Set<number>;
}

export interface AuditPolicy {
  /** Audits still in flight after this many seconds are decided; null: only by control. */
  autoPassAfterSeconds: number | null;
  /** Share (0–100) of policy-decided audits that fail. */
  failPercent: number;
  /** submit_audit answers 61039 for this many seconds after a commit. */
  privacyScanSeconds: number;
}

export interface CodeState {
  apps: Map<string, MiniProgramCode>;
  /** Every audit by auditid (get_auditstatus answers for old audits too). */
  audits: Map<number, Audit>;
  /** Audits with status 2 or 4, in submission (so submit_time) order: what the policy looks at. */
  inFlight: Map<number, Audit>;
  auditSeq: number;
  appVersionSeq: number;
  policy: AuditPolicy;
  quota: { limit: number; used: number; speedupLimit: number; speedupUsed: number };
  /** Policy decisions so far (every n-th of 100 fails at failPercent). */
  decided: number;
}

/** Versions kept for rollback and get_history_version: assumed (no doc gives a number). */
export const HISTORY_LIMIT = 5;
/**
 * undocodeaudit: 87013 "撤回次数达到上限（每天5次，每个月 10 次）" (doc undocodeaudit errcode table,
 * as collected in WxJava WxMaErrorMsgEnum).
 */
export const UNDO_PER_DAY = 5;
export const UNDO_PER_MONTH = 10;
/**
 * Pages of every template, so that 85045 (a page of ext_json not in the code) and 85047 (pages
 * empty) can happen: assumed (no doc): WeChat knows each template's real pages, the emulator's
 * templates carry none.
 */
export const TEMPLATE_PAGES = ['pages/index/index', 'pages/detail/detail', 'pages/mine/mine'];
/** ext_json larger than this is 85013: assumed (no doc gives a limit). */
export const EXT_JSON_MAX = 512 * 1024;
const STANDARD_KEYS = new Set(['extAppid', 'ext', 'window']);
/**
 * FromUserName of the audit pushes: assumed (no doc gives the sender's openid). The value is the
 * sample unionid of WeChat's OAuth docs (sns/oauth2/access_token), a recognisable fake.
 */
const SYSTEM_OPENID = 'o6_bmasdasdsad6_2sgVt7hMZOPfL';

const byState = new WeakMap<EmulatorState, CodeState>();

export function codeState(ctx: EmulatorContext): CodeState {
  let s = byState.get(ctx.state);
  if (!s) {
    s = {
      apps: new Map(),
      audits: new Map(),
      inFlight: new Map(),
      auditSeq: 0,
      appVersionSeq: 0,
      policy: { autoPassAfterSeconds: null, failPercent: 0, privacyScanSeconds: 0 },
      // Monthly audit quota 20 and speed-up quota 5: assumed (no doc: queryquota documents the
      // fields rest/limit/speedup_rest/speedup_limit, not the amounts, which WeChat sets per
      // platform); changed with the control API.
      quota: { limit: 20, used: 0, speedupLimit: 5, speedupUsed: 0 },
      decided: 0,
    };
    byState.set(ctx.state, s);
  }
  return s;
}

export function appCode(ctx: EmulatorContext, appid: string): MiniProgramCode {
  const s = codeState(ctx);
  let c = s.apps.get(appid);
  if (!c) {
    c = {
      trial: null,
      audit: null,
      latestAudit: null,
      online: null,
      history: [],
      gray: null,
      visitStatus: 'open',
      undoTimes: [],
      expedited: new Set(),
    };
    s.apps.set(appid, c);
  }
  return c;
}

/** Checks ext_json as commit does; returns the pages the trial version will have. */
export function checkExtJson(appid: string, extJson: string, templateType: number): string[] {
  if (extJson.length > EXT_JSON_MAX) throw new WxApiError(85013, 'ext_json too large');
  // An ext_json WeChat cannot read as an ext.json object is 85048 "parse ext.json failed";
  // 85013 is "无效的自定义配置". Source: community/minihome/doc/000ae0a8b48d98e94c5294d086bc00
  // (a real 85048 with rid); doc Third-party_Platforms/2.0/api/code/commit.
  let parsed: unknown;
  try {
    parsed = JSON.parse(extJson);
  } catch {
    throw new WxApiError(85048, 'ext_json is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new WxApiError(85048, 'ext_json is not a JSON object');
  }
  const ext = parsed as Record<string, unknown>;
  // extAppid naming another app is 85013 "无效的自定义配置": assumed (no doc says what WeChat
  // does with a foreign extAppid; the doc of commit only says extAppid is the authorizer's).
  if (ext['extAppid'] !== undefined && ext['extAppid'] !== appid) {
    throw new WxApiError(85013, `extAppid must be ${appid}`);
  }
  if (templateType === 1) {
    const extra = Object.keys(ext).filter((k) => !STANDARD_KEYS.has(k));
    if (extra.length > 0) throw new WxApiError(9402203, `unsupported keys: ${extra.join(', ')}`);
  }
  const pages = ext['pages'];
  if (pages === undefined) return [...TEMPLATE_PAGES];
  if (!Array.isArray(pages) || pages.some((p) => typeof p !== 'string')) {
    throw new WxApiError(85013, 'pages must be a list of strings');
  }
  if (pages.length === 0) throw new WxApiError(85047);
  const unknown = (pages as string[]).filter((p) => !TEMPLATE_PAGES.includes(p));
  if (unknown.length > 0) throw new WxApiError(85045, `not in the template: ${unknown.join(', ')}`);
  return [...(pages as string[])];
}

export function commitCode(
  ctx: EmulatorContext,
  appid: string,
  input: { template_id: number; ext_json: string; user_version: string; user_desc: string },
): CodeVersion {
  const template = templateLibrary(ctx).templates.get(input.template_id);
  if (!template) throw new WxApiError(85014, `template ${input.template_id} not found`);
  const pages = checkExtJson(appid, input.ext_json, template.template_type);
  const trial: CodeVersion = { ...input, commit_time: nowSeconds(ctx), pages };
  appCode(ctx, appid).trial = trial;
  return trial;
}

export function inFlight(audit: Audit | null): audit is Audit {
  return audit !== null && (audit.status === 2 || audit.status === 4);
}

export function submitAudit(ctx: EmulatorContext, appid: string): Audit {
  const s = codeState(ctx);
  const code = appCode(ctx, appid);
  if (!code.trial) throw new WxApiError(85086);
  if (inFlight(code.audit)) throw new WxApiError(85009);
  const now = nowSeconds(ctx);
  if (now < code.trial.commit_time + s.policy.privacyScanSeconds) throw new WxApiError(61039);
  if (s.quota.used >= s.quota.limit) throw new WxApiError(85085);
  s.quota.used++;
  s.auditSeq++;
  const audit: Audit = {
    auditid: 400_000_000 + s.auditSeq,
    appid,
    status: 2,
    reason: '',
    screenshot: '',
    version: { ...code.trial },
    submit_time: now,
  };
  code.audit = audit;
  code.latestAudit = audit;
  s.audits.set(audit.auditid, audit);
  s.inFlight.set(audit.auditid, audit);
  return audit;
}

function auditEventXml(
  ctx: EmulatorContext,
  audit: Audit,
  result: 'success' | 'fail' | 'delay',
): string {
  const now = nowSeconds(ctx);
  const fields: Record<string, string | number> = {
    ToUserName: ctx.state.merchants.get(audit.appid)?.user_name ?? '',
    FromUserName: SYSTEM_OPENID,
    CreateTime: now,
    MsgType: 'event',
    Event: `weapp_audit_${result}`,
  };
  if (result === 'success') fields['SuccTime'] = now;
  if (result === 'fail') {
    fields['Reason'] = audit.reason;
    fields['FailTime'] = now;
    fields['ScreenShot'] = audit.screenshot;
  }
  if (result === 'delay') {
    fields['Reason'] = audit.reason;
    fields['DelayTime'] = now;
  }
  return buildXml(fields);
}

/**
 * Decides an audit in flight: success (0), fail (1) or delay (4, only from 2), then pushes the
 * matching weapp_audit_* event to the authorizer's message URL.
 */
export async function decideAudit(
  ctx: EmulatorContext,
  audit: Audit,
  decision: {
    result: 'success' | 'fail' | 'delay';
    reason?: string;
    screenshots?: string[];
    /** false: decide without pushing the result (a push WeChat lost). */
    push?: boolean;
  },
): Promise<MessagePushResult | null> {
  if (audit.status !== 2 && audit.status !== 4) {
    throw new Error(`audit ${audit.auditid} is not in flight`);
  }
  if (decision.result === 'delay' && audit.status !== 2) {
    throw new Error(`audit ${audit.auditid} is already delayed`);
  }
  audit.status = decision.result === 'success' ? 0 : decision.result === 'fail' ? 1 : 4;
  if (audit.status !== 4) codeState(ctx).inFlight.delete(audit.auditid);
  audit.reason = decision.result === 'success' ? '' : (decision.reason ?? '');
  audit.screenshot = decision.result === 'fail' ? (decision.screenshots ?? []).join('|') : '';
  if (decision.push === false) return null;
  return pushMessage(ctx, audit.appid, auditEventXml(ctx, audit, decision.result));
}

export function releaseAudited(ctx: EmulatorContext, appid: string): OnlineVersion {
  const s = codeState(ctx);
  const code = appCode(ctx, appid);
  if (!code.audit) throw new WxApiError(85019);
  if (code.audit.status !== 0) throw new WxApiError(85020);
  if (code.online) {
    code.history.push(code.online);
    if (code.history.length > HISTORY_LIMIT) code.history.shift();
  }
  s.appVersionSeq++;
  const online: OnlineVersion = {
    ...code.audit.version,
    app_version: s.appVersionSeq,
    release_time: nowSeconds(ctx),
    rollback: false,
  };
  code.online = online;
  code.audit = null;
  if (code.gray && code.gray.status === 1) code.gray.status = 3;
  return online;
}

export function rollback(ctx: EmulatorContext, appid: string, appVersion?: number): OnlineVersion {
  const code = appCode(ctx, appid);
  if (code.gray?.status === 1) throw new WxApiError(87011);
  // 87012 "该版本不能回退，可能的原因：1:无上一个线上版用于回退 2:此版本为已回退版本，不能回退 …"
  // (doc revertcoderelease errcode table, as collected in WxJava WxMaErrorMsgEnum).
  if (!code.online || code.online.rollback) throw new WxApiError(87012);
  const index =
    appVersion === undefined
      ? code.history.length - 1
      : code.history.findIndex((v) => v.app_version === appVersion);
  const target = code.history[index];
  if (index < 0 || !target) throw new WxApiError(87012, 'no previous version');
  code.history.splice(index, 1);
  code.history.push(code.online);
  if (code.history.length > HISTORY_LIMIT) code.history.shift();
  code.online = { ...target, release_time: nowSeconds(ctx), rollback: true };
  return code.online;
}

export function undoAudit(ctx: EmulatorContext, appid: string): void {
  const code = appCode(ctx, appid);
  const now = nowSeconds(ctx);
  const day = (t: number) => Math.floor((t + 8 * 3600) / 86400);
  const month = (t: number) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 7);
  const today = code.undoTimes.filter((t) => day(t) === day(now)).length;
  const thisMonth = code.undoTimes.filter((t) => month(t) === month(now)).length;
  if (today >= UNDO_PER_DAY || thisMonth >= UNDO_PER_MONTH) throw new WxApiError(87013);
  // Nothing to withdraw: 87013 reused, assumed (no doc: the doc lists no errcode for it).
  if (!inFlight(code.audit)) throw new WxApiError(87013, 'no audit in flight');
  code.audit.status = 3;
  codeState(ctx).inFlight.delete(code.audit.auditid);
  code.undoTimes.push(now);
}

/** What GET /control/mini-programs/:appid/code shows. */
export function codeView(ctx: EmulatorContext, appid: string): Record<string, unknown> {
  const code = appCode(ctx, appid);
  return {
    appid,
    trial: code.trial,
    audit: code.audit,
    online: code.online,
    history: code.history,
    gray: code.gray,
    visit_status: code.visitStatus,
    undo_times: code.undoTimes,
    expedited: [...code.expedited],
  };
}
