/**
 * Why a rollout halted or paused, and why one of its mini programs failed or waits: the English
 * sentence kept in `rollouts.halted_reason` and `rollout_items.reason` (the API's `reason` and
 * `halted_reason`, also the key to retry by), and the same reason as a stable `code` with its
 * `params`, which the console words in the operator's language. The sentences are written here
 * and read back here, so the two always agree, also for rows written before codes existed.
 */
export interface RolloutReason {
  code: RolloutReasonCode;
  params: Record<string, string | number>;
}

export type RolloutReasonCode =
  | 'preflight_failed'
  | 'audit_rejected'
  | 'audit_rejected_no_reason'
  | 'audit_withdrawn'
  | 'foreign_audit_in_flight'
  | 'rollout_cancelled'
  | 'gave_up'
  | 'retrying'
  | 'waiting_daily_quota'
  | 'waiting_privacy_scan'
  | 'wave_failures_above_threshold'
  | 'paused_audit_quota'
  | 'refused'
  | 'wechat_errcode'
  | 'unknown';

export const reasonText = {
  preflightFailed: (check: string, detail: string) => `pre-flight ${check}: ${detail}`,
  auditRejected: (reason: string) => `audit rejected: ${reason || 'no reason given'}`,
  auditWithdrawn: () => 'the audit was withdrawn',
  foreignAudit: () => 'an audit not started by this rollout is in flight',
  cancelled: () => 'rollout cancelled',
  gaveUp: (attempts: number, message: string) => `gave up after ${attempts} attempts: ${message}`,
  retrying: (cause: string) => `retrying: ${cause}`,
  waitingDailyQuota: (meaning: string) => `waiting for tomorrow: ${meaning}`,
  waitingPrivacyScan: () => 'waiting: WeChat is still scanning the code for privacy APIs',
  /** `wave` counts from 1. */
  waveFailures: (w: { wave: number; failed: number; total: number; threshold: number }) =>
    `wave ${w.wave}: ${w.failed} of ${w.total} mini programs failed (${Math.round(
      (w.failed / w.total) * 100,
    )} %), above the ${w.threshold} % threshold`,
  pausedForQuota: (detail: string) => `paused: ${detail}; resume when the quota allows`,
  /** openwx refused the step (an AppError): its code leads, so the console can word it. */
  refused: (code: string, message: string) => `refused (${code}): ${message}`,
};

const PATTERNS: Array<[RegExp, (m: RegExpMatchArray) => RolloutReason]> = [
  [/^pre-flight (\w+): /, (m) => ({ code: 'preflight_failed', params: { check: m[1] ?? '' } })],
  [/^audit rejected: no reason given$/, () => ({ code: 'audit_rejected_no_reason', params: {} })],
  [
    /^audit rejected: ([\s\S]*)$/,
    (m) => ({ code: 'audit_rejected', params: { reason: m[1] ?? '' } }),
  ],
  [/^the audit was withdrawn$/, () => ({ code: 'audit_withdrawn', params: {} })],
  [/^an audit not started by this rollout is in flight$/, () => reason('foreign_audit_in_flight')],
  [/^rollout cancelled$/, () => reason('rollout_cancelled')],
  [/^gave up after (\d+) attempts: /, (m) => reason('gave_up', { attempts: Number(m[1]) })],
  [/^retrying: /, () => reason('retrying')],
  [/^waiting for tomorrow: /, () => reason('waiting_daily_quota')],
  [/^waiting: WeChat is still scanning/, () => reason('waiting_privacy_scan')],
  [
    /^wave (\d+): (\d+) of (\d+) mini programs failed \((\d+) %\), above the (\d+) % threshold$/,
    (m) =>
      reason('wave_failures_above_threshold', {
        wave: Number(m[1]),
        failed: Number(m[2]),
        total: Number(m[3]),
        percent: Number(m[4]),
        threshold: Number(m[5]),
      }),
  ],
  [/^paused: /, () => reason('paused_audit_quota')],
  [/^refused \((\w+)\): /, (m) => reason('refused', { error: m[1] ?? '' })],
];

function reason(code: RolloutReasonCode, params: RolloutReason['params'] = {}): RolloutReason {
  return { code, params };
}

/**
 * The code and params of a stored reason. A failure with WeChat's errcode and no sentence of
 * ours is `wechat_errcode`; anything else is `unknown` (the console then shows the errcode only).
 */
export function reasonOf(text: string | null, errcode: number | null = null): RolloutReason | null {
  if (text === null) return null;
  for (const [re, make] of PATTERNS) {
    const m = text.match(re);
    if (m) {
      const r = make(m);
      return errcode === null ? r : { ...r, params: { ...r.params, errcode } };
    }
  }
  if (errcode !== null) return reason('wechat_errcode', { errcode });
  return reason('unknown');
}
