import { sleep, type Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/metrics.ts';
import { newId } from '../../core/random.ts';
import type { Db } from '../../store/db.ts';
import { createAuthorizerQueries } from '../../store/queries/authorizers.ts';
import {
  createRegistrationQueries,
  type RegistrationRow,
  type RegistrationStatus,
} from '../../store/queries/registrations.ts';
import { createTenantQueries } from '../../store/queries/tenants.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { JOB_REGISTRATION_RESULT } from '../../callbacks/callback-service.ts';
import type { WechatClient } from '../../wechat/client.ts';
import { WechatApiError, WechatOutcomeUnknownError } from '../../wechat/errors.ts';
import {
  checkBetaName,
  checkEnterprise,
  checkEnterpriseUrl,
  checkPersonal,
  checkVerify,
  need,
  enterpriseKey,
  personalKey,
  registrationReasonOf,
  resultReason,
  type EnterpriseInput,
  type EnterpriseUrlInput,
  type VerifyInput,
} from './registration-rules.ts';

/**
 * Registering mini programs for merchants. A task is stored as `pending` while WeChat is called,
 * then waits for the legal person or the user; the result push moves it to `succeeded` (the new
 * mini program becomes an authorizer of the task's tenant) or `failed` with the reason. When
 * WeChat refuses the call, the task is removed and the caller sees WeChat's errcode; when its
 * answer is lost (WeChat may have created the task), the task stays `pending` so that a result
 * push can still find it. Personal registration, enterprise registration by the URL flow and
 * trial conversion use the versions WeChat serves since 2026-04-30 (`new_version: true`): WeChat
 * answers with a URL that the person (the legal person for a company) opens in WeChat within
 * 24 h; openwx stores it and shows it (`authorize_url`, `verify_url`) with the next step.
 * `flow: 'legacy'` (fastregisterweapp) is still sent when asked for, but WeChat retired it and
 * answers -1 "system error": that answer becomes `RegistrationApiRetiredError` (HTTP 410
 * `registration_api_retired`), never a retry.
 * Reference: ../shared/wechat/02 §0, §1; ../shared/wechat/01 §5.3–5.5;
 * ../shared/wechat/03-fidelity-audit.md F1, F2, D1.
 */
export class RegistrationApiRetiredError extends Error {
  readonly endpoint = 'fastregisterweapp';
  constructor() {
    super(
      'fastregisterweapp (the legacy enterprise registration) is retired: WeChat took it offline on 2026-04-30 and answers -1 to it. Register the enterprise by the URL flow (flow "url": name, an 18-character unified social credit code and component_phone)',
    );
    this.name = 'RegistrationApiRetiredError';
  }
}
export interface RegistrationDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  jobs: JobQueue;
  staleHours: number;
  log?: Logger;
}

export type RegistrationInput =
  | ({ kind: 'enterprise'; tenant_id?: string; flow?: 'url' | 'legacy' } & EnterpriseInput)
  | {
      kind: 'personal';
      tenant_id?: string;
      idname: string;
      wxuser: string;
      component_phone: string;
    }
  | { kind: 'beta'; tenant_id?: string; name: string; openid: string };

export interface RegistrationFilter {
  status?: RegistrationStatus;
  kind?: RegistrationRow['kind'];
  tenant_id?: string;
}

const NEXT_STEP: Readonly<Record<RegistrationStatus, (r: RegistrationRow) => string>> = {
  pending: (r) => r.last_message ?? 'openwx is sending the request to WeChat',
  awaiting_legal_person: () =>
    'the legal person must confirm the WeChat template message and pass face verification within 24 h',
  awaiting_user: (r) =>
    `the ${r.kind === 'beta' ? 'administrator' : r.kind === 'enterprise' ? 'legal person' : 'person'} must open ${r.authorize_url ?? 'the authorize_url'} in WeChat within 24 h and confirm`,
  succeeded: (r) =>
    r.verify_status === 'awaiting_legal_person'
      ? `the legal person must open ${r.verify_url ?? 'the verify_url'} in WeChat within 24 h and pass face verification, then the administrator confirms, to convert the trial mini program`
      : r.kind === 'beta' && r.verify_status !== 'succeeded'
        ? 'nothing required; the trial mini program can be converted with verify-beta'
        : 'nothing: the mini program is authorized to the platform',
  failed: () => 'correct the data and start a new registration',
};

/** `<name>_code` and `<name>_params` of a stored sentence (null when there is none). */
function coded(name: string, text: string | null): Record<string, unknown> {
  const r = registrationReasonOf(text);
  return { [`${name}_code`]: r?.code ?? null, [`${name}_params`]: r?.params ?? null };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;

export function createRegistrationService(deps: RegistrationDeps) {
  const { db, client, clock } = deps;
  const log = deps.log ?? silentLogger;
  const rows = createRegistrationQueries(db);
  const authorizers = createAuthorizerQueries(db);
  const tenants = createTenantQueries(db);
  const now = () => new Date(clock.now());

  function view(r: RegistrationRow): Record<string, unknown> {
    const open = r.status !== 'succeeded' && r.status !== 'failed';
    const verifying = r.verify_status === 'awaiting_legal_person';
    const idle = clock.now() - new Date(r.updated_at).getTime();
    return {
      id: r.id,
      kind: r.kind,
      tenant_id: r.tenant_id,
      status: r.status,
      request: r.request,
      appid: r.appid,
      authorize_url: r.authorize_url,
      last_message: r.last_message,
      failure_reason: r.failure_reason,
      verify_status: r.verify_status,
      verify_message: r.verify_message,
      verify_url: r.verify_url,
      next_step: NEXT_STEP[r.status](r),
      // The three sentences above as stable codes and params, for the console's words.
      ...coded('last_message', r.last_message),
      ...coded('failure', r.failure_reason),
      ...coded('verify', r.verify_message),
      stale: (open || verifying) && idle > deps.staleHours * 3600_000,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    };
  }

  async function require(id: string): Promise<RegistrationRow> {
    const row = await rows.find(id);
    if (!row) {
      throw new AppError('not_found', `no registration ${id}`, {
        details: { params: { reason: 'registration', id } },
      });
    }
    return row;
  }

  async function create(input: RegistrationInput): Promise<Record<string, unknown>> {
    const urlFlow = input.kind === 'enterprise' && (input.flow ?? 'url') === 'url';
    if (input.kind === 'enterprise') {
      if (input.flow !== undefined && input.flow !== 'url' && input.flow !== 'legacy') {
        throw new AppError('bad_request', 'flow must be url or legacy', {
          details: {
            field: 'flow',
            params: { reason: 'not_allowed', field: 'flow', allowed: '"url", "legacy"' },
          },
        });
      }
      if (urlFlow) checkEnterpriseUrl(input);
      else checkEnterprise(input);
    } else if (input.kind === 'personal') checkPersonal(input);
    else {
      need(input, 'name');
      need(input, 'openid');
      checkBetaName(input.name, 'name');
    }
    if (input.tenant_id !== undefined && !(await tenants.findById(input.tenant_id))) {
      throw new AppError('not_found', `no tenant ${input.tenant_id}`, {
        details: {
          field: 'tenant_id',
          params: { reason: 'tenant', tenant_id: input.tenant_id },
        },
      });
    }
    const { kind, tenant_id: tenantId, ...rest } = input;
    const request: Record<string, unknown> =
      input.kind === 'enterprise' ? { ...rest, flow: urlFlow ? 'url' : 'legacy' } : rest;
    const id = newId();
    const matchKey =
      input.kind === 'enterprise'
        ? enterpriseKey(input.name, input.code, urlFlow ? '' : input.legal_persona_wechat)
        : input.kind === 'personal'
          ? personalKey(input.wxuser, input.idname)
          : null;
    await rows.insert({ id, kind, tenantId: tenantId ?? null, request, matchKey, at: now() });
    try {
      if (urlFlow) {
        const { name, code, component_phone } = input as EnterpriseUrlInput;
        const res = await client.call(
          'fastregisterenterpriseweapp',
          { name, code, component_phone, new_version: true },
          { query: { action: 'create' } },
        );
        await rows.update(id, {
          status: 'awaiting_user',
          taskid: res.taskid ?? null,
          authorize_url: res.authorize_url ?? null,
          last_message:
            'WeChat created the task; the legal person opens authorize_url in WeChat within 24 h',
          at: now(),
        });
      } else if (input.kind === 'enterprise') {
        const { flow: _flow, ...legacy } = rest as EnterpriseInput & { flow?: string };
        try {
          await client.call('fastregisterweapp', legacy as EnterpriseInput, {
            query: { action: 'create' },
          });
        } catch (err) {
          if (err instanceof WechatApiError && err.errcode === -1) {
            throw new RegistrationApiRetiredError();
          }
          throw err;
        }
        await rows.update(id, {
          status: 'awaiting_legal_person',
          last_message: 'WeChat sent the legal person a template message',
          at: now(),
        });
      } else if (input.kind === 'personal') {
        const res = await client.call(
          'fastregisterpersonalweapp',
          {
            idname: input.idname,
            wxuser: input.wxuser,
            component_phone: input.component_phone,
            new_version: true,
          },
          { query: { action: 'create' } },
        );
        await rows.update(id, {
          status: 'awaiting_user',
          taskid: res.taskid ?? null,
          authorize_url: res.authorize_url ?? null,
          last_message:
            'WeChat created the task; the person opens authorize_url in WeChat within 24 h',
          at: now(),
        });
      } else {
        const res = await client.call('fastregisterbetaweapp', {
          name: input.name,
          openid: input.openid,
        });
        await rows.update(id, {
          status: 'awaiting_user',
          unique_id: res.unique_id,
          match_key: `beta|${res.unique_id}`,
          authorize_url: res.authorize_url,
          last_message: 'WeChat created the trial task; the administrator must confirm',
          at: now(),
        });
      }
    } catch (err) {
      if (err instanceof WechatOutcomeUnknownError) {
        await rows.update(id, {
          last_message:
            'WeChat did not answer; it may have created the task: its result push completes this registration. If none comes within 24 h, start a new one',
          at: now(),
        });
      } else {
        await rows.remove(id);
      }
      throw err;
    }
    return view(await require(id));
  }

  async function succeededBeta(id: string): Promise<RegistrationRow> {
    const row = await require(id);
    if (row.kind !== 'beta' || row.status !== 'succeeded' || !row.appid) {
      throw new AppError('conflict', `registration ${id} is not a created trial mini program`, {
        details: {
          params: { reason: 'not_created_trial', id, kind: row.kind, status: row.status },
        },
      });
    }
    return row;
  }

  async function verifyBeta(id: string, input: VerifyInput): Promise<Record<string, unknown>> {
    checkVerify(input);
    const row = await succeededBeta(id);
    const res = await client.call(
      'verifybetaweapp',
      {
        verify_info: {
          enterprise_name: input.enterprise_name,
          code: input.code,
          component_phone: input.component_phone,
          new_version: true,
        },
        new_version: true,
      },
      { appid: row.appid as string },
    );
    await rows.update(id, {
      verify_status: 'awaiting_legal_person',
      verify_url: res.authorize_url ?? null,
      verify_message:
        'WeChat created the conversion task; the legal person opens verify_url in WeChat within 24 h',
      at: now(),
    });
    return view(await require(id));
  }

  async function setBetaName(id: string, name: string): Promise<Record<string, unknown>> {
    checkBetaName(name, 'name');
    const row = await succeededBeta(id);
    await client.call('setbetaweappnickname', { name }, { appid: row.appid as string });
    await rows.update(id, {
      request: { ...row.request, name },
      last_message: `name set to ${name}`,
      at: now(),
    });
    return view(await require(id));
  }

  /** Waits briefly for the exchange job to store the authorizer; a retry covers the rest. */
  async function assignTenant(row: RegistrationRow, appid: string): Promise<void> {
    if (!row.tenant_id) return;
    for (let i = 0; i < 20; i++) {
      if (await authorizers.findByAppid(appid)) {
        const owner = await authorizers.claimForTenant(appid, row.tenant_id);
        if (owner !== row.tenant_id) {
          log.warn({ appid, registration: row.id }, 'registered mini program has another tenant');
        }
        return;
      }
      await sleep(100);
    }
    throw new Error(`authorizer ${appid} is not stored yet`);
  }

  async function handleResult(p: Record<string, unknown>): Promise<void> {
    const infoType = String(p['infoType']);
    const appid = typeof p['appid'] === 'string' ? p['appid'] : undefined;
    const status = typeof p['status'] === 'string' ? p['status'] : '';
    const msg = typeof p['msg'] === 'string' ? p['msg'] : '';
    const info = (p['info'] ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof info[k] === 'string' ? info[k] : '');
    const ok = status === '0';
    let row: RegistrationRow | undefined;
    if (infoType === 'notify_third_fastverifybetaapp') {
      row = appid ? await rows.findBetaByAppid(appid) : undefined;
      if (row) {
        await rows.update(row.id, {
          verify_status: ok ? 'succeeded' : 'failed',
          verify_message: ok ? 'the trial mini program was converted' : resultReason(status, msg),
          at: now(),
        });
        return;
      }
    } else {
      const key =
        infoType === 'notify_third_fastregisterbetaapp'
          ? `beta|${str('unique_id')}`
          : str('wxuser')
            ? personalKey(str('wxuser'), str('idname'))
            : enterpriseKey(str('name'), str('code'), str('legal_persona_wechat'));
      row = (await rows.findByTaskid(str('taskid'))) ?? (await rows.findOpenByKey(key));
      if (row) {
        if (row.status !== 'succeeded') {
          await rows.update(row.id, {
            status: ok ? 'succeeded' : 'failed',
            ...(ok && appid ? { appid } : {}),
            failure_reason: ok ? null : resultReason(status, msg),
            last_message: ok ? `mini program ${appid ?? ''} created` : resultReason(status, msg),
            at: now(),
          });
        }
        if (ok && appid) await assignTenant(row, appid);
        return;
      }
    }
    await rows.addUnmatched({
      eventId: Number(p['eventId']),
      infoType,
      appid: appid ?? null,
      status,
      msg,
      info,
      at: now(),
    });
    log.warn({ infoType, appid }, 'registration push matched no task');
  }

  deps.jobs.register(JOB_REGISTRATION_RESULT, handleResult);

  return {
    create,
    verifyBeta,
    setBetaName,
    async get(id: string) {
      return view(await require(id));
    },
    async list(filter: RegistrationFilter) {
      if (filter.tenant_id !== undefined && !(await tenants.findById(filter.tenant_id))) {
        throw new AppError('not_found', `no tenant ${filter.tenant_id}`, {
          details: {
            field: 'tenant_id',
            params: { reason: 'tenant', tenant_id: filter.tenant_id },
          },
        });
      }
      return { items: (await rows.list(filter)).map(view) };
    },
    async unmatched() {
      return { items: await rows.listUnmatched() };
    },
  };
}
