import { buildXml } from '../crypto/xml.ts';
import { nowMs, nowSeconds, type EmulatorContext } from './context.ts';
import { defaultFuncIds, insertMerchant } from './merchants.ts';
import { authEventXml, pushAuthEvent, type PushResult } from './pushes.ts';
import { capMap, CODES_MAX, type EmulatorState } from './state.ts';

/**
 * Registration tasks on WeChat's side (enterprise, personal, trial and trial conversion). They
 * progress only through the control API; each outcome is pushed to the authorization-event URL.
 * Reference: ../shared/wechat/02 §1, §8.4; ../shared/wechat/01 §5.3–5.5.
 */
export type RegistrationKind = 'enterprise' | 'personal' | 'beta' | 'beta_verify';
export type RegistrationState = 'pending' | 'succeeded' | 'failed';

export interface RegistrationTask {
  id: string;
  kind: RegistrationKind;
  state: RegistrationState;
  /** What the platform sent (the `info` of the push echoes it). */
  data: Record<string, string | number>;
  /** Subject key: a second open task with it answers 89249. */
  subject: string;
  taskid?: string;
  uniqueId?: string;
  authorizeUrl?: string;
  /** The mini program: created on success, or the trial app being converted. */
  appid?: string;
  createdAt: number;
}

export interface BetaApp {
  name: string;
  converted: boolean;
}

interface Registrations {
  tasks: Map<string, RegistrationTask>;
  betaApps: Map<string, BetaApp>;
  seq: number;
  /**
   * Whether WeChat's behaviour before 2026-04-30 is played: the legacy fastregisterweapp and the
   * old versions (no new_version) of personal registration and trial conversion answer. Off by
   * default, as on today's WeChat; set by the option or the control API.
   */
  legacyEnterprise: boolean;
}

const byState = new WeakMap<EmulatorState, Registrations>();

export function registrations(ctx: EmulatorContext): Registrations {
  let r = byState.get(ctx.state);
  if (!r) {
    r = {
      tasks: new Map(),
      betaApps: new Map(),
      seq: 0,
      legacyEnterprise: ctx.settings.legacyEnterpriseRegistration,
    };
    byState.set(ctx.state, r);
  }
  return r;
}

export function openTask(ctx: EmulatorContext, subject: string): RegistrationTask | undefined {
  return [...registrations(ctx).tasks.values()].find(
    (t) => t.subject === subject && t.state === 'pending',
  );
}

export function addTask(
  ctx: EmulatorContext,
  input: Omit<RegistrationTask, 'id' | 'state' | 'createdAt'>,
): RegistrationTask {
  const r = registrations(ctx);
  r.seq++;
  const task: RegistrationTask = {
    ...input,
    id: `reg_${r.seq}`,
    state: 'pending',
    createdAt: nowMs(ctx),
  };
  r.tasks.set(task.id, task);
  return task;
}

export function taskView(t: RegistrationTask): Record<string, unknown> {
  return {
    id: t.id,
    kind: t.kind,
    state: t.state,
    data: t.data,
    ...(t.taskid ? { taskid: t.taskid } : {}),
    ...(t.uniqueId ? { unique_id: t.uniqueId } : {}),
    ...(t.authorizeUrl ? { authorize_url: t.authorizeUrl } : {}),
    ...(t.appid ? { appid: t.appid } : {}),
  };
}

/** A new mini program, authorized to the platform with every mini program permission set. */
function createAuthorizedMiniProgram(
  ctx: EmulatorContext,
  nickname: string,
  principal: string,
): { appid: string; authCode: string; expiresAt: number } {
  const merchant = insertMerchant(ctx, {
    type: 'miniprogram',
    nickname,
    principal_name: principal,
  });
  const now = nowMs(ctx);
  const authCode = ctx.ids.authCode();
  const expiresAt = now + ctx.settings.authCodeTtlSeconds * 1000;
  ctx.state.authCodes.set(authCode, {
    value: authCode,
    authorizerAppid: merchant.appid,
    preAuthCode: '',
    expiresAt,
    consumed: false,
  });
  capMap(ctx.state.authCodes, CODES_MAX);
  ctx.state.authorizations.set(merchant.appid, {
    appid: merchant.appid,
    status: 'authorized',
    funcIds: defaultFuncIds('miniprogram'),
    refreshToken: ctx.ids.refreshToken(),
    authTime: nowSeconds(ctx),
    options: {},
  });
  return { appid: merchant.appid, authCode, expiresAt };
}

const INFO_TYPE: Readonly<Record<RegistrationKind, string>> = {
  enterprise: 'notify_third_fasteregister',
  personal: 'notify_third_fasteregister',
  beta: 'notify_third_fastregisterbetaapp',
  beta_verify: 'notify_third_fastverifybetaapp',
};

/**
 * Default failure status per kind: not confirmed within 24 h, or a generic refusal. Assumed (no
 * doc): the push docs list a status code per kind of failure (1000xx) without saying which a
 * generic refusal carries; 1 for the trial flow likewise. So are
 * `info.taskid` in the pushes of the URL flows and the query status mapping 0 / 12 / 2.
 */
const FAILED_STATUS: Readonly<Record<RegistrationKind, number>> = {
  enterprise: 100003,
  personal: 100003,
  beta: 1,
  beta_verify: 100003,
};

function infoOf(task: RegistrationTask): Record<string, string | number> {
  if (task.kind === 'beta')
    return { unique_id: task.uniqueId ?? '', name: String(task.data['name']) };
  if (task.taskid) return { ...task.data, taskid: task.taskid };
  return task.data;
}

function displayName(task: RegistrationTask): string {
  const d = task.data;
  return String(d['name'] ?? d['enterprise_name'] ?? d['idname'] ?? 'mini program');
}

export interface ProgressResult {
  task: RegistrationTask;
  pushes: PushResult[];
}

export class RegistrationControlError extends Error {}

/** Ends a pending task as confirmed or rejected and pushes what WeChat would push. */
export async function progressTask(
  ctx: EmulatorContext,
  id: string,
  input: { result: 'legal_person_confirmed' | 'rejected'; reason?: string; status?: number },
): Promise<ProgressResult> {
  const task = registrations(ctx).tasks.get(id);
  if (!task) throw new RegistrationControlError(`unknown registration task ${id}`);
  if (task.state !== 'pending') {
    throw new RegistrationControlError(`registration task ${id} is already ${task.state}`);
  }
  const fields: Record<string, unknown> = {};
  const pushes: PushResult[] = [];
  let authorizedXml: string | undefined;
  if (input.result === 'rejected') {
    task.state = 'failed';
    fields['status'] = input.status ?? FAILED_STATUS[task.kind];
    fields['msg'] = input.reason ?? 'rejected';
  } else {
    task.state = 'succeeded';
    fields['status'] = 0;
    fields['msg'] = 'OK';
    if (task.kind === 'beta_verify') {
      const app = task.appid ? registrations(ctx).betaApps.get(task.appid) : undefined;
      if (app) app.converted = true;
    } else {
      const suffix = task.kind === 'beta' ? '的体验小程序' : '';
      const created = createAuthorizedMiniProgram(
        ctx,
        `${displayName(task)}${suffix}`,
        task.kind === 'enterprise' ? String(task.data['name']) : '个人',
      );
      task.appid = created.appid;
      if (task.kind === 'beta') {
        registrations(ctx).betaApps.set(created.appid, {
          name: String(task.data['name']),
          converted: false,
        });
        authorizedXml = authEventXml(ctx, 'authorized', {
          AuthorizerAppid: created.appid,
          AuthorizationCode: created.authCode,
          AuthorizationCodeExpiredTime: Math.floor(created.expiresAt / 1000),
        });
      } else {
        fields['auth_code'] = created.authCode;
      }
    }
  }
  const xml = buildXml({
    AppId: ctx.state.component.appid,
    CreateTime: nowSeconds(ctx),
    InfoType: INFO_TYPE[task.kind],
    ...(task.appid ? { appid: task.appid } : {}),
    status: fields['status'],
    ...(fields['auth_code'] ? { auth_code: fields['auth_code'] } : {}),
    msg: fields['msg'],
    info: infoOf(task),
  });
  pushes.push(await pushAuthEvent(ctx, xml));
  if (authorizedXml) pushes.push(await pushAuthEvent(ctx, authorizedXml));
  return { task, pushes };
}
