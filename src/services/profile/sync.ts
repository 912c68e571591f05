import type { Clock } from '../../core/clock.ts';
import { AppError, errorMessage, errorReason } from '../../core/errors.ts';
import { createAuthorizerQueries } from '../../store/queries/authorizers.ts';
import { createDriftQueries } from '../../store/queries/drift.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import type { EndpointName } from '../../wechat/endpoints/index.ts';
import { isWechatApiError } from '../../wechat/errors.ts';
import { filteredDomains, type FilteredDomains } from '../mp-settings.ts';
import { interfaceState } from '../privacy/interfaces.ts';
import { SERVER_KINDS, WX_FIELD, type PrivacyInterfaceSpec, type ProfileSpec } from './spec.ts';
import type { Profile, ProfileService } from './profiles.ts';

/**
 * Drift between a mini program's actual configuration on WeChat and its profile, and the calls
 * that remove it. Reference: ../shared/wechat/02 §2.1–2.2, §5.4–5.6.
 */
export const JOB_APPLY_PROFILE = 'profile.apply';

export interface PlannedCall {
  endpoint: EndpointName;
  body: Record<string, unknown>;
}
export interface Difference {
  area:
    | 'server_domains'
    | 'webview_domains'
    | 'categories'
    | 'privacy'
    | 'privacy_interfaces'
    | 'basic_info';
  field: string;
  expected: unknown;
  actual: unknown;
}
export interface CallResult extends PlannedCall {
  ok: boolean;
  errcode?: number;
  errmsg?: string;
  message?: string;
  /** modify_domain: the domains WeChat dropped while applying the rest (see mp-settings.ts). */
  filtered?: FilteredDomains;
}

const sameSet = (a: readonly unknown[], b: readonly unknown[]): boolean => {
  const key = (v: unknown) => JSON.stringify(v);
  const sa = new Set(a.map(key));
  return sa.size === new Set(b.map(key)).size && b.every((v) => sa.has(key(v)));
};

/** How often each mini program's drift is checked, and how a check is claimed. */
export const DRIFT_CHECK = {
  everyMs: 6 * 3600_000,
  /** ± this share of everyMs, so checks made together drift apart. */
  jitter: 0.1,
  /** After a failed check (WeChat busy, a token missing). */
  retryMs: 30 * 60_000,
  leaseMs: 10 * 60_000,
  batch: 20,
  /** Per run; the rest wait for the next run (every 30 s). */
  maxBatches: 25,
};

export type ProfileSync = ReturnType<typeof createProfileSync>;

export function createProfileSync(deps: {
  db: Db;
  client: WechatClient;
  jobs: JobQueue;
  profiles: ProfileService;
  clock: Clock;
  log?: Logger;
  schedule?: Partial<typeof DRIFT_CHECK>;
}) {
  const { client, db, profiles } = deps;
  const log = deps.log ?? silentLogger;
  const q = createDriftQueries(db);
  const now = () => new Date(deps.clock.now());
  const schedule = { ...DRIFT_CHECK, ...deps.schedule };

  async function miniProgram(appid: string): Promise<{ tenant_id: string | null }> {
    const row = await q.authorizer(appid);
    if (!row || row.status !== 'authorized') {
      throw new AppError('not_found', `authorizer ${appid} not found`, {
        details: { params: { reason: 'authorizer', appid } },
      });
    }
    if (!row.mp) {
      throw new AppError('bad_request', `${appid} is not a mini program`, {
        details: { params: { reason: 'not_mini_program', appid } },
      });
    }
    return row;
  }

  async function profileFor(appid: string): Promise<Profile> {
    const { tenant_id } = await miniProgram(appid);
    const p = await profiles.forTenant(tenant_id);
    if (!p) {
      throw new AppError('not_found', 'no profile applies: create a default profile first', {
        details: { params: { reason: 'no_profile_applies', appid } },
      });
    }
    return p;
  }

  async function plan(appid: string, spec: ProfileSpec) {
    const differences: Difference[] = [];
    const calls: PlannedCall[] = [];
    const opts = { appid };
    if (spec.server_domains) {
      const actual = await client.call('modify_domain', { action: 'get' }, opts);
      const body: Record<string, unknown> = { action: 'set' };
      let differs = false;
      for (const kind of SERVER_KINDS) {
        const expected = spec.server_domains[kind] ?? [];
        const current = (actual as Record<string, string[] | undefined>)[WX_FIELD[kind]] ?? [];
        body[WX_FIELD[kind]] = expected;
        if (!sameSet(expected, current)) {
          differs = true;
          differences.push({ area: 'server_domains', field: kind, expected, actual: current });
        }
      }
      if (differs) calls.push({ endpoint: 'modify_domain', body });
    }
    if (spec.webview_domains) {
      const actual = await client.call('setwebviewdomain', { action: 'get' }, opts);
      const current = actual.webviewdomain ?? [];
      if (!sameSet(spec.webview_domains, current)) {
        const expected = spec.webview_domains;
        differences.push({ area: 'webview_domains', field: 'webview', expected, actual: current });
        calls.push({
          endpoint: 'setwebviewdomain',
          body: { action: 'set', webviewdomain: expected },
        });
      }
    }
    if (spec.categories) {
      const actual = await client.call('getcategory', {}, opts);
      const current = actual.categories.map((c) => ({ first: c.first, second: c.second }));
      const has = (l: typeof current, c: { first: number; second: number }) =>
        l.some((x) => x.first === c.first && x.second === c.second);
      const missing = spec.categories.filter((c) => !has(current, c));
      const extra = current.filter((c) => !has(spec.categories ?? [], c));
      if (missing.length || extra.length) {
        const expected = spec.categories;
        differences.push({ area: 'categories', field: 'categories', expected, actual: current });
      }
      for (const c of extra) calls.push({ endpoint: 'deletecategory', body: { ...c } });
      if (missing.length) calls.push({ endpoint: 'addcategory', body: { categories: missing } });
    }
    if (spec.privacy) {
      const actual = await client.call('getprivacysetting', { privacy_ver: 2 }, opts);
      const owner = (actual.owner_setting ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(spec.privacy.owner_setting)) {
        if ((owner[k] ?? '') !== v) {
          differences.push({
            area: 'privacy',
            field: `owner_setting.${k}`,
            expected: v,
            actual: owner[k] ?? null,
          });
        }
      }
      const current = actual.setting_list
        .filter((s) => s.privacy_text !== '')
        .map((s) => ({ privacy_key: s.privacy_key, privacy_text: s.privacy_text }));
      if (!sameSet(spec.privacy.setting_list, current)) {
        const expected = spec.privacy.setting_list;
        differences.push({ area: 'privacy', field: 'setting_list', expected, actual: current });
      }
      if (differences.some((d) => d.area === 'privacy')) {
        calls.push({
          endpoint: 'setprivacysetting',
          body: {
            privacy_ver: 2,
            owner_setting: spec.privacy.owner_setting,
            setting_list: spec.privacy.setting_list,
          },
        });
      }
    }
    if (spec.privacy_interfaces?.length) {
      await planInterfaces(appid, spec.privacy_interfaces, differences, calls);
    }
    const signature = spec.basic_info?.signature;
    if (signature !== undefined) {
      const actual = await client.call('getaccountbasicinfo', {}, opts);
      const current = actual.signature_info?.signature ?? '';
      if (current !== signature) {
        differences.push({
          area: 'basic_info',
          field: 'signature',
          expected: signature,
          actual: current,
        });
        calls.push({ endpoint: 'modifysignature', body: { signature } });
      }
    }
    return { differences, calls };
  }

  /**
   * Every listed privacy interface must be approved (get_privacy_interface status 5). One not
   * applied for, rejected or without permission is applied for again with the profile's reason;
   * one WeChat is still deciding (status 3) is a difference without a call: applying twice is
   * refused while an application is pending (doc applyPrivacyInterface).
   */
  async function planInterfaces(
    appid: string,
    wanted: PrivacyInterfaceSpec[],
    differences: Difference[],
    calls: PlannedCall[],
  ): Promise<void> {
    const actual = await client.call('get_privacy_interface', {}, { appid });
    const list = actual.interface_list ?? [];
    for (const want of wanted) {
      const status = list.find((i) => i.api_name === want.api_name)?.status;
      if (status === 5) continue;
      const state = interfaceState(status);
      differences.push({
        area: 'privacy_interfaces',
        field: want.api_name,
        expected: 'approved',
        actual: state,
      });
      if (status === 3) continue;
      calls.push({
        endpoint: 'apply_privacy_interface',
        body: {
          api_name: want.api_name,
          content: want.content.trim(),
          ...(want.url_list?.length ? { url_list: want.url_list } : {}),
          ...(want.pic_list?.length ? { pic_list: want.pic_list } : {}),
          ...(want.video_list?.length ? { video_list: want.video_list } : {}),
        },
      });
    }
  }

  async function runCall(appid: string, c: PlannedCall): Promise<CallResult> {
    try {
      const answer = await (
        client.call as (n: string, b: unknown, o: unknown) => Promise<Record<string, unknown>>
      )(c.endpoint, c.body, { appid });
      const filtered = c.endpoint === 'modify_domain' ? filteredDomains(answer) : undefined;
      return { ...c, ok: true, ...(filtered ? { filtered } : {}) };
    } catch (err) {
      if (isWechatApiError(err)) {
        return { ...c, ok: false, errcode: err.errcode, errmsg: err.errmsg, message: err.message };
      }
      return { ...c, ok: false, message: errorMessage(err) };
    }
  }

  async function drift(appid: string) {
    const profile = await profileFor(appid);
    const { differences, calls } = await plan(appid, profile);
    return { appid, profile_id: profile.id, in_sync: differences.length === 0, differences, calls };
  }

  async function apply(appid: string, dryRun = false) {
    const d = await drift(appid);
    if (dryRun) return { ...d, dry_run: true, ok: true, results: [] as CallResult[] };
    const results: CallResult[] = [];
    for (const c of d.calls) results.push(await runCall(appid, c));
    const ok = results.every((r) => r.ok);
    // The drift record of the list (a drift found by the scheduled check is gone once applied).
    if (ok && (d.calls.length > 0 || (await q.drifted([appid])).has(appid))) {
      await createAuthorizerQueries(db).addHistory(
        appid,
        'profile_applied',
        { profile_id: d.profile_id, calls: d.calls.length },
        now(),
      );
    }
    return { ...d, dry_run: false, ok, results };
  }

  async function applyMany(
    filter: { tenant_id?: string; appids?: string[]; all?: boolean },
    dryRun = false,
  ) {
    if (!filter.all && !filter.tenant_id && !filter.appids?.length) {
      throw new AppError('bad_request', 'give filter.tenant_id, filter.appids or filter.all', {
        details: { field: 'filter', params: { reason: 'filter_empty', field: 'filter' } },
      });
    }
    const appids = await q.miniPrograms({
      ...(filter.tenant_id ? { tenant_id: filter.tenant_id } : {}),
      ...(filter.appids ? { appids: filter.appids } : {}),
    });
    const results = [];
    for (const appid of appids) {
      try {
        results.push(await apply(appid, dryRun));
      } catch (err) {
        results.push({ appid, ok: false, error: errorMessage(err), ...errorReason(err) });
      }
    }
    return { dry_run: dryRun, results };
  }

  deps.jobs.register(JOB_APPLY_PROFILE, async (payload) => {
    const appid = String(payload['appid']);
    if (!(await profiles.forTenant((await miniProgram(appid)).tenant_id))) return;
    const r = await apply(appid);
    if (!r.ok) log.warn({ appid, results: r.results }, 'profile applied with errors');
  });

  /**
   * Checks one mini program and records in its history when it drifted from its profile or
   * came back in line (applying stays the operator's decision). Answers whether it drifted.
   */
  async function checkOne(appid: string, wasDrifted: boolean): Promise<boolean> {
    const d = await drift(appid);
    const history = createAuthorizerQueries(db);
    if (d.in_sync) {
      if (wasDrifted) {
        await history.addHistory(appid, 'drift_cleared', { profile_id: d.profile_id }, now());
      }
      return false;
    }
    await history.addHistory(
      appid,
      'drift_detected',
      { profile_id: d.profile_id, differences: d.differences },
      now(),
    );
    return true;
  }

  /**
   * The scheduled check, claimed per mini program: every instance takes small batches of due
   * mini programs (FOR UPDATE SKIP LOCKED), checks them and schedules the next check one interval
   * later (with jitter, so checks stay spread), or sooner after a failure. A claim holds for
   * `leaseMs`: an instance that dies mid-batch delays its claimed checks by that much only.
   */
  async function checkDue(): Promise<{ checked: number; drifted: string[]; failed: number }> {
    const drifted: string[] = [];
    let checked = 0;
    let failed = 0;
    for (let batch = 0; batch < schedule.maxBatches; batch++) {
      const t = deps.clock.now();
      const claimed = await q.claimDue(new Date(t), new Date(t + schedule.leaseMs), schedule.batch);
      if (claimed.length === 0) break;
      const wasDrifted = await q.drifted(claimed);
      for (const appid of claimed) {
        const jitter = (Math.random() * 2 - 1) * schedule.jitter * schedule.everyMs;
        try {
          if (await checkOne(appid, wasDrifted.has(appid))) drifted.push(appid);
          checked++;
          await q.scheduleNext(appid, new Date(deps.clock.now() + schedule.everyMs + jitter));
        } catch (err) {
          failed++;
          log.warn({ appid, err }, 'drift check failed');
          await q.scheduleNext(appid, new Date(deps.clock.now() + schedule.retryMs));
        }
      }
    }
    return { checked, drifted, failed };
  }

  return {
    drift,
    apply,
    applyMany,
    checkDue,
    runCall,
    /** After an authorization: apply the profile to a mini program in the background. */
    async authorized(appid: string): Promise<void> {
      if (!(await q.authorizer(appid))?.mp) return;
      await deps.jobs.enqueue(JOB_APPLY_PROFILE, { appid }, { singletonKey: `profile:${appid}` });
    },
  };
}
