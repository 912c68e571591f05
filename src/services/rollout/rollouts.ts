import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Db, Queryable } from '../../store/db.ts';
import type { CodePipeline } from '../code/code-pipeline.ts';
import type { AuditQuota } from '../code/code-preflight.ts';
import { renderExtJson } from '../code/code-render.ts';
import { createRolloutControl } from './rollout-control.ts';
import { deployForTenant } from './rollout-deploy.ts';
import {
  assignWaves,
  checkWaves,
  resolveTargets,
  type RolloutTarget,
  type TargetApp,
} from './rollout-targets.ts';
import {
  ACTIVE_ITEM_STATES,
  JOB_ROLLOUT_WORK,
  findRollout,
  rolloutView,
  type RolloutRow,
} from './rollout-view.ts';

/**
 * Fleet rollouts: one template onto many mini programs, each with its own ext_json, in waves,
 * through WeChat's audit. This module creates, previews, shows and steers rollouts; the work is
 * done by rollout-worker.ts in jobs spread over every instance.
 */
export interface RolloutOptions {
  /** Release each mini program as soon as its audit passes (default true). */
  auto_release?: boolean | undefined;
  /** Release to this share of users first (grayrelease) instead of everyone. */
  gray_percentage?: number | null | undefined;
  /** Halt when more than this percentage of a wave failed. */
  failure_threshold?: number | undefined;
}

export interface RolloutInput {
  template_id?: number | undefined;
  user_version?: string | undefined;
  user_desc?: string | undefined;
  ext?: Record<string, unknown> | undefined;
  ext_json?: string | undefined;
  target: RolloutTarget;
  waves?: number[] | undefined;
  options?: RolloutOptions | undefined;
}

export interface RolloutsDeps {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  code: CodePipeline;
  workers: number;
  failureThreshold: number;
  tenantSelfUpgrade: boolean;
  log?: Logger;
}

interface Planned {
  template: { template_id: number; user_version: string; user_desc: string };
  user_version: string;
  user_desc: string;
  waves: number[];
  options: Required<Pick<RolloutOptions, 'auto_release' | 'failure_threshold'>> & {
    gray_percentage: number | null;
  };
  apps: Array<TargetApp & { wave: number; ext_json: string }>;
}

export type Rollouts = ReturnType<typeof createRollouts>;

const fmt = (n: number) => n.toLocaleString('en-US');

export function createRollouts(deps: RolloutsDeps) {
  const { db, clock, jobs, code } = deps;
  const log = deps.log ?? silentLogger;
  const now = () => new Date(clock.now());

  /** Everything a rollout would do, checked, without writing anything. */
  async function plan(input: RolloutInput): Promise<Planned> {
    const template = await code.resolveTemplate(input.template_id);
    const waves = input.waves ?? [100];
    checkWaves(waves);
    const apps = await resolveTargets(db, code.history, input.target);
    if (apps.length === 0) {
      throw new AppError('bad_request', 'the target matches no authorized mini program', {
        details: { field: 'target', params: { reason: 'target_empty' } },
      });
    }
    const tenants = new Map<string, { id: string; name: string; ext: Record<string, unknown> }>();
    const ids = [...new Set(apps.map((a) => a.tenant_id).filter((t): t is string => !!t))];
    if (ids.length > 0) {
      const res = await db.query<{ id: string; name: string; ext: Record<string, unknown> }>(
        'SELECT id, name, ext FROM tenants WHERE id = ANY($1::text[])',
        [ids],
      );
      for (const t of res.rows) tenants.set(t.id, t);
    }
    const waveOf = assignWaves(apps.length, waves);
    const ext = { ext: input.ext, ext_json: input.ext_json };
    const rendered = apps.map((a, i) => {
      const t = a.tenant_id ? tenants.get(a.tenant_id) : undefined;
      const tenant = { id: t?.id ?? null, name: t?.name ?? null, ext: t?.ext ?? {} };
      try {
        return { ...a, wave: waveOf[i] ?? 0, ext_json: renderExtJson(a.appid, tenant, ext) };
      } catch (err) {
        if (err instanceof AppError) {
          // The refusal of this mini program's ext_json, its reason kept, the mini program named.
          const inner = err.details?.['params'] as { reason?: string } | undefined;
          throw new AppError('bad_request', `${a.appid}: ${err.message}`, {
            details: {
              ...err.details,
              params: { ...inner, reason: inner?.reason ?? 'ext_invalid', appid: a.appid },
            },
          });
        }
        throw err;
      }
    });
    const threshold = input.options?.failure_threshold ?? deps.failureThreshold;
    return {
      template,
      user_version: input.user_version ?? template.user_version,
      user_desc: input.user_desc ?? template.user_desc,
      waves,
      options: {
        auto_release: input.options?.auto_release ?? true,
        gray_percentage: input.options?.gray_percentage ?? null,
        failure_threshold: threshold,
      },
      apps: rendered,
    };
  }

  async function quotaEstimate(needed: number) {
    const quota: AuditQuota | null = await code.preflight.auditQuota();
    const enough = quota !== null && quota.rest >= needed;
    const message =
      quota === null
        ? `this rollout needs ${fmt(needed)} audits; the monthly quota could not be read`
        : `this rollout needs ${fmt(needed)} audits, ${fmt(quota.rest)} remain this month`;
    // The same in code and params, for the console's words.
    const reason: 'audit_quota_unknown' | 'audit_quota_enough' | 'audit_quota_short' =
      quota === null ? 'audit_quota_unknown' : enough ? 'audit_quota_enough' : 'audit_quota_short';
    const params = { needed, remaining: quota?.rest ?? '', limit: quota?.limit ?? '' };
    return {
      needed,
      remaining: quota?.rest ?? null,
      limit: quota?.limit ?? null,
      enough,
      message,
      code: reason,
      params,
    };
  }

  /** Active rollouts that already hold some of these mini programs. */
  async function overlapping(q: Queryable, appids: string[]) {
    const res = await q.query<{ rollout_id: string; n: number }>(
      `SELECT i.rollout_id, count(*)::int AS n FROM rollout_items i
       JOIN rollouts r ON r.id = i.rollout_id
       WHERE r.status IN ('running', 'paused', 'halted') AND i.appid = ANY($1::text[])
         AND i.state = ANY($2::text[])
       GROUP BY i.rollout_id ORDER BY i.rollout_id`,
      [appids, ACTIVE_ITEM_STATES],
    );
    return res.rows.map((r) => ({ rollout_id: Number(r.rollout_id), mini_programs: r.n }));
  }

  /** The rollout's jobs (one per slot; an existing one is kept), woken unless `wake` is false. */
  async function startWorkers(id: number, q?: Queryable, wake = true): Promise<void> {
    for (let slot = 0; slot < deps.workers; slot++) {
      await jobs.enqueue(
        JOB_ROLLOUT_WORK,
        { rollout_id: String(id), slot },
        { singletonKey: `rollout:${id}:${slot}`, maxAttempts: 20, ...(q ? { tx: q } : {}) },
      );
    }
    if (q || !wake) return;
    await jobs.wake(JOB_ROLLOUT_WORK, 'rollout_id', String(id));
  }

  async function find(id: number, q: Queryable = db): Promise<RolloutRow> {
    const row = await findRollout(q, id);
    if (!row) {
      throw new AppError('not_found', `rollout ${id} not found`, {
        details: { params: { reason: 'rollout', id } },
      });
    }
    return row;
  }

  async function create(input: RolloutInput, actor: string) {
    const p = await plan(input);
    const quota = await quotaEstimate(p.apps.length);
    if (quota.remaining !== null && !quota.enough) {
      throw new AppError('quota_exhausted', `not enough audit quota: ${quota.message}`, {
        details: { field: 'target', params: { reason: 'audit_quota_short', ...quota.params } },
      });
    }
    const id = await db.transaction(async (tx) => {
      // One creation at a time, so that two identical requests cannot both pass the overlap check.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('openwx.rollouts.create'))`);
      const clash = await overlapping(
        tx,
        p.apps.map((a) => a.appid),
      );
      if (clash.length > 0) {
        const first = clash[0] as { rollout_id: number; mini_programs: number };
        throw new AppError(
          'conflict',
          `${first.mini_programs} of these mini programs are already in rollout ${first.rollout_id}, which is still active; cancel it or wait for it to finish`,
          {
            details: {
              rollout_id: first.rollout_id,
              field: 'target',
              params: {
                reason: 'in_active_rollout',
                count: first.mini_programs,
                rollout_id: first.rollout_id,
              },
            },
          },
        );
      }
      const t = now();
      const res = await tx.query<{ id: string }>(
        `INSERT INTO rollouts (status, template_id, user_version, user_desc, target, options, waves,
           created_by, created_at, updated_at)
         VALUES ('running', $1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
        [
          p.template.template_id,
          p.user_version,
          p.user_desc,
          input.target,
          p.options,
          JSON.stringify(p.waves),
          actor,
          t,
        ],
      );
      const rid = Number(res.rows[0]?.id);
      for (let i = 0; i < p.apps.length; i += 1000) {
        const chunk = p.apps.slice(i, i + 1000);
        await tx.query(
          `INSERT INTO rollout_items (rollout_id, appid, tenant_id, wave, state, ext_json, next_at, updated_at)
           SELECT $1, a, t, w, 'ready', e, $6, $6
           FROM unnest($2::text[], $3::text[], $4::int[], $5::text[]) AS u(a, t, w, e)`,
          [
            rid,
            chunk.map((a) => a.appid),
            chunk.map((a) => a.tenant_id),
            chunk.map((a) => a.wave),
            chunk.map((a) => a.ext_json),
            t,
          ],
        );
      }
      await startWorkers(rid, tx);
      return rid;
    });
    jobs.kick();
    log.info({ rollout: id, apps: p.apps.length, actor }, 'rollout started');
    return get(id);
  }

  async function get(id: number) {
    return rolloutView(db, await find(id));
  }

  return {
    plan,
    create,
    get,
    find,
    startWorkers,
    /** Gives every running rollout its jobs again, should any have died (the scheduler calls it). */
    async ensureWorkers(): Promise<number> {
      const res = await db.query<{ id: string }>(
        `SELECT id FROM rollouts WHERE status = 'running'`,
      );
      for (const r of res.rows) await startWorkers(Number(r.id), undefined, false);
      return res.rows.length;
    },
    ...createRolloutControl({ db, clock, log, find, get, startWorkers }),
    /** A tenant's own deployment (see rollout-deploy.ts). */
    deployForTenant: (
      tenant: { id: string; self_upgrade: boolean | null },
      input: { appid: string; template_id?: number },
    ) => deployForTenant({ db, selfUpgradeDefault: deps.tenantSelfUpgrade, create }, tenant, input),

    /** What the rollout would send, per mini program, with the pre-flight of each shown one. */
    async preview(input: RolloutInput, page: { offset?: number; limit?: number } = {}) {
      const p = await plan(input);
      const offset = page.offset ?? 0;
      const limit = page.limit ?? 20;
      const quota = await quotaEstimate(p.apps.length);
      const shown = p.apps.slice(offset, offset + limit);
      const quotaNow =
        quota.remaining === null
          ? null
          : {
              rest: quota.remaining,
              limit: quota.limit ?? 0,
              speedup_rest: null,
              speedup_limit: null,
            };
      const items = [];
      for (const a of shown) {
        const pf = await code.preflight.check(a.appid, { quota: quotaNow });
        items.push({
          appid: a.appid,
          tenant_id: a.tenant_id,
          released_version: a.released_version,
          wave: a.wave + 1,
          commit: {
            template_id: p.template.template_id,
            user_version: p.user_version,
            user_desc: p.user_desc,
            ext_json: a.ext_json,
          },
          preflight: { ok: pf.ok, checks: pf.checks, item_list: pf.item_list },
        });
      }
      const clash = await overlapping(
        db,
        p.apps.map((a) => a.appid),
      );
      const warnings: string[] = [];
      /** `warnings` again, each with its stable code and params (same order). */
      const warningReasons: Array<{
        code: 'audit_quota_short' | 'in_active_rollout';
        params: Record<string, string | number>;
        message: string;
      }> = [];
      const warn = (w: (typeof warningReasons)[number]) => {
        warnings.push(w.message);
        warningReasons.push(w);
      };
      if (!quota.enough) {
        warn({
          code: 'audit_quota_short',
          params: quota.params,
          message: `not enough audit quota: ${quota.message}`,
        });
      }
      for (const c of clash) {
        warn({
          code: 'in_active_rollout',
          params: { count: c.mini_programs, rollout_id: c.rollout_id },
          message: `${c.mini_programs} of these mini programs are in active rollout ${c.rollout_id}`,
        });
      }
      return {
        template_id: p.template.template_id,
        user_version: p.user_version,
        user_desc: p.user_desc,
        total: p.apps.length,
        waves: p.waves.map((percent, i) => ({
          wave: i + 1,
          percent,
          mini_programs: p.apps.filter((a) => a.wave === i).length,
        })),
        options: p.options,
        quota,
        warnings,
        warning_reasons: warningReasons,
        offset,
        limit,
        items,
      };
    },
  };
}
