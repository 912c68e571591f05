import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/metrics.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Db } from '../../store/db.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { WechatApiError } from '../../wechat/errors.ts';
import { createAuditTracker } from './code-audits.ts';
import { createGrayRelease } from './code-gray.ts';
import { auditInFlight, createCodeHistory, type CodeState, type CodeStep } from './code-history.ts';
import { createCodePreflight } from './code-preflight.ts';
import { privacyRefusal } from '../privacy/refusal.ts';
import { renderExtJson, type ExtInput, type TenantData } from './code-render.ts';

/**
 * The code pipeline of one mini program: commit a template with its ext_json, the trial QR code,
 * pre-flight, audit (with speed-up and withdrawal), release (by hand or automatically when the
 * audit passes), phased release, rollback and the service status. Every step is one row of
 * `code_events` (code-history.ts). Reference: ../shared/wechat/02 §3.
 */
export interface CodePipelineDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  log?: Logger;
  preferredCategories?: (appid: string) => Promise<Array<{ first: number; second: number }>>;
  /** The privacy interfaces (`wx.getLocation`) its profile says the code calls. */
  privacyInterfaces?: (appid: string) => Promise<readonly string[]>;
}

export interface CommitInput extends ExtInput {
  template_id?: number;
  user_version: string;
  user_desc: string;
}

/** A submission refused because an audit is in flight (withdraw it first). */
function auditInFlightRefusal(current: CodeState, message: string): AppError {
  return new AppError('conflict', message, {
    details: {
      auditid: current.audit?.auditid,
      params: {
        reason: 'audit_in_flight',
        auditid: current.audit?.auditid ?? null,
        state: current.audit?.state ?? null,
      },
    },
  });
}

/** What commit sends, once rendered for one mini program. */
export interface CommitPayload {
  template_id: number;
  user_version: string;
  user_desc: string;
  ext_json: string;
}

export interface SubmitOptions {
  auto_release?: boolean;
  skip_preflight?: boolean;
}

export type CodePipeline = ReturnType<typeof createCodePipeline>;

export function createCodePipeline(deps: CodePipelineDeps) {
  const { db, client, clock } = deps;
  const history = createCodeHistory({ db, clock });
  const preflight = createCodePreflight({
    db,
    clock,
    client,
    history,
    ...(deps.preferredCategories ? { preferredCategories: deps.preferredCategories } : {}),
  });

  /** The privacy interfaces the mini program's code calls, declared in its ext_json. */
  const privacyInterfaces = async (appid: string): Promise<readonly string[]> =>
    deps.privacyInterfaces ? deps.privacyInterfaces(appid) : [];

  async function tenantOf(appid: string): Promise<TenantData> {
    const res = await db.query<{
      status: string;
      id: string | null;
      name: string | null;
      ext: Record<string, unknown> | null;
    }>(
      `SELECT a.status, t.id, t.name, t.ext FROM authorizers a LEFT JOIN tenants t ON t.id = a.tenant_id
       WHERE a.appid = $1`,
      [appid],
    );
    const row = res.rows[0];
    if (!row || row.status !== 'authorized') {
      throw new AppError('not_found', `no authorized mini program ${appid}`, {
        details: { field: 'appid', params: { reason: 'mini_program', appid } },
      });
    }
    return { id: row.id, name: row.name, ext: row.ext ?? {} };
  }

  /** The template to commit: the one given (it must be in the library) or the default one. */
  async function resolveTemplate(
    templateId: number | undefined,
  ): Promise<{ template_id: number; user_version: string; user_desc: string }> {
    const res =
      templateId === undefined
        ? await db.query<{ template_id: string; user_version: string; user_desc: string }>(
            `SELECT t.template_id, t.user_version, t.user_desc FROM default_template d
             JOIN templates t ON t.template_id = d.template_id WHERE d.only_row AND t.in_library`,
          )
        : await db.query<{ template_id: string; user_version: string; user_desc: string }>(
            `SELECT template_id, user_version, user_desc FROM templates
             WHERE template_id = $1 AND in_library`,
            [templateId],
          );
    const row = res.rows[0];
    if (!row) {
      throw new AppError(
        'not_found',
        templateId === undefined
          ? 'no template_id given and no default template is set'
          : `template ${templateId} is not in the template library`,
        {
          details: {
            field: 'template_id',
            params:
              templateId === undefined
                ? { reason: 'no_default_template' }
                : { reason: 'template_not_in_library', template_id: templateId },
          },
        },
      );
    }
    return { ...row, template_id: Number(row.template_id) };
  }

  async function commitPayload(
    appid: string,
    payload: CommitPayload,
    actor: string,
    detail: Record<string, unknown> = {},
  ): Promise<CodeStep> {
    try {
      await client.call('commit', payload, { appid });
    } catch (err) {
      if (err instanceof WechatApiError && err.errcode === 85014) {
        throw new AppError('not_found', `WeChat does not know template ${payload.template_id}`, {
          details: {
            field: 'template_id',
            errcode: err.errcode,
            errmsg: err.errmsg,
            params: { reason: 'template_unknown_to_wechat', template_id: payload.template_id },
          },
        });
      }
      // 85048: WeChat could not parse the ext_json (community/minihome/doc/000ae0a8b48d98e94c5294d086bc00).
      const extJsonRefusals = [85013, 85045, 85047, 85048, 9402203];
      if (err instanceof WechatApiError && extJsonRefusals.includes(err.errcode)) {
        throw new AppError('bad_request', `WeChat rejected the ext_json: ${err.message}`, {
          details: {
            field: 'ext_json',
            errcode: err.errcode,
            errmsg: err.errmsg,
            params: { reason: 'ext_json_rejected', errcode: err.errcode },
          },
        });
      }
      throw err;
    }
    return (await history.record(appid, 'committed', {
      template_id: payload.template_id,
      user_version: payload.user_version,
      user_desc: payload.user_desc,
      detail: { ext_json: payload.ext_json, ...detail },
      actor,
    })) as CodeStep;
  }

  async function submitAudit(
    appid: string,
    body: Record<string, unknown>,
    actor: string,
    opts: { auto_release?: boolean; detail?: Record<string, unknown> } = {},
  ): Promise<CodeStep> {
    const current = await history.state(appid);
    if (auditInFlight(current)) {
      throw auditInFlightRefusal(
        current,
        `audit ${current.audit?.auditid} is already in flight (${current.audit?.state}); withdraw it first`,
      );
    }
    if (!current.committed) {
      throw new AppError('conflict', 'nothing has been committed for this mini program yet', {
        details: { params: { reason: 'nothing_committed', appid } },
      });
    }
    const res = await client.call('submit_audit', body, { appid });
    preflight.usedAudit();
    return (await history.record(appid, 'submitted', {
      template_id: current.committed.template_id,
      user_version: current.committed.user_version,
      user_desc: current.committed.user_desc,
      auditid: res.auditid,
      detail: { auto_release: opts.auto_release === true, ...opts.detail },
      actor,
    })) as CodeStep;
  }

  async function release(appid: string, actor: string): Promise<CodeStep> {
    await tenantOf(appid);
    const current = await history.state(appid);
    if (current.audit?.state !== 'passed') {
      throw new AppError(
        'conflict',
        current.audit?.state === 'released'
          ? `nothing to release: the version of audit ${current.audit.auditid} is online already`
          : current.audit
            ? `nothing to release: the latest audit (${current.audit.auditid}) is ${current.audit.state}, not passed`
            : 'nothing to release: no version has passed an audit',
        {
          details: {
            field: 'audit',
            params:
              current.audit?.state === 'released'
                ? { reason: 'version_online_already', auditid: current.audit.auditid }
                : current.audit
                  ? {
                      reason: 'audit_not_passed',
                      auditid: current.audit.auditid,
                      state: current.audit.state,
                    }
                  : { reason: 'no_audit_passed' },
          },
        },
      );
    }
    await client.call('release', {}, { appid });
    return (await history.record(appid, 'released', {
      template_id: current.audit.template_id,
      user_version: current.audit.user_version,
      user_desc: current.audit.user_desc,
      auditid: current.audit.auditid,
      actor,
    })) as CodeStep;
  }

  const audits = createAuditTracker({
    history,
    client,
    jobs: deps.jobs,
    clock,
    ...(deps.log ? { log: deps.log } : {}),
    release,
  });

  return {
    history,
    preflight,
    audits,
    tenantOf,
    resolveTemplate,
    commitPayload,
    submitAudit,
    release,

    /** What commit would send for this mini program (the preview of a rollout shows it too). */
    async render(appid: string, input: CommitInput): Promise<CommitPayload> {
      const tenant = await tenantOf(appid);
      const template = await resolveTemplate(input.template_id);
      return {
        template_id: template.template_id,
        user_version: input.user_version,
        user_desc: input.user_desc,
        ext_json: renderExtJson(appid, tenant, input, await privacyInterfaces(appid)),
      };
    },

    async commit(appid: string, input: CommitInput, actor: string): Promise<CodeStep> {
      const tenant = await tenantOf(appid);
      const template = await resolveTemplate(input.template_id);
      const payload = {
        template_id: template.template_id,
        user_version: input.user_version,
        user_desc: input.user_desc,
        ext_json: renderExtJson(appid, tenant, input, await privacyInterfaces(appid)),
      };
      return commitPayload(appid, payload, actor);
    },

    async qrcode(appid: string, path?: string): Promise<{ bytes: Buffer; contentType: string }> {
      await tenantOf(appid);
      const res = await client.raw({
        method: 'GET',
        path: '/wxa/get_qrcode',
        token: 'authorizer',
        appid,
        ...(path ? { query: { path } } : {}),
      });
      if (res.json) {
        const errcode = typeof res.json['errcode'] === 'number' ? res.json['errcode'] : -1;
        const errmsg = typeof res.json['errmsg'] === 'string' ? res.json['errmsg'] : '';
        throw new WechatApiError('get_qrcode', errcode, errmsg, { path });
      }
      return { bytes: res.bytes, contentType: res.contentType || 'image/jpeg' };
    },

    async checkPreflight(appid: string) {
      await tenantOf(appid);
      return preflight.check(appid);
    },

    /**
     * Submits the trial version. Unless skipped, the pre-flight runs first and a failed check
     * stops the submission (409 preflight_failed); without item_list, the pre-flight's is used.
     */
    async submit(
      appid: string,
      body: Record<string, unknown>,
      actor: string,
      opts: SubmitOptions = {},
    ): Promise<CodeStep> {
      await tenantOf(appid);
      const current = await history.state(appid);
      if (!current.committed) {
        throw new AppError('conflict', 'nothing has been committed for this mini program yet', {
          details: { params: { reason: 'nothing_committed', appid } },
        });
      }
      let payload = body;
      if (!opts.skip_preflight) {
        const pf = await preflight.check(appid, {
          privacyApiNotUse: body['privacy_api_not_use'] === true,
        });
        const failed = pf.checks.filter((c) => !c.ok);
        if (failed.length > 0) {
          const first = failed[0];
          if (first?.check === 'no_audit_in_flight') {
            throw auditInFlightRefusal(current, first.detail);
          }
          throw new AppError(
            'preflight_failed',
            `pre-flight failed: ${failed.map((c) => `${c.check}: ${c.detail}`).join('; ')}`,
            {
              details: {
                checks: pf.checks,
                params: { reason: 'checks_failed', count: failed.length },
              },
            },
          );
        }
        if (payload['item_list'] === undefined) payload = { ...payload, item_list: pf.item_list };
      }
      try {
        return await submitAudit(appid, payload, actor, {
          ...(opts.auto_release === undefined ? {} : { auto_release: opts.auto_release }),
        });
      } catch (err) {
        throw await privacyRefusal(client, appid, err);
      }
    },

    async rollback(appid: string, actor: string): Promise<CodeStep> {
      await tenantOf(appid);
      await client.call('revertcoderelease', {}, { appid });
      // The version now online: the release before the one that was online.
      const online = (await history.steps(appid)).filter(
        (s) => s.kind === 'released' || s.kind === 'rolled_back',
      );
      const target = online.length >= 2 ? online[online.length - 2] : undefined;
      return (await history.record(appid, 'rolled_back', {
        template_id: target?.template_id ?? null,
        user_version: target?.user_version ?? null,
        user_desc: target?.user_desc ?? null,
        detail: { from_version: online[online.length - 1]?.user_version ?? null },
        actor,
      })) as CodeStep;
    },

    async undoAudit(appid: string, actor: string): Promise<CodeStep> {
      await tenantOf(appid);
      const current = await history.state(appid);
      if (!auditInFlight(current)) {
        throw new AppError('conflict', 'no audit is in flight to withdraw', {
          details: { params: { reason: 'no_audit_in_flight' } },
        });
      }
      await client.call('undocodeaudit', {}, { appid });
      return (await history.record(appid, 'audit_withdrawn', {
        template_id: current.audit?.template_id ?? null,
        user_version: current.audit?.user_version ?? null,
        user_desc: current.audit?.user_desc ?? null,
        auditid: current.audit?.auditid ?? null,
        actor,
      })) as CodeStep;
    },

    /** Asks WeChat to review the audit in flight faster (speedupaudit; monthly quota). */
    async speedup(appid: string, actor: string): Promise<CodeStep> {
      await tenantOf(appid);
      const current = await history.state(appid);
      if (current.audit?.state !== 'auditing' || current.audit.auditid === null) {
        throw new AppError('conflict', 'only an audit under review can be sped up', {
          details: {
            params: { reason: 'audit_not_under_review', state: current.audit?.state ?? null },
          },
        });
      }
      await client.call('speedupaudit', { auditid: current.audit.auditid }, { appid });
      return (await history.record(appid, 'speedup', {
        template_id: current.audit.template_id,
        user_version: current.audit.user_version,
        auditid: current.audit.auditid,
        actor,
      })) as CodeStep;
    },

    ...createGrayRelease({ client, history, tenantOf }),

    async visitStatus(appid: string, status: 'open' | 'close', actor: string): Promise<CodeStep> {
      await tenantOf(appid);
      await client.call('change_visitstatus', { action: status }, { appid });
      return (await history.record(appid, 'visit_status', {
        detail: { status },
        actor,
      })) as CodeStep;
    },

    async current(appid: string) {
      await tenantOf(appid);
      return { appid, ...(await history.state(appid)) };
    },

    async versions(appid: string): Promise<{ appid: string; items: CodeStep[] }> {
      await tenantOf(appid);
      return { appid, items: await history.steps(appid) };
    },
  };
}
