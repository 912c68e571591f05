import type { Clock } from '../../core/clock.ts';
import { AppError, errorMessage } from '../../core/errors.ts';
import { createAuthorizerQueries } from '../../store/queries/authorizers.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import type { EndpointName } from '../../wechat/endpoints/index.ts';
import { isWechatApiError } from '../../wechat/errors.ts';
import { INTERFACE_STATES } from '../privacy/service.ts';
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
}

const sameSet = (a: readonly unknown[], b: readonly unknown[]): boolean => {
  const key = (v: unknown) => JSON.stringify(v);
  const sa = new Set(a.map(key));
  return sa.size === new Set(b.map(key)).size && b.every((v) => sa.has(key(v)));
};

export type ProfileSync = ReturnType<typeof createProfileSync>;

export function createProfileSync(deps: {
  db: Db;
  client: WechatClient;
  jobs: JobQueue;
  profiles: ProfileService;
  clock: Clock;
  log?: Logger;
}) {
  const { client, db, profiles } = deps;
  const log = deps.log ?? silentLogger;

  async function miniProgram(appid: string): Promise<{ tenant_id: string | null }> {
    const res = await db.query<{ tenant_id: string | null; mp: boolean; status: string }>(
      `SELECT tenant_id, status, coalesce(info ? 'MiniProgramInfo', false) AS mp
       FROM authorizers WHERE appid = $1`,
      [appid],
    );
    const row = res.rows[0];
    if (!row || row.status !== 'authorized') {
      throw new AppError('not_found', `authorizer ${appid} not found`);
    }
    if (!row.mp) throw new AppError('bad_request', `${appid} is not a mini program`);
    return row;
  }

  async function profileFor(appid: string): Promise<Profile> {
    const { tenant_id } = await miniProgram(appid);
    const p = await profiles.forTenant(tenant_id);
    if (!p) throw new AppError('not_found', 'no profile applies: create a default profile first');
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
      const state =
        status === undefined ? 'not_applied' : (INTERFACE_STATES[status] ?? `status_${status}`);
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

  /** The mini programs whose latest drift record says they drifted (see DRIFT_ACTIONS). */
  async function driftedAppids(only?: string): Promise<Set<string>> {
    const res = await db.query<{ appid: string; action: string }>(
      `SELECT DISTINCT ON (appid) appid, action FROM authorizer_history
       WHERE action IN ('drift_detected', 'drift_cleared', 'profile_applied')
         AND ($1::text IS NULL OR appid = $1)
       ORDER BY appid, id DESC`,
      [only ?? null],
    );
    return new Set(res.rows.filter((r) => r.action === 'drift_detected').map((r) => r.appid));
  }

  async function runCall(appid: string, c: PlannedCall): Promise<CallResult> {
    try {
      await (client.call as (n: string, b: unknown, o: unknown) => Promise<unknown>)(
        c.endpoint,
        c.body,
        { appid },
      );
      return { ...c, ok: true };
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
    if (ok && (d.calls.length > 0 || (await driftedAppids(appid)).has(appid))) {
      await createAuthorizerQueries(db).addHistory(
        appid,
        'profile_applied',
        { profile_id: d.profile_id, calls: d.calls.length },
        new Date(deps.clock.now()),
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
        details: { field: 'filter' },
      });
    }
    const res = await db.query<{ appid: string }>(
      `SELECT appid FROM authorizers WHERE status = 'authorized' AND info ? 'MiniProgramInfo'
         AND ($1::text IS NULL OR tenant_id = $1)
         AND ($2::text[] IS NULL OR appid = ANY($2))
       ORDER BY appid`,
      [filter.tenant_id ?? null, filter.appids?.length ? filter.appids : null],
    );
    const results = [];
    for (const { appid } of res.rows) {
      try {
        results.push(await apply(appid, dryRun));
      } catch (err) {
        results.push({ appid, ok: false, error: errorMessage(err) });
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
   * The scheduled check: reads every authorized mini program's actual state and records in its
   * history when it has drifted from its profile (applying stays the operator's decision).
   */
  async function checkAll(): Promise<{ checked: number; drifted: string[] }> {
    const res = await db.query<{ appid: string }>(
      `SELECT appid FROM authorizers WHERE status = 'authorized' AND info ? 'MiniProgramInfo' ORDER BY appid`,
    );
    const drifted: string[] = [];
    const wasDrifted = await driftedAppids();
    let checked = 0;
    for (const { appid } of res.rows) {
      try {
        const d = await drift(appid);
        checked++;
        if (d.in_sync) {
          if (wasDrifted.has(appid)) {
            await createAuthorizerQueries(db).addHistory(
              appid,
              'drift_cleared',
              { profile_id: d.profile_id },
              new Date(deps.clock.now()),
            );
          }
          continue;
        }
        drifted.push(appid);
        await createAuthorizerQueries(db).addHistory(
          appid,
          'drift_detected',
          { profile_id: d.profile_id, differences: d.differences },
          new Date(deps.clock.now()),
        );
      } catch (err) {
        log.warn({ appid, err }, 'drift check failed');
      }
    }
    return { checked, drifted };
  }

  return {
    drift,
    apply,
    applyMany,
    checkAll,
    runCall,
    /** After an authorization: apply the profile to a mini program in the background. */
    async authorized(appid: string): Promise<void> {
      const res = await db.query<{ mp: boolean }>(
        `SELECT coalesce(info ? 'MiniProgramInfo', false) AS mp FROM authorizers WHERE appid = $1`,
        [appid],
      );
      if (!res.rows[0]?.mp) return;
      await deps.jobs.enqueue(JOB_APPLY_PROFILE, { appid }, { singletonKey: `profile:${appid}` });
    },
  };
}
