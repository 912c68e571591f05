import type { Clock } from '../../core/clock.ts';
import { AppError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/metrics.ts';
import type { RateLimiter } from '../../jobs/rate-limiter.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { errcodeMeaning } from '../../wechat/errcodes.ts';
import { WechatApiError } from '../../wechat/errors.ts';
import type { CodeStepKind } from '../code/code-history.ts';
import type { CodePipeline } from '../code/code-pipeline.ts';
import type { AuditQuota } from '../code/code-preflight.ts';
import { reasonText } from './reasons.ts';
import type { ItemState, RolloutRow } from './rollout-view.ts';

/**
 * The steps of one mini program in a rollout, each from one state to the next: commit,
 * pre-flight and submit_audit, the audit's result, release or phased release; and what an error
 * means for the item (retry later, fail with WeChat's reason, or pause the rollout). The worker
 * (rollout-worker.ts) claims items and runs these. See docs/adr/0004-rollout-intents.md.
 */
export interface ItemRow {
  id: string | number;
  rollout_id: string | number;
  appid: string;
  state: ItemState;
  ext_json: string;
  auditid: string | number | null;
  attempts: number;
  intent_at: Date | string | null;
}

/** Before an intent was sent, the state to go back to when WeChat refused without effect. */
const BEFORE: Partial<Record<ItemState, ItemState>> = {
  committing: 'ready',
  submitting: 'committed',
};
/** WeChat's clock and ours may differ a little; a match within this is ours. */
const SKEW_MS = 60_000;
const AUDIT_RECHECK_MS = 60_000;
const MAX_UNKNOWN = 10;

export type Outcome = 'continue' | 'wait';

/** The item is no longer this worker's as it knew it: its lease ran out, or it was cancelled. */
export class LeaseLost extends Error {
  constructor(appid: string) {
    super(`${appid} changed meanwhile (lease ran out, or cancelled); leaving it`);
  }
}

export interface RolloutStepsDeps {
  db: Db;
  clock: Clock;
  code: CodePipeline;
  client: WechatClient;
  limiter: RateLimiter;
  log: Logger;
  /** Writes an item's fields while the worker holds it (LeaseLost when it no longer does). */
  save: (item: ItemRow, fields: Record<string, unknown>) => Promise<void>;
  /** The platform's audit quota, read at most about once a minute. */
  quota: () => Promise<AuditQuota | null>;
}

export function createRolloutSteps(deps: RolloutStepsDeps) {
  const { db, clock, code, client, limiter, log, save, quota } = deps;
  const now = () => new Date(clock.now());

  /** The step is in code_events already (recorded before a crash)? */
  async function recorded(appid: string, kind: CodeStepKind, actor: string, since: Date) {
    const res = await db.query(
      `SELECT 1 FROM code_events WHERE appid = $1 AND kind = $2 AND actor = $3 AND at >= $4 LIMIT 1`,
      [appid, kind, actor, since],
    );
    return res.rows.length > 0;
  }

  const fail = (item: ItemRow, reason: string, errcode: number | null = null) =>
    save(item, { state: 'failed', reason, errcode, next_at: now() });

  async function commit(r: RolloutRow, item: ItemRow, actor: string): Promise<Outcome> {
    const payload = {
      template_id: Number(r.template_id),
      user_version: r.user_version,
      user_desc: r.user_desc,
      ext_json: item.ext_json,
    };
    if (item.state === 'committing' && item.intent_at) {
      await limiter.take();
      const v = await client.call('getversioninfo', {}, { appid: item.appid });
      const exp = v.exp_info;
      const since = new Date(new Date(item.intent_at).getTime() - SKEW_MS);
      if (
        exp &&
        exp.exp_version === r.user_version &&
        exp.exp_desc === r.user_desc &&
        exp.exp_time * 1000 >= since.getTime()
      ) {
        if (!(await recorded(item.appid, 'committed', actor, since))) {
          await code.history.record(item.appid, 'committed', {
            template_id: payload.template_id,
            user_version: r.user_version,
            user_desc: r.user_desc,
            detail: { ext_json: item.ext_json, rollout_id: Number(r.id), recovered: true },
            actor,
          });
        }
        await save(item, { state: 'committed', next_at: now() });
        return 'continue';
      }
    }
    await code.tenantOf(item.appid);
    await save(item, { state: 'committing', intent_at: now() });
    await limiter.take();
    await code.commitPayload(item.appid, payload, actor, { rollout_id: Number(r.id) });
    await save(item, { state: 'committed', next_at: now() });
    return 'continue';
  }

  async function submit(r: RolloutRow, item: ItemRow, actor: string): Promise<Outcome> {
    if (item.state === 'submitting' && item.intent_at) {
      if (await adoptOwnAudit(r, item, actor)) return 'continue';
    } else {
      const pf = await code.preflight.check(item.appid, {
        quota: await quota(),
        throttle: () => limiter.take(),
      });
      const failed = pf.checks.filter((c) => !c.ok);
      const quotaFailed = failed.find((c) => c.check === 'audit_quota');
      if (quotaFailed) {
        await pauseForQuota(r, quotaFailed.detail);
        return 'wait';
      }
      const first = failed[0];
      if (first) {
        await fail(item, reasonText.preflightFailed(first.check, first.detail));
        return 'wait';
      }
      await save(item, { state: 'submitting', intent_at: now() });
      await limiter.take();
      try {
        const step = await code.submitAudit(item.appid, { item_list: pf.item_list }, actor, {
          detail: { rollout_id: Number(r.id) },
        });
        await save(item, { state: 'auditing', auditid: step.auditid, next_at: now() });
        return 'continue';
      } catch (err) {
        // 85009: an audit is in flight; it may be this rollout's own (an earlier, lost answer).
        if (!(err instanceof WechatApiError && err.errcode === 85009)) throw err;
        if (await adoptOwnAudit(r, item, actor)) return 'continue';
        await fail(item, reasonText.foreignAudit(), 85009);
        return 'wait';
      }
    }
    await save(item, { state: 'committed', intent_at: null, next_at: now() });
    return 'continue';
  }

  /** After an unknown outcome of submit_audit: did WeChat get it? Then take that audit. */
  async function adoptOwnAudit(r: RolloutRow, item: ItemRow, actor: string): Promise<boolean> {
    await limiter.take();
    let latest;
    try {
      latest = await client.call('get_latest_auditstatus', {}, { appid: item.appid });
    } catch (err) {
      if (err instanceof WechatApiError && err.errcode === 85058) return false;
      throw err;
    }
    const since = new Date(new Date(item.intent_at ?? 0).getTime() - SKEW_MS);
    const ours =
      latest.user_version === r.user_version &&
      (latest.submit_audit_time ?? 0) * 1000 >= since.getTime();
    if (!ours) return false;
    const known = await db.query(
      `SELECT 1 FROM code_events WHERE appid = $1 AND kind = 'submitted' AND auditid = $2`,
      [item.appid, latest.auditid],
    );
    if (known.rows.length === 0) {
      await code.history.record(item.appid, 'submitted', {
        template_id: Number(r.template_id),
        user_version: r.user_version,
        user_desc: r.user_desc,
        auditid: latest.auditid,
        detail: { rollout_id: Number(r.id), recovered: true },
        actor,
      });
    }
    await save(item, { state: 'auditing', auditid: latest.auditid, next_at: now() });
    // Decided already (its push may have come while nobody listened): record the result now.
    if (latest.status !== 2) await code.audits.pollOne(item.appid, latest.auditid);
    return true;
  }

  /** Takes the audit's result from the version history (pushes and polls write it there). */
  async function audit(item: ItemRow): Promise<Outcome> {
    const s = await code.history.state(item.appid);
    const a = s.audit;
    if (a && a.auditid === Number(item.auditid)) {
      if (a.state === 'passed') {
        await save(item, { state: 'passed', next_at: now() });
        return 'continue';
      }
      if (a.state === 'failed') {
        await save(item, {
          state: 'failed',
          reason: reasonText.auditRejected(a.reason ?? ''),
          screenshots: a.screenshots ? JSON.stringify(a.screenshots) : null,
          next_at: now(),
        });
        return 'wait';
      }
      if (a.state === 'withdrawn') {
        await fail(item, reasonText.auditWithdrawn());
        return 'wait';
      }
    }
    await save(item, { next_at: new Date(clock.now() + AUDIT_RECHECK_MS) });
    return 'wait';
  }

  async function afterPass(r: RolloutRow, item: ItemRow, actor: string): Promise<Outcome> {
    const gray = r.options.gray_percentage;
    if (gray) {
      await limiter.take();
      try {
        await code.grayRelease(item.appid, { percentage: gray }, actor);
        await save(item, { state: 'gray', next_at: now() });
        return 'wait';
      } catch (err) {
        // 85079: no version online yet, so there is nobody to phase: release for everyone.
        if (!(err instanceof WechatApiError && err.errcode === 85079)) throw err;
      }
    } else if (!r.options.auto_release) {
      await save(item, { state: 'awaiting_release', next_at: now() });
      return 'wait';
    }
    await save(item, { state: 'releasing', intent_at: null, next_at: now() });
    return 'continue';
  }

  async function release(r: RolloutRow, item: ItemRow, actor: string): Promise<Outcome> {
    if (item.intent_at) {
      await limiter.take();
      const v = await client.call('getversioninfo', {}, { appid: item.appid });
      const rel = v.release_info;
      const since = new Date(new Date(item.intent_at).getTime() - SKEW_MS);
      if (
        rel &&
        rel.release_version === r.user_version &&
        rel.release_time * 1000 >= since.getTime()
      ) {
        if (!(await recorded(item.appid, 'released', actor, since))) {
          await code.history.record(item.appid, 'released', {
            template_id: Number(r.template_id),
            user_version: r.user_version,
            user_desc: r.user_desc,
            auditid: item.auditid === null ? null : Number(item.auditid),
            detail: { rollout_id: Number(r.id), recovered: true },
            actor,
          });
        }
        await save(item, { state: 'released', next_at: now() });
        return 'wait';
      }
    }
    await save(item, { intent_at: now() });
    await limiter.take();
    await code.release(item.appid, actor);
    await save(item, { state: 'released', next_at: now() });
    return 'wait';
  }

  async function pauseForQuota(r: RolloutRow, detail: string): Promise<void> {
    await db.query(
      `UPDATE rollouts SET status = 'paused', halted_reason = $2, updated_at = $3
       WHERE id = $1 AND status = 'running'`,
      [r.id, reasonText.pausedForQuota(detail), now()],
    );
    log.warn({ rollout: Number(r.id) }, 'rollout paused: audit quota');
  }

  /** What to do after an error: retry later, give up on this mini program, or pause. */
  async function handleError(r: RolloutRow, item: ItemRow, err: unknown): Promise<void> {
    const retryIn = (ms: number, reason: string, fields: Record<string, unknown> = {}) =>
      save(item, {
        next_at: new Date(clock.now() + ms),
        attempts: item.attempts + 1,
        reason,
        ...fields,
      });
    const back = BEFORE[item.state];
    const noEffect = back ? { state: back, intent_at: null } : { intent_at: null };
    if (err instanceof WechatApiError) {
      const c = err.errcode;
      const meaning = errcodeMeaning(c) ?? err.errmsg;
      if (c === 85085) {
        await save(item, { ...noEffect, next_at: now() });
        await pauseForQuota(r, "the platform's monthly audit quota is used up (85085)");
        return;
      }
      if (c === 45011 || c === -1 || c === 9402202) {
        if (c === 45011) limiter.backOff(1000);
        // -1 does not say that nothing was applied (src/wechat/retry-rules.ts): the intent stays
        // and the next attempt asks WeChat first, as after a lost answer.
        return retryIn(
          c === 45011 ? 60_000 : 30_000,
          reasonText.retrying(meaning),
          c === -1 ? {} : noEffect,
        );
      }
      if (c === 45009) {
        const day = 86_400_000;
        const beijing = 8 * 3600_000;
        const midnight = Math.floor((clock.now() + beijing) / day + 1) * day - beijing + 60_000;
        return retryIn(midnight - clock.now(), reasonText.waitingDailyQuota(meaning), noEffect);
      }
      if (c === 61039 && item.attempts < 40) {
        return retryIn(30_000, reasonText.waitingPrivacyScan(), noEffect);
      }
      if (err.category === 'stale_token' && item.attempts < MAX_UNKNOWN) {
        return retryIn(60_000, reasonText.retrying(meaning), noEffect);
      }
      await save(item, { ...noEffect });
      return fail(item, meaning, c);
    }
    if (err instanceof AppError && err.code !== 'upstream_unavailable' && err.code !== 'internal') {
      const errcode = typeof err.details?.['errcode'] === 'number' ? err.details['errcode'] : null;
      await save(item, { ...noEffect });
      return fail(item, reasonText.refused(err.code, err.message), errcode);
    }
    // WeChat unreachable or an answer lost: the call may have happened; the intent stays, and
    // the next attempt asks WeChat first.
    if (item.attempts + 1 >= MAX_UNKNOWN) {
      return fail(item, reasonText.gaveUp(MAX_UNKNOWN, errorMessage(err)));
    }
    const wait = Math.min(2 ** item.attempts * 2000, 600_000);
    return retryIn(wait, reasonText.retrying(errorMessage(err)));
  }

  return { commit, submit, audit, afterPass, release, handleError };
}
