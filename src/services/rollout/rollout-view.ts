import type { Queryable } from '../../store/db.ts';
import { reasonOf } from './reasons.ts';

/** How a rollout looks to its operator: counts per state and per wave, errors grouped. */
export const JOB_ROLLOUT_WORK = 'rollout.work';

export const ITEM_STATES = [
  'ready',
  'committing',
  'committed',
  'submitting',
  'auditing',
  'passed',
  'releasing',
  'released',
  'gray',
  'awaiting_release',
  'failed',
  'cancelled',
] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** States in which a mini program still belongs to its rollout (it cannot join another). */
export const ACTIVE_ITEM_STATES: ItemState[] = [
  'ready',
  'committing',
  'committed',
  'submitting',
  'auditing',
  'passed',
  'releasing',
];
/** States in which a mini program's part in its wave is over. */
export const SETTLED_STATES: ItemState[] = [
  'released',
  'gray',
  'awaiting_release',
  'failed',
  'cancelled',
];

export interface RolloutRow {
  id: string | number;
  status: 'running' | 'paused' | 'completed' | 'halted' | 'cancelled';
  template_id: string | number;
  user_version: string;
  user_desc: string;
  target: Record<string, unknown>;
  options: { auto_release: boolean; gray_percentage: number | null; failure_threshold: number };
  waves: number[];
  current_wave: number;
  halted_reason: string | null;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
}

/** One rollout's row (`forUpdate`: locked until the transaction ends). */
export async function findRollout(
  q: Queryable,
  id: number,
  forUpdate = false,
): Promise<RolloutRow | undefined> {
  const res = await q.query<RolloutRow>(
    `SELECT * FROM rollouts WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return res.rows[0];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function rolloutView(q: Queryable, r: RolloutRow, opts: { brief?: boolean } = {}) {
  const id = Number(r.id);
  const byState = await q.query<{ wave: number; state: ItemState; n: number }>(
    `SELECT wave, state, count(*)::int AS n FROM rollout_items WHERE rollout_id = $1
     GROUP BY wave, state`,
    [id],
  );
  const counts = Object.fromEntries(ITEM_STATES.map((s) => [s, 0])) as Record<ItemState, number>;
  const waves = r.waves.map((percent, i) => ({
    wave: i + 1,
    percent,
    total: 0,
    counts: {} as Partial<Record<ItemState, number>>,
    state:
      i < r.current_wave || r.status === 'completed'
        ? 'done'
        : i === r.current_wave
          ? 'current'
          : 'waiting',
  }));
  let total = 0;
  for (const row of byState.rows) {
    counts[row.state] += row.n;
    total += row.n;
    const w = waves[row.wave];
    if (w) {
      w.total += row.n;
      w.counts[row.state] = (w.counts[row.state] ?? 0) + row.n;
    }
  }
  const halted = reasonOf(r.halted_reason);
  const settled = SETTLED_STATES.reduce((sum, s) => sum + counts[s], 0);
  const view = {
    id,
    status: r.status,
    template_id: Number(r.template_id),
    user_version: r.user_version,
    user_desc: r.user_desc,
    target: r.target,
    options: r.options,
    current_wave: r.current_wave + 1,
    halted_reason: r.halted_reason,
    /** `halted_reason` as a code and params, for the console's words. */
    halted_code: halted?.code ?? null,
    halted_params: halted?.params ?? null,
    total,
    counts,
    progress: total === 0 ? 0 : Math.round((settled / total) * 1000) / 10,
    created_by: r.created_by,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    finished_at: iso(r.finished_at),
  };
  if (opts.brief) return { ...view, waves, errors: [] };
  const errors = await q.query<{
    reason: string | null;
    errcode: number | null;
    n: number;
    appids: string[];
  }>(
    `SELECT reason, errcode, count(*)::int AS n, (array_agg(appid ORDER BY id))[1:5] AS appids
     FROM rollout_items WHERE rollout_id = $1 AND state = 'failed'
     GROUP BY reason, errcode ORDER BY n DESC, reason LIMIT 50`,
    [id],
  );
  return {
    ...view,
    waves,
    errors: errors.rows.map((e) => ({
      reason: e.reason ?? 'unknown',
      ...(reasonOf(e.reason, e.errcode) ?? { code: 'unknown' as const, params: {} }),
      errcode: e.errcode,
      count: e.n,
      sample_appids: e.appids,
    })),
  };
}
