import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../store/db.ts';
import { reasonText } from './reasons.ts';
import { findRollout, SETTLED_STATES, type RolloutRow } from './rollout-view.ts';

/**
 * Moves a running rollout to its next wave when every mini program of the current wave is
 * settled (released, in a phased release, waiting for a release by hand, failed or cancelled),
 * halts it as soon as the wave's failures exceed the threshold (unless the operator resumed it
 * past that wave), and completes it after the last wave. One transaction with the rollout row
 * locked, so instances agree.
 */
export async function advanceWaves(
  db: Db,
  clock: Clock,
  id: number,
): Promise<RolloutRow | undefined> {
  return db.transaction(async (tx) => {
    const r = await findRollout(tx, id, true);
    if (!r || r.status !== 'running') return r;
    const t = new Date(clock.now());
    for (;;) {
      const c = await tx.query<{ total: number; settled: number; failed: number }>(
        `SELECT count(*)::int AS total,
           count(*) FILTER (WHERE state = ANY($3::text[]))::int AS settled,
           count(*) FILTER (WHERE state = 'failed')::int AS failed
         FROM rollout_items WHERE rollout_id = $1 AND wave = $2`,
        [id, r.current_wave, SETTLED_STATES],
      );
      const { total = 0, settled = 0, failed = 0 } = c.rows[0] ?? {};
      const threshold = r.options.failure_threshold;
      const overridden = (r.options as { accepted_wave?: number }).accepted_wave === r.current_wave;
      if (!overridden && failed > 0 && failed * 100 > threshold * total) {
        const reason = reasonText.waveFailures({
          wave: r.current_wave + 1,
          failed,
          total,
          threshold,
        });
        await tx.query(
          `UPDATE rollouts SET status = 'halted', halted_reason = $2, updated_at = $3 WHERE id = $1`,
          [id, reason, t],
        );
        return { ...r, status: 'halted', halted_reason: reason };
      }
      if (settled < total) return r;
      if (r.current_wave < r.waves.length - 1) {
        r.current_wave++;
        await tx.query('UPDATE rollouts SET current_wave = $2, updated_at = $3 WHERE id = $1', [
          id,
          r.current_wave,
          t,
        ]);
        await tx.query(
          'UPDATE rollout_items SET next_at = $3 WHERE rollout_id = $1 AND wave = $2',
          [id, r.current_wave, t],
        );
        continue;
      }
      await tx.query(
        `UPDATE rollouts SET status = 'completed', finished_at = $2, updated_at = $2 WHERE id = $1`,
        [id, t],
      );
      return { ...r, status: 'completed' };
    }
  });
}
