import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { WechatApiError } from '../../wechat/errors.ts';
import { auditInFlight, type CodeHistory } from './code-history.ts';

/**
 * What must hold before a mini program is submitted for audit: it is an authorized mini program,
 * no audit of it is in flight, its privacy guide is set, it has a category WeChat accepts in
 * item_list, and the platform has audits left this month. The checks read WeChat's own answers
 * (getprivacysetting, get_category, queryquota); the item_list for submit_audit is built from the
 * categories, preferring those of the tenant's profile. A mini program never released must also be
 * ICP-filed (get_icp_entrance_info status 6): mini programs created since September 2023 go live
 * only once filed. The privacy check also reads WeChat's privacy-interface detection of the
 * committed code (get_code_privacy_info): interfaces used without a declaration or an approval
 * fail it, listed in its params, as submit_audit would answer 61040.
 * Reference: ../shared/wechat/02 §3.6, §3.11, §3.17, §5.6, §5.7.
 */
export type PreflightCheckName =
  'authorized' | 'no_audit_in_flight' | 'privacy' | 'categories' | 'icp' | 'audit_quota';

/** WeChat's filing status (get_icp_entrance_info) in words, for the icp check's detail. */
const ICP_STATUS: Readonly<Record<number, string>> = {
  2: 'submitted, under platform review',
  3: 'rejected by the platform',
  4: 'under review by the bureau',
  5: 'rejected by the bureau',
  6: 'filed',
};

export interface PreflightCheck {
  check: PreflightCheckName;
  ok: boolean;
  /** The result in English, for logs and API callers; `code` and `params` say the same for the console. */
  detail: string;
  /** The result's stable name (`privacy_guide_missing`, `audit_quota_used_up`, ...). */
  code: PreflightCode;
  /** What the result is about (privacy: the interfaces missing a declaration or approval). */
  params: Record<string, unknown>;
}

/** Every result a check can have; the console words each one in the operator's language. */
export type PreflightCode =
  | 'authorizer_unknown'
  | 'authorization_revoked'
  | 'not_mini_program'
  | 'authorized_mini_program'
  | 'audit_in_flight'
  | 'no_audit_in_flight'
  | 'privacy_guide_missing'
  | 'privacy_code_scanning'
  | 'privacy_guide_set'
  | 'privacy_interfaces_declared'
  | 'privacy_interfaces_missing'
  | 'category_missing'
  | 'categories_approved'
  | 'icp_not_required'
  | 'icp_filed'
  | 'icp_not_filed'
  | 'wechat_refused'
  | 'audit_quota_unknown'
  | 'audit_quota_left'
  | 'audit_quota_used_up';

export interface AuditItem {
  first_class: string;
  second_class: string;
  third_class?: string;
  first_id: number;
  second_id: number;
  third_id?: number;
}

export interface Preflight {
  appid: string;
  ok: boolean;
  checks: PreflightCheck[];
  item_list: AuditItem[];
}

export interface AuditQuota {
  rest: number;
  limit: number;
  speedup_rest: number | null;
  speedup_limit: number | null;
}

export interface PreflightDeps {
  db: Db;
  clock: Clock;
  client: WechatClient;
  history: CodeHistory;
  /** The categories the tenant's profile asks for (first, second), preferred in item_list. */
  preferredCategories?: (appid: string) => Promise<Array<{ first: number; second: number }>>;
}

export type CodePreflight = ReturnType<typeof createCodePreflight>;

export function createCodePreflight(deps: PreflightDeps) {
  const { db, client, history } = deps;

  /** The platform's monthly audit quota, asked with the token of any authorized mini program. */
  async function auditQuota(appid?: string): Promise<AuditQuota | null> {
    let via = appid;
    if (!via) {
      const res = await db.query<{ appid: string }>(
        `SELECT appid FROM authorizers WHERE status = 'authorized' AND info ? 'MiniProgramInfo'
         ORDER BY authorized_at DESC NULLS LAST LIMIT 1`,
      );
      via = res.rows[0]?.appid;
    }
    if (!via) return null;
    const q = await client.call('queryquota', {}, { appid: via });
    return {
      rest: q.rest,
      limit: q.limit,
      speedup_rest: q.speedup_rest ?? null,
      speedup_limit: q.speedup_limit ?? null,
    };
  }

  async function authorizedMiniProgram(appid: string): Promise<PreflightCheck> {
    const res = await db.query<{ status: string; mp: boolean }>(
      `SELECT status, (info ? 'MiniProgramInfo') AS mp FROM authorizers WHERE appid = $1`,
      [appid],
    );
    const row = res.rows[0];
    const result = (ok: boolean, code: PreflightCode, detail: string): PreflightCheck => ({
      check: 'authorized',
      ok,
      detail,
      code,
      params: { appid },
    });
    if (!row) return result(false, 'authorizer_unknown', 'openwx does not know this appid');
    if (row.status !== 'authorized') {
      return result(false, 'authorization_revoked', 'the merchant revoked the authorization');
    }
    if (!row.mp) {
      return result(false, 'not_mini_program', 'an official account, not a mini program');
    }
    return result(true, 'authorized_mini_program', 'authorized mini program');
  }

  async function privacy(appid: string, privacyApiNotUse: boolean): Promise<PreflightCheck> {
    const p = await client.call('getprivacysetting', { privacy_ver: 2 }, { appid });
    const owner = (p.owner_setting ?? {}) as Record<string, unknown>;
    const updated = typeof p['update_time'] === 'number' && p['update_time'] > 0;
    const set = updated || p.setting_list.length > 0 || Boolean(owner['notice_method']);
    if (!set) {
      return {
        check: 'privacy',
        ok: false,
        detail:
          'no privacy protection guide is set; WeChat rejects audits without one (apply a profile with privacy settings)',
        code: 'privacy_guide_missing',
        params: {},
      };
    }
    const items = p.setting_list.length;
    const guide = `privacy guide set (${items} items)`;
    const code = await codePrivacy(appid);
    if (code === 'running') {
      // submit_audit answers 61039 until the scan ends; a rollout waits for it, so not a failure.
      return {
        check: 'privacy',
        ok: true,
        detail: `${guide}; WeChat is still scanning the code for privacy interfaces`,
        code: 'privacy_code_scanning',
        params: { items },
      };
    }
    if (!code) {
      return {
        check: 'privacy',
        ok: true,
        detail: guide,
        code: 'privacy_guide_set',
        params: { items },
      };
    }
    // submit_audit answers 61040 for a declared interface without approval, and for one used
    // without a declaration unless privacy_api_not_use is set (doc apply_privacy_api).
    const undeclared = code.without_conf_list;
    const unapproved = code.without_auth_list.filter((n) => !undeclared.includes(n));
    const blocking = [...unapproved, ...(privacyApiNotUse ? [] : undeclared)];
    if (blocking.length === 0) {
      return {
        check: 'privacy',
        ok: true,
        detail: `${guide}; no privacy interface is missing`,
        code: 'privacy_interfaces_declared',
        params: { items },
      };
    }
    const notApproved = privacyApiNotUse ? unapproved : code.without_auth_list;
    const parts = [
      ...(undeclared.length && !privacyApiNotUse
        ? [`used but not declared in ext_json requiredPrivateInfos: ${undeclared.join(', ')}`]
        : []),
      ...(notApproved.length
        ? [`not approved for this mini program: ${notApproved.join(', ')}`]
        : []),
    ];
    return {
      check: 'privacy',
      ok: false,
      detail: `the code's privacy interfaces are missing: ${parts.join('; ')} (see /api/admin/authorizers/${appid}/code-privacy; apply for them, declare them, or submit with privacy_api_not_use)`,
      code: 'privacy_interfaces_missing',
      params: {
        reason: 'privacy_interfaces_missing',
        without_conf_list: undeclared,
        without_auth_list: code.without_auth_list,
      },
    };
  }

  /** get_code_privacy_info: the lists, 'running' (61039), or null when nothing is committed. */
  async function codePrivacy(
    appid: string,
  ): Promise<{ without_auth_list: string[]; without_conf_list: string[] } | 'running' | null> {
    try {
      const r = await client.call('get_code_privacy_info', {}, { appid });
      return {
        without_auth_list: r.without_auth_list ?? [],
        without_conf_list: r.without_conf_list ?? [],
      };
    } catch (err) {
      if (err instanceof WechatApiError && err.errcode === 61039) return 'running';
      if (err instanceof WechatApiError && err.errcode === 86001) return null;
      throw err;
    }
  }

  async function categories(appid: string): Promise<{ check: PreflightCheck; items: AuditItem[] }> {
    const res = await client.call('get_category', {}, { appid });
    const list = (res.category_list ?? []) as AuditItem[];
    if (list.length === 0) {
      return {
        check: {
          check: 'categories',
          ok: false,
          detail: 'the mini program has no approved category; add one before submitting',
          code: 'category_missing',
          params: {},
        },
        items: [],
      };
    }
    const preferred = deps.preferredCategories ? await deps.preferredCategories(appid) : [];
    const pick =
      list.find((c) => preferred.some((p) => p.first === c.first_id && p.second === c.second_id)) ??
      list[0];
    const items: AuditItem[] = pick
      ? [
          {
            first_class: pick.first_class,
            second_class: pick.second_class,
            first_id: pick.first_id,
            second_id: pick.second_id,
            ...(pick.third_id
              ? { third_class: pick.third_class ?? '', third_id: pick.third_id }
              : {}),
          },
        ]
      : [];
    return {
      check: {
        check: 'categories',
        ok: true,
        detail: `${list.length} approved categories; audit item: ${pick?.first_class}/${pick?.second_class}`,
        code: 'categories_approved',
        params: { count: list.length, item: `${pick?.first_class}/${pick?.second_class}` },
      },
      items,
    };
  }

  /** A mini program never released must be ICP-filed before it goes live. */
  async function icp(appid: string, released: boolean): Promise<PreflightCheck> {
    if (released) {
      return {
        check: 'icp',
        ok: true,
        detail: 'released before; ICP filing not required here',
        code: 'icp_not_required',
        params: {},
      };
    }
    const res = await client.call('get_icp_entrance_info', {}, { appid });
    const status = res.info.status;
    if (status === 6) {
      return { check: 'icp', ok: true, detail: 'ICP filed', code: 'icp_filed', params: { status } };
    }
    const state = ICP_STATUS[status] ?? 'not filed';
    return {
      check: 'icp',
      ok: false,
      detail: `never released and not ICP-filed (WeChat status ${status}: ${state}); file it first (/api/admin/authorizers/${appid}/icp)`,
      code: 'icp_not_filed',
      params: { status },
    };
  }

  /**
   * Runs a check; WeChat refusing it for this mini program becomes a failed check with WeChat's
   * words. A transient answer (busy, too fast, daily quota, unreachable) is thrown: it says
   * nothing about the mini program, and the caller retries.
   */
  async function guarded<T>(
    name: PreflightCheckName,
    run: () => Promise<T>,
  ): Promise<T | PreflightCheck> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof WechatApiError) || err.category !== 'caller') throw err;
      return {
        check: name,
        ok: false,
        detail: `WeChat answered errcode ${err.errcode}: ${err.message}`,
        code: 'wechat_refused',
        params: { errcode: err.errcode, errmsg: err.errmsg },
      };
    }
  }

  let cached: { value: Promise<AuditQuota | null>; at: number } | undefined;
  return {
    auditQuota,
    /**
     * The audit quota as read at most `maxAgeMs` ago, for callers that ask often (the overview,
     * every mini program of a rollout). A read in flight is shared; `throttle` is awaited before
     * WeChat is asked.
     */
    recentAuditQuota(
      opts: { maxAgeMs?: number; throttle?: () => Promise<void> } = {},
    ): Promise<AuditQuota | null> {
      const t = deps.clock.now();
      if (cached && t - cached.at < (opts.maxAgeMs ?? 60_000)) return cached.value;
      const value = (async () => {
        await opts.throttle?.();
        return auditQuota();
      })();
      cached = { value, at: t };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
      return value;
    },
    /** A submission used one audit: the quota read earlier counts it without asking WeChat. */
    usedAudit(): void {
      if (!cached) return;
      const value = cached.value.then((q) => q && { ...q, rest: Math.max(0, q.rest - 1) });
      value.catch(() => undefined);
      cached = { ...cached, value };
    },
    /**
     * Pre-flight of one mini program. `quota` is the platform quota when already known (a
     * rollout asks once); `needed` how many audits the caller is about to use (default 1).
     */
    async check(
      appid: string,
      opts: {
        quota?: AuditQuota | null;
        needed?: number;
        /** Awaited before each WeChat call (a rate limiter). */
        throttle?: () => Promise<void>;
        /** The submission declares undeclared privacy interfaces unused (privacy_api_not_use). */
        privacyApiNotUse?: boolean;
      } = {},
    ): Promise<Preflight> {
      const throttle = opts.throttle ?? (async () => {});
      const checks: PreflightCheck[] = [];
      let items: AuditItem[] = [];
      const auth = await authorizedMiniProgram(appid);
      checks.push(auth);
      const state = await history.state(appid);
      checks.push(
        auditInFlight(state)
          ? {
              check: 'no_audit_in_flight',
              ok: false,
              detail: `audit ${state.audit?.auditid} is in flight (${state.audit?.state}); wait for it or withdraw it`,
              code: 'audit_in_flight',
              params: { auditid: state.audit?.auditid ?? '', state: state.audit?.state ?? '' },
            }
          : {
              check: 'no_audit_in_flight',
              ok: true,
              detail: 'no audit in flight',
              code: 'no_audit_in_flight',
              params: {},
            },
      );
      if (auth.ok) {
        await throttle();
        const p = await guarded('privacy', () => privacy(appid, opts.privacyApiNotUse === true));
        checks.push(p);
        await throttle();
        const c = await guarded('categories', () => categories(appid));
        if ('items' in c) {
          checks.push(c.check);
          items = c.items;
        } else checks.push(c);
        await throttle();
        checks.push(await guarded('icp', () => icp(appid, Boolean(state.released))));
        const quota =
          opts.quota !== undefined
            ? opts.quota
            : await guarded('audit_quota', async () => {
                await throttle();
                return auditQuota(appid);
              });
        if (quota && 'check' in quota) checks.push(quota);
        else {
          const needed = opts.needed ?? 1;
          checks.push(
            !quota
              ? {
                  check: 'audit_quota',
                  ok: false,
                  detail: 'the audit quota could not be read',
                  code: 'audit_quota_unknown',
                  params: {},
                }
              : quota.rest >= needed
                ? {
                    check: 'audit_quota',
                    ok: true,
                    detail: `${quota.rest} of ${quota.limit} audits left this month`,
                    code: 'audit_quota_left',
                    params: { rest: quota.rest, limit: quota.limit },
                  }
                : {
                    check: 'audit_quota',
                    ok: false,
                    detail: `the platform's monthly audit quota is used up (${quota.rest} of ${quota.limit} left)`,
                    code: 'audit_quota_used_up',
                    params: { rest: quota.rest, limit: quota.limit, needed },
                  },
          );
        }
      }
      return { appid, ok: checks.every((c) => c.ok), checks, item_list: items };
    },
  };
}
