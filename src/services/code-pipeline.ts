import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/metrics.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { JOB_CODE_AUDIT_RESULT } from '../callbacks/callback-service.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { WechatClient } from '../wechat/client.ts';
import { WechatApiError } from '../wechat/errors.ts';

/**
 * The code pipeline of one mini program: commit a template with its ext_json, the trial QR code,
 * audit, release, rollback and the service status. Every step is one row of `code_events`; the
 * current state is read from the latest steps. Audit results arrive as weapp_audit_* pushes,
 * which the callback service stores with a job that lands here.
 * Reference: ../shared/wechat/02 §3, §6; pushes in ../shared/wechat/01 §6.3.
 */
export interface CodePipelineDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  log?: Logger;
}

/** WeChat's limit on the ext_json string. */
export const EXT_JSON_MAX = 64 * 1024;

export type CodeStepKind =
  | 'committed'
  | 'submitted'
  | 'audit_passed'
  | 'audit_failed'
  | 'audit_delayed'
  | 'audit_withdrawn'
  | 'released'
  | 'rolled_back'
  | 'visit_status';

interface Row {
  id: number | string;
  appid: string;
  kind: CodeStepKind;
  template_id: number | string | null;
  user_version: string | null;
  user_desc: string | null;
  auditid: number | string | null;
  reason: string | null;
  screenshots: string[] | null;
  detail: Record<string, unknown>;
  actor: string;
  at: Date | string;
}

export interface CodeStep {
  id: number;
  kind: CodeStepKind;
  template_id: number | null;
  user_version: string | null;
  user_desc: string | null;
  auditid: number | null;
  reason: string | null;
  screenshots: string[] | null;
  detail: Record<string, unknown>;
  by: string;
  at: string;
}

export interface CommitInput {
  template_id?: number;
  user_version: string;
  user_desc: string;
  ext?: Record<string, unknown>;
}

const AUDIT_KINDS = new Set<CodeStepKind>([
  'submitted',
  'audit_passed',
  'audit_failed',
  'audit_delayed',
  'audit_withdrawn',
]);
const AUDIT_STATE: Record<string, string> = {
  submitted: 'auditing',
  audit_passed: 'passed',
  audit_failed: 'failed',
  audit_delayed: 'delayed',
  audit_withdrawn: 'withdrawn',
};
const RESULT_KIND: Record<string, CodeStepKind> = {
  success: 'audit_passed',
  fail: 'audit_failed',
  delay: 'audit_delayed',
};

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function step(r: Row): CodeStep {
  return {
    id: Number(r.id),
    kind: r.kind,
    template_id: num(r.template_id),
    user_version: r.user_version,
    user_desc: r.user_desc,
    auditid: num(r.auditid),
    reason: r.reason,
    screenshots: r.screenshots,
    detail: r.detail,
    by: r.actor,
    at: new Date(r.at).toISOString(),
  };
}

/** `{{appid}}` and `{{tenant.name}}` in every string value, at any depth. */
export function substitute(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string')
    return value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, key: string) => vars[key] ?? m);
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, substitute(v, vars)]),
    );
  }
  return value;
}

const badField = (field: string, message: string) =>
  new AppError('bad_request', message, { details: { field } });

export type CodePipeline = ReturnType<typeof createCodePipeline>;

export function createCodePipeline(deps: CodePipelineDeps) {
  const { db, client, clock } = deps;
  const log = deps.log ?? silentLogger;
  const now = () => new Date(clock.now());

  async function record(
    q: Queryable,
    appid: string,
    kind: CodeStepKind,
    s: {
      template_id?: number | null;
      user_version?: string | null;
      user_desc?: string | null;
      auditid?: number | null;
      reason?: string | null;
      screenshots?: string[] | null;
      detail?: Record<string, unknown>;
      actor: string;
      eventId?: number;
    },
  ): Promise<CodeStep | undefined> {
    const res = await q.query<Row>(
      `INSERT INTO code_events
         (appid, kind, template_id, user_version, user_desc, auditid, reason, screenshots, detail, actor, event_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING
       RETURNING *`,
      [
        appid,
        kind,
        s.template_id ?? null,
        s.user_version ?? null,
        s.user_desc ?? null,
        s.auditid ?? null,
        s.reason ?? null,
        s.screenshots ? JSON.stringify(s.screenshots) : null,
        s.detail ?? {},
        s.actor,
        s.eventId ?? null,
        now(),
      ],
    );
    return res.rows[0] ? step(res.rows[0]) : undefined;
  }

  async function steps(appid: string): Promise<CodeStep[]> {
    const res = await db.query<Row>('SELECT * FROM code_events WHERE appid = $1 ORDER BY id', [
      appid,
    ]);
    return res.rows.map(step);
  }

  async function authorizer(appid: string): Promise<{ tenantName: string | null; ext: object }> {
    const res = await db.query<{
      status: string;
      name: string | null;
      ext: Record<string, unknown> | null;
    }>(
      `SELECT a.status, t.name, t.ext FROM authorizers a LEFT JOIN tenants t ON t.id = a.tenant_id
       WHERE a.appid = $1`,
      [appid],
    );
    const row = res.rows[0];
    if (!row || row.status !== 'authorized') {
      throw new AppError('not_found', `no authorized mini program ${appid}`, {
        details: { field: 'appid' },
      });
    }
    return { tenantName: row.name, ext: row.ext ?? {} };
  }

  async function template(templateId: number | undefined) {
    if (templateId === undefined) {
      const res = await db.query<{ template_id: string | number; user_version: string }>(
        `SELECT t.template_id, t.user_version FROM default_template d
         JOIN templates t ON t.template_id = d.template_id WHERE d.only_row`,
      );
      const row = res.rows[0];
      if (!row) {
        throw new AppError('not_found', 'no template_id given and no default template is set', {
          details: { field: 'template_id' },
        });
      }
      return Number(row.template_id);
    }
    const res = await db.query<{ in_library: boolean }>(
      'SELECT in_library FROM templates WHERE template_id = $1',
      [templateId],
    );
    if (!res.rows[0]?.in_library) {
      throw new AppError('not_found', `template ${templateId} is not in the template library`, {
        details: { field: 'template_id' },
      });
    }
    return templateId;
  }

  function state(all: CodeStep[]) {
    const last = (pred: (s: CodeStep) => boolean) => all.filter(pred).pop() ?? null;
    const committed = last((s) => s.kind === 'committed');
    const auditStep = last((s) => AUDIT_KINDS.has(s.kind));
    const submitted = last((s) => s.kind === 'submitted');
    const online = last((s) => s.kind === 'released' || s.kind === 'rolled_back');
    const visit = last((s) => s.kind === 'visit_status');
    return {
      committed: committed && {
        template_id: committed.template_id,
        user_version: committed.user_version,
        user_desc: committed.user_desc,
        at: committed.at,
        by: committed.by,
      },
      audit: auditStep && {
        auditid: auditStep.auditid,
        state: AUDIT_STATE[auditStep.kind] ?? auditStep.kind,
        reason: auditStep.reason,
        screenshots: auditStep.screenshots,
        template_id: submitted?.template_id ?? null,
        user_version: submitted?.user_version ?? null,
        at: auditStep.at,
      },
      released: online && {
        template_id: online.template_id,
        user_version: online.user_version,
        user_desc: online.user_desc,
        rollback: online.kind === 'rolled_back',
        at: online.at,
        by: online.by,
      },
      visit_status: (visit?.detail['status'] as string | undefined) ?? null,
    };
  }

  /** The audit a push is about: the latest submission of this mini program. */
  async function applyAuditResult(payload: Record<string, unknown>): Promise<void> {
    const appid = String(payload['appid']);
    const kind = RESULT_KIND[String(payload['result'])];
    if (!kind) {
      log.warn({ appid, result: payload['result'] }, 'unknown audit result push');
      return;
    }
    const all = await steps(appid);
    const submitted = all.filter((s) => s.kind === 'submitted').pop();
    const screenshot = String(payload['screenshot'] ?? '');
    const stored = await record(db, appid, kind, {
      template_id: submitted?.template_id ?? null,
      user_version: submitted?.user_version ?? null,
      user_desc: submitted?.user_desc ?? null,
      auditid: submitted?.auditid ?? null,
      reason: kind === 'audit_passed' ? null : String(payload['reason'] ?? ''),
      screenshots: kind === 'audit_failed' ? screenshot.split('|').filter(Boolean) : null,
      actor: 'wechat',
      eventId: Number(payload['event_id']),
    });
    if (stored) log.info({ appid, kind, auditid: stored.auditid }, 'audit result recorded');
  }

  deps.jobs.register(JOB_CODE_AUDIT_RESULT, applyAuditResult);

  return {
    applyAuditResult,

    async commit(appid: string, input: CommitInput, actor: string): Promise<CodeStep> {
      const { tenantName, ext: tenantExt } = await authorizer(appid);
      const templateId = await template(input.template_id);
      const vars = { appid, 'tenant.name': tenantName ?? '' };
      const ext = substitute({ ...tenantExt, ...(input.ext ?? {}) }, vars);
      const extJson = JSON.stringify({ extAppid: appid, ext });
      if (extJson.length > EXT_JSON_MAX) {
        throw badField(
          'ext',
          `ext_json would be ${extJson.length} characters (at most ${EXT_JSON_MAX})`,
        );
      }
      try {
        await client.call(
          'commit',
          {
            template_id: templateId,
            ext_json: extJson,
            user_version: input.user_version,
            user_desc: input.user_desc,
          },
          { appid },
        );
      } catch (err) {
        if (err instanceof WechatApiError && err.errcode === 85014) {
          throw new AppError('not_found', `WeChat does not know template ${templateId}`, {
            details: { field: 'template_id', errcode: err.errcode, errmsg: err.errmsg },
          });
        }
        if (err instanceof WechatApiError && [85013, 85045, 85047].includes(err.errcode)) {
          throw new AppError('bad_request', `WeChat rejected the ext_json: ${err.message}`, {
            details: { field: 'ext', errcode: err.errcode, errmsg: err.errmsg },
          });
        }
        throw err;
      }
      return (await record(db, appid, 'committed', {
        template_id: templateId,
        user_version: input.user_version,
        user_desc: input.user_desc,
        detail: { ext_json: extJson },
        actor,
      })) as CodeStep;
    },

    async qrcode(appid: string, path?: string): Promise<{ bytes: Buffer; contentType: string }> {
      await authorizer(appid);
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

    async submit(appid: string, body: Record<string, unknown>, actor: string): Promise<CodeStep> {
      await authorizer(appid);
      const current = state(await steps(appid));
      if (current.audit && ['auditing', 'delayed'].includes(current.audit.state)) {
        throw new AppError(
          'conflict',
          `audit ${current.audit.auditid} is already in flight (${current.audit.state}); withdraw it first`,
          { details: { auditid: current.audit.auditid } },
        );
      }
      if (!current.committed) {
        throw new AppError('conflict', 'nothing has been committed for this mini program yet');
      }
      const res = await client.call('submit_audit', body, { appid });
      return (await record(db, appid, 'submitted', {
        template_id: current.committed.template_id,
        user_version: current.committed.user_version,
        user_desc: current.committed.user_desc,
        auditid: res.auditid,
        actor,
      })) as CodeStep;
    },

    async release(appid: string, actor: string): Promise<CodeStep> {
      await authorizer(appid);
      await client.call('release', {}, { appid });
      const all = await steps(appid);
      const audited = all.filter((s) => s.kind === 'submitted').pop();
      return (await record(db, appid, 'released', {
        template_id: audited?.template_id ?? null,
        user_version: audited?.user_version ?? null,
        user_desc: audited?.user_desc ?? null,
        auditid: audited?.auditid ?? null,
        actor,
      })) as CodeStep;
    },

    async rollback(appid: string, actor: string): Promise<CodeStep> {
      await authorizer(appid);
      await client.call('revertcoderelease', {}, { appid });
      // The version now online: the release before the one that was online.
      const online = (await steps(appid)).filter(
        (s) => s.kind === 'released' || s.kind === 'rolled_back',
      );
      const target = online.length >= 2 ? online[online.length - 2] : undefined;
      return (await record(db, appid, 'rolled_back', {
        template_id: target?.template_id ?? null,
        user_version: target?.user_version ?? null,
        user_desc: target?.user_desc ?? null,
        detail: { from_version: online[online.length - 1]?.user_version ?? null },
        actor,
      })) as CodeStep;
    },

    async undoAudit(appid: string, actor: string): Promise<CodeStep> {
      await authorizer(appid);
      await client.call('undocodeaudit', {}, { appid });
      const submitted = (await steps(appid)).filter((s) => s.kind === 'submitted').pop();
      return (await record(db, appid, 'audit_withdrawn', {
        template_id: submitted?.template_id ?? null,
        user_version: submitted?.user_version ?? null,
        user_desc: submitted?.user_desc ?? null,
        auditid: submitted?.auditid ?? null,
        actor,
      })) as CodeStep;
    },

    async visitStatus(appid: string, status: 'open' | 'close', actor: string): Promise<CodeStep> {
      await authorizer(appid);
      await client.call('change_visitstatus', { action: status }, { appid });
      return (await record(db, appid, 'visit_status', { detail: { status }, actor })) as CodeStep;
    },

    async current(appid: string) {
      await authorizer(appid);
      return { appid, ...state(await steps(appid)) };
    },

    async history(appid: string): Promise<{ appid: string; items: CodeStep[] }> {
      await authorizer(appid);
      return { appid, items: await steps(appid) };
    },
  };
}
