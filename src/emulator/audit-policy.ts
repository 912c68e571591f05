import { errorMessage } from '../core/errors.ts';
import { codeState, decideAudit } from './code.ts';
import { nowSeconds, type EmulatorContext } from './context.ts';
import { applyIcpPolicy } from './icp.ts';
import { applyVerificationPolicy } from './verification.ts';
import type { EmulatorState } from './state.ts';

/**
 * The audit policy: audits in flight for `auto_pass_after_seconds` are decided, every n-th of 100
 * failing at `fail_percent` (deterministic), and their weapp_audit_* events pushed. It runs
 * whenever the code APIs or the control routes look at the state, and every 500 ms on a timer
 * while the emulator is started and the policy is set, so that audits are decided even when
 * nobody calls. It looks only at the audits in flight, oldest first, and stops at the first that
 * is not due: a call costs O(audits decided), whatever the number of audits ever made.
 */
export const AUDIT_POLICY_INTERVAL_MS = 500;

/**
 * The reason of an audit the policy fails. WeChat words its rejection reasons in Chinese, as
 * numbered items (`Reason` of weapp_audit_fail, `reason` of get_auditstatus; ../shared/wechat/01
 * §6.3 and 02 §3.7); this sentence is the emulator's own example in that style, not a string WeChat
 * is known to send. It names no category, so the audit advice finds none to add.
 */
export const POLICY_REJECTION_REASON =
  '1:小程序的实际功能与提交审核时填写的功能描述不一致，请核实后重新提交审核';

/** Decides every audit in flight whose time has come. */
export function applyAuditPolicy(ctx: EmulatorContext): void {
  const s = codeState(ctx);
  const after = s.policy.autoPassAfterSeconds;
  // ICP filings in review pass the same way (each review stage after `after` seconds).
  if (after !== null) applyIcpPolicy(ctx, after);
  // So are verifications and name and category reviews.
  if (after !== null) applyVerificationPolicy(ctx, after);
  if (after === null || s.inFlight.size === 0) return;
  const now = nowSeconds(ctx);
  const due = [];
  // Submission order is submit_time order on the emulator clock, which only moves forward.
  for (const audit of s.inFlight.values()) {
    if (now < audit.submit_time + after) break;
    due.push(audit);
  }
  for (const audit of due) {
    s.decided++;
    const fail = (s.decided - 1) % 100 < s.policy.failPercent;
    const decision = fail
      ? { result: 'fail' as const, reason: POLICY_REJECTION_REASON }
      : { result: 'success' as const };
    // decideAudit changes the status (and leaves inFlight) at once; only the push is awaited.
    ctx.track(decideAudit(ctx, audit, decision));
  }
}

interface PolicyTimer {
  started: boolean;
  handle?: NodeJS.Timeout;
}

const timers = new WeakMap<EmulatorState, PolicyTimer>();

function policyTimer(ctx: EmulatorContext): PolicyTimer {
  let t = timers.get(ctx.state);
  if (!t) {
    t = { started: false };
    timers.set(ctx.state, t);
  }
  return t;
}

/** Runs the timer if the emulator is started and the policy is set; stops it otherwise. */
export function syncAuditPolicyTimer(ctx: EmulatorContext): void {
  const t = policyTimer(ctx);
  const wanted = t.started && codeState(ctx).policy.autoPassAfterSeconds !== null;
  if (wanted && !t.handle) {
    t.handle = setInterval(() => {
      try {
        applyAuditPolicy(ctx);
      } catch (err) {
        ctx.log('emulator: audit policy failed', { error: errorMessage(err) });
      }
    }, AUDIT_POLICY_INTERVAL_MS);
    // The emulator's timers never keep the process alive.
    t.handle.unref();
  } else if (!wanted && t.handle) {
    clearInterval(t.handle);
    delete t.handle;
  }
}

/** Part of the emulator's start(): the timer runs from now on while the policy is set. */
export function startAuditPolicyTimer(ctx: EmulatorContext): void {
  policyTimer(ctx).started = true;
  syncAuditPolicyTimer(ctx);
}

/** Part of the emulator's stop(). */
export function stopAuditPolicyTimer(ctx: EmulatorContext): void {
  policyTimer(ctx).started = false;
  syncAuditPolicyTimer(ctx);
}

/** Whether the timer is running (for tests). */
export function auditPolicyTimerRunning(ctx: EmulatorContext): boolean {
  return policyTimer(ctx).handle !== undefined;
}
