import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { randomAlnum, randomDigits } from '../core/random.ts';
import { buildXml } from '../crypto/xml.ts';
import { codeState } from './code.ts';
import { nowSeconds, type EmulatorContext } from './context.ts';
import { readControlBody } from './control-body.ts';
import { mpConfig } from './mp-config.ts';
import {
  authEventXml,
  pushAuthEvent,
  pushMessage,
  type MessagePushResult,
  type PushResult,
} from './pushes.ts';
import type { EmulatorState } from './state.ts';

/**
 * Verification on behalf (代认证) and WeChat's reviews of names and categories, per mini program.
 *
 * Verification (doc weapp-wxverify/api_secwxaapi_*): wxaauth opens a task (task_status 0, the
 * administrator has yet to agree at auth_url); the control route `POST /control/verifications/
 * :appid` plays the administrator and the reviewers: approved → task_status 12, apply_status 4
 * (verified); rejected → task_status 12, apply_status 3 (sent back to refill, refill_reason),
 * which reauth submits again (apply_status 2, reviewing). Each decision is pushed to the
 * authorization-event URL as InfoType `notify_3rd_wxa_auth` (appid, taskid, task_status,
 * apply_status, message: SKIT NotifyThirdPartyWxaAuthEvent, WxJava WxOpenXmlMessage). The
 * administrator's intermediate steps (face, SMS, payment) are not played.
 *
 * Reviews: a setnickname answers audit_id and the name stays pending (doc setNickName: audit_id
 * when the name needs manual review; the emulator reviews every rename); a category added with
 * qualification materials (`certicates`) is audit_status 1 (reviewing; without materials it is
 * approved at once, as before). `POST /control/reviews/:appid` decides every pending review of
 * the mini program and pushes `wxa_nickname_audit` (ret 2 rejected / 3 approved, nickname,
 * reason; doc wxa_nickname_audit) or `wxa_category_audit` (first, second, ret, reason; SKIT
 * WxaCategoryAuditEvent) to the message URL. The audit policy's `auto_pass_after_seconds`
 * approves tasks and reviews waiting that long, as it passes code audits.
 */
export const TASK_INITIAL = 0;
export const TASK_ORDER_CREATED = 12;
export const APPLY_NONE = 0;
export const APPLY_REVIEWING = 2;
export const APPLY_REFILL = 3;
export const APPLY_VERIFIED = 4;

export interface VerificationTask {
  taskid: string;
  appid: string;
  task_status: number;
  apply_status: number;
  auth_url: string;
  orderid: number;
  refill_reason: string;
  auth_data: Record<string, unknown>;
  /** Emulator seconds when the task last waited for a decision. */
  since: number;
}

export interface AuthMaterial {
  appid: string;
  size: number;
  created_at: number;
}

export type Review =
  | { kind: 'nickname'; audit_id: number; appid: string; nickname: string; since: number }
  | { kind: 'category'; appid: string; first: number; second: number; since: number };

interface VerificationState {
  tasks: Map<string, VerificationTask>;
  materials: Map<string, AuthMaterial>;
  reviews: Review[];
  nextAuditId: number;
}

const states = new WeakMap<EmulatorState, VerificationState>();

export function verificationState(ctx: EmulatorContext): VerificationState {
  let s = states.get(ctx.state);
  if (!s) {
    s = { tasks: new Map(), materials: new Map(), reviews: [], nextAuditId: 420_000_001 };
    states.set(ctx.state, s);
  }
  return s;
}

/** A new task for `appid`; the auth_url is the emulator's stand-in for WeChat's page. */
export function openTask(
  ctx: EmulatorContext,
  appid: string,
  authData: Record<string, unknown>,
): VerificationTask {
  const taskid = randomAlnum(24, ctx.random);
  const task: VerificationTask = {
    taskid,
    appid,
    task_status: TASK_INITIAL,
    apply_status: APPLY_NONE,
    auth_url: `https://mp.weixin.qq.com/wxaauth/authorize?taskid=${taskid}`,
    orderid: Number(randomDigits(12, ctx.random)),
    refill_reason: '',
    auth_data: authData,
    since: nowSeconds(ctx),
  };
  verificationState(ctx).tasks.set(taskid, task);
  return task;
}

/** The newest task of `appid` still waiting for a decision. */
function waitingTask(ctx: EmulatorContext, appid: string): VerificationTask | undefined {
  return [...verificationState(ctx).tasks.values()]
    .filter(
      (t) =>
        t.appid === appid && (t.apply_status === APPLY_NONE || t.apply_status === APPLY_REVIEWING),
    )
    .at(-1);
}

export class NothingPending extends Error {}

/** Decides the waiting verification of `appid` and pushes notify_3rd_wxa_auth. */
export function decideVerification(
  ctx: EmulatorContext,
  appid: string,
  decision: { result: 'approved' | 'rejected'; reason?: string },
): Promise<PushResult> {
  const task = waitingTask(ctx, appid);
  if (!task) throw new NothingPending(`no verification of ${appid} is waiting for a decision`);
  task.task_status = TASK_ORDER_CREATED;
  const approved = decision.result === 'approved';
  task.apply_status = approved ? APPLY_VERIFIED : APPLY_REFILL;
  task.refill_reason = approved ? '' : (decision.reason ?? '材料不符合要求，请修改后重新提交');
  task.since = nowSeconds(ctx);
  return pushAuthEvent(
    ctx,
    authEventXml(ctx, 'notify_3rd_wxa_auth', {
      appid,
      taskid: task.taskid,
      task_status: task.task_status,
      apply_status: task.apply_status,
      message: approved ? '认证通过' : task.refill_reason,
    }),
  );
}

const SYSTEM_OPENID = 'o6_bmasdasdsad6_2sgVt7hMZOPfL';

function reviewXml(ctx: EmulatorContext, review: Review, ret: 2 | 3, reason: string): string {
  const fields: Record<string, string | number> = {
    ToUserName: ctx.state.merchants.get(review.appid)?.user_name ?? '',
    FromUserName: SYSTEM_OPENID,
    CreateTime: nowSeconds(ctx),
    MsgType: 'event',
  };
  if (review.kind === 'nickname') {
    Object.assign(fields, { Event: 'wxa_nickname_audit', ret, nickname: review.nickname, reason });
  } else {
    Object.assign(fields, {
      Event: 'wxa_category_audit',
      ret,
      first: review.first,
      second: review.second,
      reason,
    });
  }
  return buildXml(fields);
}

/** Starts a name review; answers its audit_id. */
export function openNicknameReview(ctx: EmulatorContext, appid: string, nickname: string): number {
  const s = verificationState(ctx);
  const audit_id = s.nextAuditId++;
  s.reviews.push({ kind: 'nickname', audit_id, appid, nickname, since: nowSeconds(ctx) });
  return audit_id;
}

export function openCategoryReview(
  ctx: EmulatorContext,
  appid: string,
  first: number,
  second: number,
): void {
  verificationState(ctx).reviews.push({
    kind: 'category',
    appid,
    first,
    second,
    since: nowSeconds(ctx),
  });
}

/** Decides the given reviews: the name or category changes, and each result is pushed. */
function settle(
  ctx: EmulatorContext,
  reviews: Review[],
  decision: { result: 'approved' | 'rejected'; reason?: string },
): Promise<MessagePushResult[]> {
  const s = verificationState(ctx);
  s.reviews = s.reviews.filter((r) => !reviews.includes(r));
  const approved = decision.result === 'approved';
  const reason = approved ? '' : (decision.reason ?? '不符合命名或类目规范');
  return Promise.all(
    reviews.map((r) => {
      if (r.kind === 'nickname') {
        const merchant = ctx.state.merchants.get(r.appid);
        if (approved && merchant) {
          merchant.nickname = r.nickname;
          const cfg = mpConfig(ctx, r.appid);
          cfg.nicknameUsed = (cfg.nicknameUsed ?? 0) + 1;
        }
      } else {
        const c = mpConfig(ctx, r.appid).categories.find(
          (k) => k.first === r.first && k.second === r.second,
        );
        if (c) c.audit_status = approved ? 3 : 2;
      }
      return pushMessage(ctx, r.appid, reviewXml(ctx, r, approved ? 3 : 2, reason));
    }),
  );
}

/** Decides every pending review of `appid`. */
export function decideReviews(
  ctx: EmulatorContext,
  appid: string,
  decision: { result: 'approved' | 'rejected'; reason?: string },
): Promise<MessagePushResult[]> {
  const pending = verificationState(ctx).reviews.filter((r) => r.appid === appid);
  if (pending.length === 0)
    throw new NothingPending(`no name or category review of ${appid} is pending`);
  return settle(ctx, pending, decision);
}

/** The audit policy approves tasks and reviews that waited `afterSeconds`. */
export function applyVerificationPolicy(ctx: EmulatorContext, afterSeconds: number): void {
  const now = nowSeconds(ctx);
  const s = verificationState(ctx);
  for (const t of [...s.tasks.values()]) {
    const waiting = t.apply_status === APPLY_NONE || t.apply_status === APPLY_REVIEWING;
    if (waiting && now >= t.since + afterSeconds) {
      ctx.track(decideVerification(ctx, t.appid, { result: 'approved' }));
    }
  }
  const due = s.reviews.filter((r) => now >= r.since + afterSeconds);
  if (due.length > 0) ctx.track(settle(ctx, due, { result: 'approved' }));
}

/** Runs the policy's part here when it is set (called when the verification APIs look). */
export function applyVerificationPolicyIfSet(ctx: EmulatorContext): void {
  const after = codeState(ctx).policy.autoPassAfterSeconds;
  if (after !== null) applyVerificationPolicy(ctx, after);
}

const decisionBody = z.object({
  result: z.enum(['approved', 'rejected']),
  reason: z.string().trim().min(1).max(500).optional(),
});

/** `POST /control/verifications/:appid` and `POST /control/reviews/:appid`; `GET` shows the state. */
export function registerVerificationControlRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
): void {
  const isMiniProgram = (appid: string) => ctx.state.merchants.get(appid)?.type === 'miniprogram';
  const view = (appid: string) => {
    const s = verificationState(ctx);
    return {
      appid,
      verifications: [...s.tasks.values()]
        .filter((t) => t.appid === appid)
        .map(({ auth_data: _data, ...t }) => t),
      reviews: s.reviews.filter((r) => r.appid === appid),
    };
  };
  for (const kind of ['verifications', 'reviews'] as const) {
    app.get<{ Params: { appid: string } }>(`/control/${kind}/:appid`, (req, reply) => {
      if (!isMiniProgram(req.params.appid)) {
        return reply.code(404).send({ error: `no mini program ${req.params.appid}` });
      }
      return view(req.params.appid);
    });
    app.post<{ Params: { appid: string } }>(`/control/${kind}/:appid`, async (req, reply) => {
      const appid = req.params.appid;
      if (!isMiniProgram(appid)) return reply.code(404).send({ error: `no mini program ${appid}` });
      const input = readControlBody(decisionBody, req.body);
      if (!input.ok) return reply.code(400).send({ error: input.error });
      const { result, reason } = input.value;
      const decision = { result, ...(reason ? { reason } : {}) };
      try {
        if (kind === 'verifications') {
          const pushed = await decideVerification(ctx, appid, decision);
          return { ...view(appid), push: { status: pushed.status, ok: pushed.ok } };
        }
        const pushed = await decideReviews(ctx, appid, decision);
        return { ...view(appid), pushes: pushed.map((p) => ({ status: p.status, ok: p.ok })) };
      } catch (err) {
        if (err instanceof NothingPending) return reply.code(409).send({ error: err.message });
        throw err;
      }
    });
  }
}
