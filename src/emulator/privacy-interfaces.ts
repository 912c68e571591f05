import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { buildXml } from '../crypto/xml.ts';
import { appCode, codeState } from './code.ts';
import { nowSeconds, type EmulatorContext } from './context.ts';
import { readControlBody } from './control-body.ts';
import { pushMessage, type MessagePushResult } from './pushes.ts';
import type { EmulatorState } from './state.ts';
import { WxApiError } from './wx-error.ts';

/**
 * Privacy interfaces (隐私接口) of each mini program: the location APIs that need an application
 * (apply_privacy_interface, get_privacy_interface), the interfaces the committed code uses, and
 * the privacy-interface detection that get_code_privacy_info and submit_audit answer from.
 *
 * Sources: doc openApi/miniprogram-management/privacy-api-management/api_getprivacyinterface
 * (status 1 to apply for, 2 no permission, 3 applying, 4 rejected, 5 granted; example rows
 * wx.chooseAddress and wx.choosePoi with group_name 地理位置); doc
 * Third-party_Platforms/2.0/product/apply_privacy_api (used or declared location APIs without
 * permission, or used but not declared in ext_json requiredPrivateInfos, make submit_audit answer
 * 61040; privacy_api_not_use waives the undeclared ones); doc api_getcodeprivacyinfo.
 *
 * What the code uses: WeChat finds it by scanning the uploaded package, which the emulator does
 * not have. A control call sets, per mini program, the interfaces its code calls
 * (POST /control/privacy-interfaces/:appid/used); the detection applies them to the committed
 * version. What the code declares is read from the committed ext_json's requiredPrivateInfos
 * (names without the `wx.` prefix, as the mini program docs write them).
 */

/** The interfaces that need an application (the requiredPrivateInfos list of the mini program docs). */
export const PRIVACY_INTERFACES: ReadonlyArray<{
  api_name: string;
  api_ch_name: string;
  api_desc?: string;
  api_link: string;
}> = [
  {
    api_name: 'wx.chooseAddress',
    // name and description as in the get_privacy_interface doc example
    api_ch_name: '获取用户收货地址',
    api_desc: '调起用户编辑收货地址原生界面,并在编辑完成后返回用户选择的地址。',
    api_link:
      'https://developers.weixin.qq.com/miniprogram/dev/api/open-api/address/wx.chooseAddress.html',
  },
  {
    api_name: 'wx.choosePoi',
    api_ch_name: '选择位置,支持模糊定位(精确到市)和精确定位混选',
    api_desc: '选择位置,支持模糊定位和精确定位混选',
    api_link: 'https://developers.weixin.qq.com/miniprogram/dev/api/location/wx.choosePoi.html',
  },
  // The others: the Chinese name is the api_name, as a real answer quoted on the WeChat
  // community shows for wx.startLocationUpdate (community/develop/doc/00002c94478f885212ef221385ac00).
  ...[
    'wx.chooseLocation',
    'wx.getFuzzyLocation',
    'wx.getLocation',
    'wx.onLocationChange',
    'wx.startLocationUpdate',
    'wx.startLocationUpdateBackground',
  ].map((api_name) => ({
    api_name,
    api_ch_name: api_name,
    api_link: `https://developers.weixin.qq.com/miniprogram/dev/api/location/${api_name}.html`,
  })),
];
export const PRIVACY_INTERFACE_NAMES = PRIVACY_INTERFACES.map((i) => i.api_name);
const GROUP = '地理位置';

/** get_privacy_interface status values. */
export const STATUS = {
  toApply: 1,
  noPermission: 2,
  applying: 3,
  rejected: 4,
  granted: 5,
} as const;

interface Application {
  status: number;
  audit_id: number;
  apply_time: number;
  audit_time?: number;
  fail_reason?: string;
  content: string;
}

interface AppPrivacy {
  applications: Map<string, Application>;
  /** The interfaces the mini program's code calls (set by control). */
  used: string[];
}

interface PrivacyState {
  apps: Map<string, AppPrivacy>;
  auditSeq: number;
}

const states = new WeakMap<EmulatorState, PrivacyState>();

/** The whole area (also what the snapshot of the world holds, persistence.ts). */
export function privacyState(ctx: EmulatorContext): PrivacyState {
  let s = states.get(ctx.state);
  if (!s) {
    s = { apps: new Map(), auditSeq: 0 };
    states.set(ctx.state, s);
  }
  return s;
}

export function appPrivacy(ctx: EmulatorContext, appid: string): AppPrivacy {
  const s = privacyState(ctx);
  let a = s.apps.get(appid);
  if (!a) {
    a = { applications: new Map(), used: [] };
    s.apps.set(appid, a);
  }
  return a;
}

export function nextPrivacyAuditId(ctx: EmulatorContext): number {
  const s = privacyState(ctx);
  s.auditSeq++;
  return 421_600_000 + s.auditSeq;
}

/** One get_privacy_interface row. */
export function interfaceRow(ctx: EmulatorContext, appid: string, api_name: string) {
  const def = PRIVACY_INTERFACES.find((i) => i.api_name === api_name);
  const app = appPrivacy(ctx, appid).applications.get(api_name);
  return {
    api_name,
    api_ch_name: def?.api_ch_name ?? api_name,
    ...(def?.api_desc === undefined ? {} : { api_desc: def.api_desc }),
    status: app?.status ?? STATUS.toApply,
    ...(app
      ? {
          audit_id: app.audit_id,
          apply_time: app.apply_time,
          ...(app.fail_reason === undefined ? {} : { fail_reason: app.fail_reason }),
        }
      : {}),
    api_link: def?.api_link ?? '',
    group_name: GROUP,
  };
}

/** The requiredPrivateInfos of an ext_json, as api names (`wx.` added). */
function declaredIn(extJson: string): string[] {
  try {
    const ext: unknown = JSON.parse(extJson);
    const list = (ext as Record<string, unknown> | null)?.['requiredPrivateInfos'];
    if (!Array.isArray(list)) return [];
    return list.filter((n): n is string => typeof n === 'string').map((n) => `wx.${n}`);
  } catch {
    return [];
  }
}

export interface CodePrivacyInfo {
  /** Detection still running (61039). */
  running: boolean;
  without_auth_list: string[];
  without_conf_list: string[];
  /** Declared in ext_json but without permission: privacy_api_not_use does not waive these. */
  declared_without_auth: string[];
}

/** The detection result for the committed version; null when nothing is committed. */
export function codePrivacyInfo(ctx: EmulatorContext, appid: string): CodePrivacyInfo | null {
  const trial = appCode(ctx, appid).trial;
  if (!trial) return null;
  const running = nowSeconds(ctx) < trial.commit_time + codeState(ctx).policy.privacyScanSeconds;
  const app = appPrivacy(ctx, appid);
  const declared = declaredIn(trial.ext_json).filter((n) => PRIVACY_INTERFACE_NAMES.includes(n));
  const used = app.used;
  const granted = (n: string) => app.applications.get(n)?.status === STATUS.granted;
  const all = [...new Set([...used, ...declared])].sort();
  return {
    running,
    without_auth_list: all.filter((n) => !granted(n)),
    without_conf_list: used.filter((n) => !declared.includes(n)).sort(),
    declared_without_auth: declared.filter((n) => !granted(n)).sort(),
  };
}

/**
 * What submit_audit checks (after 61039): 61040 when a declared interface has no permission, or
 * the code uses undeclared interfaces and privacy_api_not_use is not set.
 */
export function requireCodePrivacy(
  ctx: EmulatorContext,
  appid: string,
  privacyApiNotUse: boolean,
): void {
  const info = codePrivacyInfo(ctx, appid);
  if (!info || info.running) return;
  const missing = [
    ...info.declared_without_auth,
    ...(privacyApiNotUse ? [] : info.without_conf_list),
  ];
  if (missing.length > 0) throw new WxApiError(61040, [...new Set(missing)].join(','));
}

const appidParam = z.string().min(1).max(64);
const decision = z.object({
  api_name: z.string().min(1).max(128),
  result: z.enum(['approved', 'rejected']),
  reason: z.string().max(600).optional(),
  /** false: decide without pushing wxa_privacy_apply (as if WeChat lost it). */
  push: z.boolean().optional(),
});
const usedBody = z.object({ api_names: z.array(z.string().min(1).max(128)).max(50) });

/**
 * The wxa_privacy_apply push (field names: SKIT Events WxaPrivacyApplyEvent; the
 * applyPrivacyInterface doc's example). Its status values are not documented: the example
 * shows 2 with a rejection reason; 1 for an approval is assumed.
 */
function privacyApplyXml(ctx: EmulatorContext, appid: string, api_name: string, a: Application) {
  return buildXml({
    ToUserName: ctx.state.merchants.get(appid)?.user_name ?? '',
    FromUserName: 'o6_bmasdasdsad6_2sgVt7hMZOPfL',
    CreateTime: nowSeconds(ctx),
    MsgType: 'event',
    Event: 'wxa_privacy_apply',
    result_info: {
      api_name,
      apply_time: a.apply_time,
      audit_id: a.audit_id,
      audit_time: a.audit_time ?? nowSeconds(ctx),
      reason: a.fail_reason ?? '',
      status: a.status === STATUS.granted ? 1 : 2,
    },
  });
}

/**
 * Control hooks: GET the privacy interfaces of a mini program (applications, used, detection),
 * POST .../used the interfaces its code calls, POST a decision on an application under review
 * (the wxa_privacy_apply event is pushed to the message URL unless push is false).
 */
export function registerPrivacyControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const isMp = (appid: string) => ctx.state.merchants.get(appid)?.type === 'miniprogram';
  const view = (appid: string) => ({
    appid,
    used: appPrivacy(ctx, appid).used,
    interface_list: PRIVACY_INTERFACE_NAMES.map((n) => interfaceRow(ctx, appid, n)),
    code_privacy: codePrivacyInfo(ctx, appid),
  });
  app.get<{ Params: { appid: string } }>('/control/privacy-interfaces/:appid', (req, reply) => {
    if (!isMp(req.params.appid)) {
      return reply.code(404).send({ error: `no mini program ${req.params.appid}` });
    }
    return view(req.params.appid);
  });
  app.post<{ Params: { appid: string } }>(
    '/control/privacy-interfaces/:appid/used',
    (req, reply) => {
      const appid = appidParam.safeParse(req.params.appid);
      if (!appid.success || !isMp(appid.data)) {
        return reply.code(404).send({ error: `no mini program ${req.params.appid}` });
      }
      const input = readControlBody(usedBody, req.body);
      if (!input.ok) return reply.code(400).send({ error: input.error });
      const unknown = input.value.api_names.filter((n) => !PRIVACY_INTERFACE_NAMES.includes(n));
      if (unknown.length > 0) {
        return reply.code(400).send({
          error: `api_names: not privacy interfaces: ${unknown.join(', ')} (known: ${PRIVACY_INTERFACE_NAMES.join(', ')})`,
        });
      }
      appPrivacy(ctx, appid.data).used = [...new Set(input.value.api_names)].sort();
      return view(appid.data);
    },
  );
  app.post<{ Params: { appid: string } }>(
    '/control/privacy-interfaces/:appid',
    async (req, reply) => {
      const appid = req.params.appid;
      if (!isMp(appid)) return reply.code(404).send({ error: `no mini program ${appid}` });
      const input = readControlBody(decision, req.body);
      if (!input.ok) return reply.code(400).send({ error: input.error });
      const { api_name, result, reason, push } = input.value;
      const a = appPrivacy(ctx, appid).applications.get(api_name);
      if (!a || a.status !== STATUS.applying) {
        return reply.code(409).send({ error: `no application for ${api_name} under review` });
      }
      a.status = result === 'approved' ? STATUS.granted : STATUS.rejected;
      a.audit_time = nowSeconds(ctx);
      if (result === 'rejected') a.fail_reason = reason ?? '小程序内未含有相应使用场景';
      else delete a.fail_reason;
      let pushed: MessagePushResult | null = null;
      if (push !== false)
        pushed = await pushMessage(ctx, appid, privacyApplyXml(ctx, appid, api_name, a));
      return { ...interfaceRow(ctx, appid, api_name), pushed: pushed?.ok ?? null };
    },
  );
}
