import { fieldRefusal as bad } from '../../core/errors.ts';
import type { Db } from '../../store/db.ts';
import type { CodeHistory } from '../code/code-history.ts';

/**
 * Which mini programs a rollout is for, and in which wave each one goes. A target combines
 * (all must hold): every authorized mini program, or those of some tenants, or a list of appids;
 * and optionally "released version below X". Waves are cumulative percentages ending at 100
 * (e.g. [1, 10, 100]); mini programs are ordered by appid, so a preview and the rollout agree.
 */
export interface RolloutTarget {
  all?: boolean | undefined;
  tenant_ids?: string[] | undefined;
  appids?: string[] | undefined;
  /** Only mini programs whose released version is below this one (e.g. "1.4.0"). */
  released_below?: string | undefined;
  /** With released_below: also those never released through openwx (default false). */
  include_unreleased?: boolean | undefined;
}

export interface TargetApp {
  appid: string;
  tenant_id: string | null;
  released_version: string | null;
}

/** Compares dotted versions part by part, numerically where both parts are numbers. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-+]/);
  const pb = b.split(/[.\-+]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c =
      Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx === ny ? 0 : nx < ny ? -1 : 1;
    if (c !== 0) return c;
  }
  return 0;
}

export function checkTarget(target: RolloutTarget): void {
  const scopes = [target.all === true, !!target.tenant_ids, !!target.appids].filter(Boolean);
  if (scopes.length === 0 && target.released_below === undefined) {
    throw bad(
      'target',
      'the target names no mini programs: give all: true, tenant_ids, appids or released_below',
      { reason: 'target_unscoped' },
    );
  }
  if (target.all === true && (target.tenant_ids || target.appids)) {
    throw bad('target', 'all: true cannot be combined with tenant_ids or appids', {
      reason: 'target_all_combined',
    });
  }
  if (target.released_below !== undefined && !/^\d+(\.\d+)*$/.test(target.released_below)) {
    throw bad('target.released_below', 'released_below must be a version such as 1.4.0', {
      reason: 'version_malformed',
    });
  }
}

export function checkWaves(waves: number[]): void {
  if (waves.length === 0 || waves.length > 10) {
    throw bad('waves', 'give 1 to 10 waves as cumulative percentages, e.g. [1, 10, 100]', {
      reason: 'waves_count',
      max: 10,
    });
  }
  waves.forEach((w, i) => {
    if (!Number.isFinite(w) || w <= 0 || w > 100) {
      throw bad('waves', `wave ${i + 1} is ${w}: each wave is a percentage above 0 and up to 100`, {
        reason: 'wave_out_of_range',
        wave: i + 1,
        percent: w,
      });
    }
    if (i > 0 && w <= (waves[i - 1] as number)) {
      throw bad('waves', 'waves are cumulative: each percentage must be higher than the previous', {
        reason: 'waves_not_rising',
        wave: i + 1,
      });
    }
  });
  if (waves[waves.length - 1] !== 100) {
    throw bad('waves', 'the last wave must be 100 (%)', { reason: 'last_wave_not_100' });
  }
}

/** The wave index of each of `n` mini programs. */
export function assignWaves(n: number, waves: number[]): number[] {
  const bounds = waves.map((p) => Math.min(n, Math.max(1, Math.ceil((p / 100) * n))));
  const out: number[] = [];
  let wave = 0;
  for (let i = 0; i < n; i++) {
    while (i >= (bounds[wave] ?? n)) wave++;
    out.push(wave);
  }
  return out;
}

export async function resolveTargets(
  db: Db,
  history: CodeHistory,
  target: RolloutTarget,
): Promise<TargetApp[]> {
  checkTarget(target);
  const res = await db.query<{ appid: string; tenant_id: string | null }>(
    `SELECT appid, tenant_id FROM authorizers
     WHERE status = 'authorized' AND info ? 'MiniProgramInfo'
       AND ($1::text[] IS NULL OR tenant_id = ANY($1::text[]))
       AND ($2::text[] IS NULL OR appid = ANY($2::text[]))
     ORDER BY appid`,
    [target.tenant_ids ?? null, target.appids ?? null],
  );
  if (target.appids) {
    const found = new Set(res.rows.map((r) => r.appid));
    const missing = target.appids.filter((a) => !found.has(a));
    if (missing.length > 0) {
      throw bad(
        'target.appids',
        `not authorized mini programs: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`,
        {
          reason: 'appids_not_authorized',
          appids: missing.slice(0, 10).join(', '),
          count: missing.length,
        },
      );
    }
  }
  const released = await history.releasedVersions();
  const apps = res.rows.map((r) => ({
    appid: r.appid,
    tenant_id: r.tenant_id,
    released_version: released.get(r.appid)?.user_version ?? null,
  }));
  const below = target.released_below;
  if (below === undefined) return apps;
  return apps.filter((a) =>
    a.released_version === null
      ? target.include_unreleased === true
      : compareVersions(a.released_version, below) < 0,
  );
}
