import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/metrics.ts';
import type { Db, Queryable } from '../../store/db.ts';
import { reasonOf, reasonText } from './reasons.ts';
import { rolloutView, type RolloutRow } from './rollout-view.ts';

/**
 * Steering a rollout: list, items, pause, resume, cancel, retry the failed, release the waiting.
 * Status changes happen in a transaction with the rollout row read first, so a second click
 * gets a clear "it is paused already".
 */
export interface RolloutControlDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  find: (id: number, q?: Queryable) => Promise<RolloutRow>;
  get: (id: number) => Promise<Awaited<ReturnType<typeof rolloutView>>>;
  startWorkers: (id: number) => Promise<void>;
}

export function createRolloutControl(deps: RolloutControlDeps) {
  const { db, clock, log, find, get, startWorkers } = deps;
  const now = () => new Date(clock.now());

  async function setStatus(
    id: number,
    from: string[],
    to: string,
    verb: string,
    extra?: (tx: Queryable, before: RolloutRow) => Promise<void>,
  ) {
    await db.transaction(async (tx) => {
      const r = await find(id, tx);
      if (!from.includes(r.status)) {
        throw new AppError('conflict', `rollout ${id} is ${r.status}; it cannot be ${verb}`, {
          details: { rollout_id: id, params: { reason: 'rollout_state', status: r.status, id } },
        });
      }
      await tx.query(
        `UPDATE rollouts SET status = $2::text, updated_at = $3::timestamptz,
           halted_reason = CASE WHEN $2::text = 'running' THEN NULL ELSE halted_reason END,
           finished_at = CASE WHEN $2::text IN ('cancelled', 'completed') THEN $3::timestamptz END
         WHERE id = $1`,
        [id, to, now()],
      );
      if (extra) await extra(tx, r);
    });
    if (to === 'running') await startWorkers(id);
    log.info({ rollout: id, status: to }, `rollout ${verb}`);
    return get(id);
  }

  return {
    async list(filter: { status?: string; limit?: number; offset?: number } = {}) {
      const res = await db.query<RolloutRow>(
        `SELECT * FROM rollouts WHERE ($1::text IS NULL OR status = $1)
         ORDER BY id DESC LIMIT $2 OFFSET $3`,
        [filter.status ?? null, filter.limit ?? 50, filter.offset ?? 0],
      );
      const total = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM rollouts WHERE ($1::text IS NULL OR status = $1)',
        [filter.status ?? null],
      );
      const items = [];
      for (const r of res.rows) items.push(await rolloutView(db, r, { brief: true }));
      return { items, total: total.rows[0]?.n ?? 0 };
    },

    async items(
      id: number,
      filter: { state?: string; reason?: string; limit?: number; offset?: number } = {},
    ) {
      await find(id);
      const res = await db.query<Record<string, unknown>>(
        `SELECT appid, tenant_id, wave + 1 AS wave, state, auditid, reason, errcode, screenshots,
           attempts, updated_at FROM rollout_items
         WHERE rollout_id = $1 AND ($2::text IS NULL OR state = $2)
           AND ($3::text IS NULL OR reason = $3)
         ORDER BY id LIMIT $4 OFFSET $5`,
        [id, filter.state ?? null, filter.reason ?? null, filter.limit ?? 50, filter.offset ?? 0],
      );
      const total = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM rollout_items WHERE rollout_id = $1
           AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR reason = $3)`,
        [id, filter.state ?? null, filter.reason ?? null],
      );
      return {
        items: res.rows.map((r) => {
          const why = reasonOf(
            (r['reason'] as string | null) ?? null,
            (r['errcode'] as number | null) ?? null,
          );
          return {
            ...r,
            auditid: r['auditid'] === null ? null : Number(r['auditid']),
            updated_at: new Date(r['updated_at'] as string).toISOString(),
            // The reason as a code and params, for the console's words.
            reason_code: why?.code ?? null,
            reason_params: why?.params ?? null,
          };
        }),
        total: total.rows[0]?.n ?? 0,
      };
    },

    pause: (id: number) => setStatus(id, ['running'], 'paused', 'paused'),
    /** Resumes; a rollout halted by failures goes on past the wave that halted it. */
    resume: (id: number) =>
      setStatus(id, ['paused', 'halted'], 'running', 'resumed', async (tx, before) => {
        if (before.status !== 'halted') return;
        await tx.query(
          `UPDATE rollouts SET options = options || jsonb_build_object('accepted_wave', current_wave)
           WHERE id = $1`,
          [id],
        );
      }),
    cancel: (id: number) =>
      setStatus(id, ['running', 'paused', 'halted'], 'cancelled', 'cancelled', async (tx) => {
        await tx.query(
          `UPDATE rollout_items SET state = 'cancelled', reason = $3, updated_at = $2
           WHERE rollout_id = $1 AND state IN ('ready', 'committed', 'passed')`,
          [id, now(), reasonText.cancelled()],
        );
      }),

    /** Puts failed mini programs (all, or those failed for one reason) back at the start. */
    async retry(id: number, reason?: string) {
      const r = await find(id);
      if (r.status === 'cancelled') {
        throw new AppError('conflict', `rollout ${id} is cancelled; start a new one`, {
          details: { rollout_id: id, params: { reason: 'rollout_cancelled', id } },
        });
      }
      const res = await db.query(
        `UPDATE rollout_items SET state = 'ready', reason = NULL, errcode = NULL, screenshots = NULL,
           auditid = NULL, attempts = 0, next_at = $3, updated_at = $3
         WHERE rollout_id = $1 AND state = 'failed' AND ($2::text IS NULL OR reason = $2)`,
        [id, reason ?? null, now()],
      );
      if (res.rowCount === 0) {
        throw new AppError('conflict', 'no failed mini programs to retry', {
          details: { field: 'reason', params: { reason: 'nothing_to_retry' } },
        });
      }
      await db.query(
        `UPDATE rollouts SET status = 'running', halted_reason = NULL, finished_at = NULL, updated_at = $2
         WHERE id = $1`,
        [id, now()],
      );
      await startWorkers(id);
      return { retried: res.rowCount, rollout: await get(id) };
    },

    /** Releases (for everyone) the mini programs waiting for a release or in a phased release. */
    async release(id: number) {
      const r = await find(id);
      if (r.status === 'cancelled') {
        throw new AppError('conflict', `rollout ${id} is cancelled`, {
          details: { rollout_id: id, params: { reason: 'rollout_cancelled', id } },
        });
      }
      const res = await db.query(
        `UPDATE rollout_items SET state = 'releasing', intent_at = NULL, next_at = $2, updated_at = $2
         WHERE rollout_id = $1 AND state IN ('awaiting_release', 'gray')`,
        [id, now()],
      );
      if (res.rowCount === 0) {
        throw new AppError('conflict', 'no mini program of this rollout is waiting for a release', {
          details: { params: { reason: 'nothing_to_release' } },
        });
      }
      await db.query(
        `UPDATE rollouts SET status = 'running', finished_at = NULL, updated_at = $2 WHERE id = $1`,
        [id, now()],
      );
      await startWorkers(id);
      return { releasing: res.rowCount, rollout: await get(id) };
    },
  };
}
