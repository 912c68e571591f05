import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { codeState } from './code.ts';
import { nowSeconds, type EmulatorContext } from './context.ts';
import { readControlBody } from './control-body.ts';
import { authEventXml, pushAuthEvent, type PushResult } from './pushes.ts';
import type { EmulatorState } from './state.ts';

/**
 * ICP filing (小程序备案) as WeChat keeps it per mini program: the status that
 * get_icp_entrance_info reports (1024 not filed → 2 platform review → 4 bureau review → 6 filed;
 * 3 and 5 rejected with audit_data), the administrator's face verifications, the uploaded media
 * and the application. The control API (`POST /control/icp/:appid`) plays the face verification
 * and the reviewers, and the audit policy's `auto_pass_after_seconds` passes filings in review
 * as it passes code audits. Decisions are pushed to the authorization-event URL:
 * `notify_icpfiling_verify_result` (task_id, verify_appid, result 2 failed / 3 passed) and
 * `notify_apply_icpfiling_result` (authorizer_appid, beian_status).
 * Reference: ../shared/wechat/02 §5.7; ../shared/wechat/01 §5.6; SKIT
 * `Events/OpenComponent/NotifyApplyICPFilingResultEvent.cs`; WxJava `bean/icp/*`.
 */
export const ICP_NOT_FILED = 1024;
export const ICP_PLATFORM_REVIEW = 2;
export const ICP_PLATFORM_REJECTED = 3;
export const ICP_BUREAU_REVIEW = 4;
export const ICP_BUREAU_REJECTED = 5;
export const ICP_FILED = 6;

export interface IcpAuditData {
  key_name: string;
  error: string;
  suggest: string;
}

export interface IcpVerifyTask {
  task_id: string;
  appid: string;
  /** 0 not started, 1 waiting, 2 failed, 3 passed (WxJava WxOpenIcpVerifyTaskResult). */
  face_status: 0 | 1 | 2 | 3;
  along_with_auth: boolean;
  created_at: number;
}

export interface IcpMedia {
  appid: string;
  type: 'image' | 'video';
  certificate_type: number | null;
  icp_order_field: string;
  size: number;
  created_at: number;
}

export interface IcpApp {
  status: number;
  is_canceling: boolean;
  audit_data: IcpAuditData[];
  /** Entrance open (1) or closed (0), as get_icp_entrance_info's `available`. */
  available: 0 | 1;
  /** Emulator seconds when the status last changed (the audit policy counts from there). */
  since: number;
  application: Record<string, unknown> | null;
  record_number: string | null;
}

interface IcpState {
  apps: Map<string, IcpApp>;
  tasks: Map<string, IcpVerifyTask>;
  media: Map<string, IcpMedia>;
  filed: number;
}

const states = new WeakMap<EmulatorState, IcpState>();

export function icpState(ctx: EmulatorContext): IcpState {
  let s = states.get(ctx.state);
  if (!s) {
    s = { apps: new Map(), tasks: new Map(), media: new Map(), filed: 0 };
    states.set(ctx.state, s);
  }
  return s;
}

/** A mini program starts unfiled: filing is required of mini programs created since 2023-09. */
export function icpApp(ctx: EmulatorContext, appid: string): IcpApp {
  const s = icpState(ctx);
  let app = s.apps.get(appid);
  if (!app) {
    app = {
      status: ICP_NOT_FILED,
      is_canceling: false,
      audit_data: [],
      available: 1,
      since: nowSeconds(ctx),
      application: null,
      record_number: null,
    };
    s.apps.set(appid, app);
  }
  return app;
}

/** get_icp_entrance_info's `info`. */
export function entranceInfo(app: IcpApp): Record<string, unknown> {
  return {
    status: app.status,
    is_canceling: app.is_canceling,
    ...(app.audit_data.length > 0 ? { audit_data: app.audit_data } : {}),
    available: app.available,
    ...(app.status === ICP_BUREAU_REVIEW ? { sms_verify_status: 1 } : {}),
  };
}

/**
 * Small dictionaries with WeChat's shapes. Subject, certificate, pre-approval and service content
 * entries are those of the SKIT model samples (`ModelSamples/WxaComponent/ICP/*`); districts are
 * a subset of the national codes (GB/T 2260).
 */
export const SUBJECT_TYPES = [
  { type: 1, name: '国防机构' },
  { type: 2, name: '政府机关' },
  { type: 3, name: '事业单位' },
  { type: 4, name: '企业' },
  { type: 5, name: '个人' },
] as const;

export const CERTIFICATE_TYPES = [
  { type: 1, subject_type: 4, name: '营业执照（个人或企业）' },
  { type: 2, subject_type: 5, name: '居民身份证' },
] as const;

export const NRLX_TYPES = [
  { type: 1, name: '新闻' },
  { type: 2, name: '出版' },
  { type: 3, name: '教育' },
  { type: 4, name: '医疗保健' },
  { type: 5, name: '药品和医疗器械' },
  { type: 6, name: '电子公告服务' },
  { type: 9, name: '文化' },
  { type: 10, name: '广播电影电视节目' },
  { type: 11, name: '网络预约车' },
  { type: 13, name: '互联网金融' },
  { type: 14, name: '校外培训' },
  { type: 15, name: '宗教' },
  { type: 24, name: '以上都不涉及' },
] as const;
/** "以上都不涉及": the pre-approval type that needs no approval code. */
export const NRLX_NONE = 24;

export const SERVICE_CONTENT_TYPES: ReadonlyArray<{
  type: number;
  parent_type: number;
  name: string;
  remark?: string;
}> = [
  { type: 1, parent_type: 500, name: '生活缴费', remark: '水电煤气话费等' },
  { type: 2, parent_type: 500, name: '招聘' },
];

export interface District {
  type: 1 | 2 | 3;
  code: number;
  name: string;
  sub_list?: District[];
}

export const DISTRICTS: readonly District[] = [
  {
    type: 1,
    code: 110000,
    name: '北京市',
    sub_list: [
      {
        type: 2,
        code: 110100,
        name: '市辖区',
        sub_list: [
          { type: 3, code: 110101, name: '东城区' },
          { type: 3, code: 110102, name: '西城区' },
          { type: 3, code: 110105, name: '朝阳区' },
        ],
      },
    ],
  },
  {
    type: 1,
    code: 440000,
    name: '广东省',
    sub_list: [
      {
        type: 2,
        code: 440300,
        name: '深圳市',
        sub_list: [
          { type: 3, code: 440304, name: '福田区' },
          { type: 3, code: 440305, name: '南山区' },
        ],
      },
    ],
  },
];

/** Whether province > city > district is a path of the district tree. */
export function isDistrictPath(province: number, city: number, district: number): boolean {
  const p = DISTRICTS.find((d) => d.code === province);
  const c = p?.sub_list?.find((d) => d.code === city);
  return c?.sub_list?.some((d) => d.code === district) ?? false;
}

function push(ctx: EmulatorContext, infoType: string, fields: Record<string, string | number>) {
  return pushAuthEvent(ctx, authEventXml(ctx, infoType, fields));
}

/** Sets a new status and pushes notify_apply_icpfiling_result (beian_status). */
function setStatus(
  ctx: EmulatorContext,
  appid: string,
  app: IcpApp,
  status: number,
  reasons: IcpAuditData[] = [],
): Promise<PushResult> {
  app.status = status;
  app.since = nowSeconds(ctx);
  app.audit_data = reasons;
  if (status === ICP_FILED && !app.record_number) {
    const s = icpState(ctx);
    s.filed++;
    app.record_number = `京ICP备${String(20_230_000 + s.filed)}号-1X`;
  }
  return push(ctx, 'notify_apply_icpfiling_result', {
    authorizer_appid: appid,
    beian_status: status,
  });
}

export type Decision = { result: 'approved' } | { result: 'rejected'; reason?: string };

export class IcpControlError extends Error {}

/**
 * The reviewers decide the filing of `appid`: platform review (2) → bureau review (4) or
 * rejected (3); bureau review (4) → filed (6) or rejected (5). A cancellation in progress is
 * completed (→ 1024) or refused. An app with no application approved is filed as if the merchant
 * had filed it outside the platform (in the mini program's own console).
 */
export function decideFiling(
  ctx: EmulatorContext,
  appid: string,
  decision: Decision,
): Promise<PushResult> {
  const app = icpApp(ctx, appid);
  const rejected = (key: string): IcpAuditData[] => [
    {
      key_name: key,
      error: (decision.result === 'rejected' && decision.reason) || '材料不符合要求',
      suggest: '请按要求修改后重新提交',
    },
  ];
  if (app.is_canceling) {
    app.is_canceling = false;
    if (decision.result === 'rejected') return Promise.resolve(noPush());
    app.application = null;
    app.record_number = null;
    return setStatus(ctx, appid, app, ICP_NOT_FILED);
  }
  switch (app.status) {
    case ICP_PLATFORM_REVIEW:
      return decision.result === 'approved'
        ? setStatus(ctx, appid, app, ICP_BUREAU_REVIEW)
        : setStatus(ctx, appid, app, ICP_PLATFORM_REJECTED, rejected('主体信息'));
    case ICP_BUREAU_REVIEW:
      return decision.result === 'approved'
        ? setStatus(ctx, appid, app, ICP_FILED)
        : setStatus(ctx, appid, app, ICP_BUREAU_REJECTED, rejected('小程序信息'));
    default:
      if (decision.result === 'approved' && app.status !== ICP_FILED) {
        return setStatus(ctx, appid, app, ICP_FILED);
      }
      throw new IcpControlError(`no filing of ${appid} is under review (status ${app.status})`);
  }
}

/** A decision that changes nothing WeChat reports, so nothing is pushed. */
function noPush(): PushResult {
  return { ok: true, status: 0, body: '' };
}

/** The latest face verification of `appid` still waiting, decided; pushes its result. */
export function decideFace(
  ctx: EmulatorContext,
  appid: string,
  result: 'approved' | 'rejected',
): Promise<PushResult> {
  const waiting = [...icpState(ctx).tasks.values()].filter(
    (t) => t.appid === appid && t.face_status < 2,
  );
  const task = waiting.at(-1);
  if (!task) throw new IcpControlError(`no face verification of ${appid} is waiting`);
  task.face_status = result === 'approved' ? 3 : 2;
  return push(ctx, 'notify_icpfiling_verify_result', {
    task_id: task.task_id,
    verify_appid: appid,
    result: task.face_status,
  });
}

/** The audit policy passes filings in review for `afterSeconds` (each review stage in turn). */
export function applyIcpPolicy(ctx: EmulatorContext, afterSeconds: number): void {
  const now = nowSeconds(ctx);
  for (const [appid, app] of icpState(ctx).apps) {
    const inReview = app.status === ICP_PLATFORM_REVIEW || app.status === ICP_BUREAU_REVIEW;
    if ((inReview || app.is_canceling) && now >= app.since + afterSeconds) {
      ctx.track(decideFiling(ctx, appid, { result: 'approved' }));
    }
  }
}

/** Runs the audit policy's ICP part when the policy is set (called when the ICP APIs look). */
export function applyIcpPolicyIfSet(ctx: EmulatorContext): void {
  const after = codeState(ctx).policy.autoPassAfterSeconds;
  if (after !== null) applyIcpPolicy(ctx, after);
}

const controlBody = z.object({
  step: z.enum(['face', 'filing']),
  result: z.enum(['approved', 'rejected']),
  reason: z.string().trim().min(1).max(500).optional(),
});

/** `POST /control/icp/:appid` decides a face verification or a filing; `GET` shows the state. */
export function registerIcpControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const view = (appid: string) => {
    const a = icpApp(ctx, appid);
    return {
      appid,
      info: entranceInfo(a),
      record_number: a.record_number,
      verify_tasks: [...icpState(ctx).tasks.values()].filter((t) => t.appid === appid),
      media: [...icpState(ctx).media.entries()]
        .filter(([, m]) => m.appid === appid)
        .map(([media_id, m]) => ({ media_id, ...m })),
    };
  };
  app.get<{ Params: { appid: string } }>('/control/icp/:appid', (req, reply) => {
    if (ctx.state.merchants.get(req.params.appid)?.type !== 'miniprogram') {
      return reply.code(404).send({ error: `no mini program ${req.params.appid}` });
    }
    return view(req.params.appid);
  });
  app.post<{ Params: { appid: string } }>('/control/icp/:appid', async (req, reply) => {
    const appid = req.params.appid;
    if (ctx.state.merchants.get(appid)?.type !== 'miniprogram') {
      return reply.code(404).send({ error: `no mini program ${appid}` });
    }
    const input = readControlBody(controlBody, req.body);
    if (!input.ok) return reply.code(400).send({ error: input.error });
    const { step, result, reason } = input.value;
    let pushed: PushResult;
    try {
      pushed =
        step === 'face'
          ? await decideFace(ctx, appid, result)
          : await decideFiling(
              ctx,
              appid,
              result === 'approved' ? { result } : { result, ...(reason ? { reason } : {}) },
            );
    } catch (err) {
      if (err instanceof IcpControlError) return reply.code(409).send({ error: err.message });
      throw err;
    }
    return { ...view(appid), push: pushed };
  });
}
