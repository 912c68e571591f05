import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { RateLimiter } from '../../jobs/rate-limiter.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import type { AuditResult } from '../code/code-audits.ts';
import type { CodePipeline } from '../code/code-pipeline.ts';
import {
  ACTIVE_ITEM_STATES,
  findRollout,
  JOB_ROLLOUT_WORK,
  type RolloutRow,
} from './rollout-view.ts';
import { advanceWaves } from './rollout-waves.ts';
import { createRolloutSteps, LeaseLost, type ItemRow, type Outcome } from './rollout-steps.ts';

/**
 * The work of a rollout, done by `rollout.work` jobs (several per rollout, on any instance).
 * A job claims a few mini programs that are due (lease + SKIP LOCKED) and moves each one on
 * until it waits for WeChat's audit: commit → pre-flight → submit_audit → (audit result) →
 * release or phased release. Before commit, submit_audit and release the item is marked
 * `committing` / `submitting` / `releasing` with the time (the intent); an item found in such a
 * state after a crash is first checked against WeChat (getversioninfo, get_latest_auditstatus),
 * so that nothing is committed, submitted or released twice. See docs/adr/0004-rollout-intents.md.
 */
export interface RolloutWorkerDeps {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  code: CodePipeline;
  client: WechatClient;
  limiter: RateLimiter;
  log?: Logger;
  /** How long a claimed item stays with this worker. */
  leaseMs?: number;
  /** Items claimed at once by one job. */
  batch?: number;
  /** A job gives its turn back after this long. */
  sliceMs?: number;
}

/** The states in which an item has work to do (the active ones). */
const WORK_STATES = ACTIVE_ITEM_STATES;
export type RolloutWorker = ReturnType<typeof createRolloutWorker>;

export function createRolloutWorker(deps: RolloutWorkerDeps) {
  const { db, clock, code, client, limiter, jobs } = deps;
  const log = deps.log ?? silentLogger;
  const leaseMs = deps.leaseMs ?? 30_000;
  const batch = deps.batch ?? 8;
  const sliceMs = deps.sliceMs ?? 15_000;
  const workerId = `${jobs.workerId}:rollouts`;
  const now = () => new Date(clock.now());
  async function claim(r: RolloutRow): Promise<ItemRow[]> {
    const t = now();
    const res = await db.query<ItemRow>(
      `UPDATE rollout_items SET lease_by = $2, lease_until = $3
       WHERE id IN (
         SELECT id FROM rollout_items
         WHERE rollout_id = $1 AND wave <= $4 AND state = ANY($5::text[]) AND next_at <= $6
           AND (lease_until IS NULL OR lease_until < $6)
         ORDER BY next_at, id LIMIT $7 FOR UPDATE SKIP LOCKED)
       RETURNING id, rollout_id, appid, state, ext_json, auditid, attempts, intent_at`,
      [r.id, workerId, new Date(t.getTime() + leaseMs), r.current_wave, WORK_STATES, t, batch],
    );
    return res.rows;
  }

  async function nextDue(r: RolloutRow): Promise<number | null> {
    const res = await db.query<{ at: Date | string | null }>(
      `SELECT min(GREATEST(next_at, COALESCE(lease_until, next_at))) AS at FROM rollout_items
       WHERE rollout_id = $1 AND wave <= $2 AND state = ANY($3::text[])`,
      [r.id, r.current_wave, WORK_STATES],
    );
    const at = res.rows[0]?.at;
    return at ? new Date(at).getTime() : null;
  }

  /**
   * Writes the item's new fields while this worker holds it. An intent is written this way
   * before its call: if the lease was lost meanwhile (this instance stalled and another took the
   * item over), nothing is written and the call is not made.
   */
  async function save(item: ItemRow, fields: Record<string, unknown>): Promise<void> {
    const keys = Object.keys(fields);
    const sets = keys.map((k, i) => `${k} = $${i + 3}`).join(', ');
    const at = keys.length + 3;
    const res = await db.query(
      `UPDATE rollout_items SET ${sets}, updated_at = $${at}
       WHERE id = $1 AND lease_by = $2 AND lease_until > $${at} AND state = $${at + 1}`,
      [item.id, workerId, ...keys.map((k) => fields[k]), now(), item.state],
    );
    if (res.rowCount === 0) throw new LeaseLost(item.appid);
    Object.assign(item, fields);
  }

  /** Renews the leases of the items this worker holds, every third of the lease. */
  const held = new Set<string>();
  function heartbeat(): NodeJS.Timeout {
    const beat = setInterval(
      () =>
        void db
          .query(
            `UPDATE rollout_items SET lease_until = $3 WHERE id = ANY($1::bigint[]) AND lease_by = $2`,
            [[...held], workerId, new Date(clock.now() + leaseMs)],
          )
          .catch((err: unknown) => log.warn({ err }, 'rollout lease renewal failed')),
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    beat.unref();
    return beat;
  }

  const { commit, submit, audit, afterPass, release, handleError } = createRolloutSteps({
    db,
    clock,
    code,
    client,
    limiter,
    log,
    save,
    quota: () => code.preflight.recentAuditQuota({ throttle: () => limiter.take() }),
  });

  async function runItem(r: RolloutRow, item: ItemRow): Promise<void> {
    const actor = `rollout:${r.id}`;
    held.add(String(item.id));
    try {
      for (let i = 0; i < 8; i++) {
        let outcome: Outcome;
        switch (item.state) {
          case 'ready':
          case 'committing':
            outcome = await commit(r, item, actor);
            break;
          case 'committed':
          case 'submitting':
            outcome = await submit(r, item, actor);
            break;
          case 'auditing':
            outcome = await audit(item);
            break;
          case 'passed':
            outcome = await afterPass(r, item, actor);
            break;
          case 'releasing':
            outcome = await release(r, item, actor);
            break;
          default:
            outcome = 'wait';
        }
        if (outcome === 'wait') break;
        const fresh = await db.query<{ status: string }>(
          'SELECT status FROM rollouts WHERE id = $1',
          [r.id],
        );
        if (fresh.rows[0]?.status !== 'running') break;
      }
    } catch (err) {
      if (err instanceof LeaseLost) {
        log.warn({ appid: item.appid }, err.message);
        return;
      }
      try {
        await handleError(r, item, err);
      } catch (inner) {
        log.error({ appid: item.appid, err: inner }, 'rollout item error handling failed');
      }
    } finally {
      held.delete(String(item.id));
      await db.query(
        `UPDATE rollout_items SET lease_by = NULL, lease_until = NULL WHERE id = $1 AND lease_by = $2`,
        [item.id, workerId],
      );
    }
  }

  /** A slice of work on one rollout; asks to run again while there is more. */
  async function work(payload: Record<string, unknown>): Promise<void | { rerunAt: Date }> {
    const id = Number(payload['rollout_id']);
    const deadline = clock.now() + sliceMs;
    // Counting a wave costs a scan of its items: done at most once a second while there is work,
    // and always before this job goes idle.
    let checkedAt = -Infinity;
    for (;;) {
      const checked = clock.now() - checkedAt >= 1000;
      const r = checked ? await advanceWaves(db, clock, id) : await findRollout(db, id);
      if (checked) checkedAt = clock.now();
      if (!r || r.status !== 'running') return;
      const items = await claim(r);
      if (items.length === 0) {
        if (!checked) {
          checkedAt = -Infinity;
          continue;
        }
        const due = await nextDue(r);
        const at = Math.min(due ?? Infinity, clock.now() + 30_000);
        return { rerunAt: new Date(Math.max(at, clock.now() + 100)) };
      }
      const beat = heartbeat();
      try {
        await Promise.all(items.map((item) => runItem(r, item)));
      } finally {
        clearInterval(beat);
      }
      if (clock.now() > deadline) return { rerunAt: now() };
    }
  }

  /** An audit result for a mini program that a rollout waits for: take it now. */
  async function onAuditResult(result: AuditResult): Promise<void> {
    const res = await db.query<{ rollout_id: string }>(
      `UPDATE rollout_items SET next_at = $3 WHERE appid = $1 AND state = 'auditing' AND auditid = $2
       RETURNING rollout_id`,
      [result.appid, result.auditid, now()],
    );
    for (const row of res.rows) await jobs.wake(JOB_ROLLOUT_WORK, 'rollout_id', row.rollout_id);
  }

  jobs.register(JOB_ROLLOUT_WORK, work);
  code.audits.onResult(onAuditResult);

  return { work, onAuditResult };
}
