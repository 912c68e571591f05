import { applyAuditPolicy } from '../audit-policy.ts';
import {
  appCode,
  codeState,
  commitCode,
  inFlight,
  releaseAudited,
  rollback,
  submitAudit,
  undoAudit,
} from '../code.ts';
import { nowSeconds, type EmulatorContext } from '../context.ts';
import { categoryName, mpConfig } from '../mp-config.ts';
import { requireCodePrivacy } from '../privacy-interfaces.ts';
import { DEVELOPMENT_FUNC_ID } from '../merchants.ts';
import { WxApiError } from '../wx-error.ts';
import { BINARY, OK, type Caller, type HandlerTable } from './types.ts';

/**
 * The code pipeline APIs (authorizer token of a mini program): commit, trial QR code, audits,
 * release, rollback, phased release, service status. Reference: ../shared/wechat/02 §3, §8.3.
 */
function miniProgram(ctx: EmulatorContext, caller: Caller): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  if (ctx.state.merchants.get(caller.appid)?.type !== 'miniprogram') throw new WxApiError(86000);
  // Without permission set 18 WeChat answers 61007. Source: doc
  // Third-party_Platforms/2.0/product/miniprogram_authority.
  const granted = ctx.state.authorizations.get(caller.appid)?.funcIds ?? [];
  if (!granted.includes(DEVELOPMENT_FUNC_ID)) throw new WxApiError(61007);
  applyAuditPolicy(ctx);
  return caller.appid;
}

function requireBody(raw: string | undefined): void {
  if (raw === undefined || raw.trim() === '') throw new WxApiError(44002);
}

/** A tiny valid JPEG (1×1, grey) standing in for the trial QR code. */
const QR_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=',
  'base64',
);

export const codeHandlers: HandlerTable = {
  commit: {
    handle({ ctx, body, caller }) {
      commitCode(ctx, miniProgram(ctx, caller), body);
      return { ...OK };
    },
  },
  get_page: {
    handle({ ctx, caller }) {
      const trial = appCode(ctx, miniProgram(ctx, caller)).trial;
      if (!trial) throw new WxApiError(86001);
      return { ...OK, page_list: [...trial.pages] };
    },
  },
  get_qrcode: {
    handle({ ctx, caller }) {
      if (!appCode(ctx, miniProgram(ctx, caller)).trial) throw new WxApiError(86001);
      return { [BINARY]: { contentType: 'image/jpeg', filename: 'QRCode.jpg', bytes: QR_JPEG } };
    },
  },
  submit_audit: {
    handle({ ctx, body, caller }) {
      const appid = miniProgram(ctx, caller);
      const code = appCode(ctx, appid);
      if (!code.trial) throw new WxApiError(85086);
      if (inFlight(code.audit)) throw new WxApiError(85009);
      // item_list is optional ("审核项列表（选填，至多填写 5 项）"; developers confirm a call
      // without it is accepted); a list that is sent must hold 1 to 5 items (85023).
      // Source: doc openApi/miniprogram-management/code-management/api_submitaudit;
      // community/develop/doc/000ece26dcc6501e8c30aeea160800.
      const items = body.item_list ?? [];
      if (body.item_list !== undefined && (items.length < 1 || items.length > 5)) {
        throw new WxApiError(85023);
      }
      const categories = mpConfig(ctx, appid).categories.filter((c) => c.audit_status === 3);
      for (const item of items) {
        const ok = categories.some((c) => c.first === item.first_id && c.second === item.second_id);
        if (!ok) throw new WxApiError(85008, `category ${item.first_id}/${item.second_id}`);
        if (item.address !== undefined && !code.trial.pages.includes(item.address)) {
          throw new WxApiError(85007, `no page ${item.address}`);
        }
      }
      requireCodePrivacy(ctx, appid, body.privacy_api_not_use === true);
      const audit = submitAudit(ctx, appid);
      return { ...OK, auditid: audit.auditid };
    },
  },
  get_auditstatus: {
    handle({ ctx, body, caller }) {
      const appid = miniProgram(ctx, caller);
      const audit = codeState(ctx).audits.get(body.auditid);
      if (!audit || audit.appid !== appid) throw new WxApiError(85012);
      return { ...OK, status: audit.status, reason: audit.reason, screenshot: audit.screenshot };
    },
  },
  get_latest_auditstatus: {
    handle({ ctx, caller }) {
      const audit = appCode(ctx, miniProgram(ctx, caller)).latestAudit;
      if (!audit) throw new WxApiError(85058);
      return {
        ...OK,
        auditid: audit.auditid,
        status: audit.status,
        reason: audit.reason,
        ScreenShot: audit.screenshot,
        user_version: audit.version.user_version,
        user_desc: audit.version.user_desc,
        submit_audit_time: audit.submit_time,
      };
    },
  },
  undocodeaudit: {
    handle({ ctx, caller }) {
      undoAudit(ctx, miniProgram(ctx, caller));
      return { ...OK };
    },
  },
  speedupaudit: {
    handle({ ctx, body, caller }) {
      const code = appCode(ctx, miniProgram(ctx, caller));
      const s = codeState(ctx);
      const audit = code.audit;
      if (!audit || audit.auditid !== body.auditid || audit.status !== 2) {
        throw new WxApiError(89402);
      }
      if (code.expedited.has(audit.auditid)) throw new WxApiError(89404);
      if (s.quota.speedupUsed >= s.quota.speedupLimit) throw new WxApiError(89405);
      s.quota.speedupUsed++;
      code.expedited.add(audit.auditid);
      return { ...OK };
    },
  },
  queryquota: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      const q = codeState(ctx).quota;
      return {
        ...OK,
        rest: Math.max(0, q.limit - q.used),
        limit: q.limit,
        speedup_rest: Math.max(0, q.speedupLimit - q.speedupUsed),
        speedup_limit: q.speedupLimit,
      };
    },
  },
  release: {
    handle({ ctx, caller, raw }) {
      const appid = miniProgram(ctx, caller);
      requireBody(raw);
      releaseAudited(ctx, appid);
      return { ...OK };
    },
  },
  revertcoderelease: {
    handle({ ctx, body, caller }) {
      const appid = miniProgram(ctx, caller);
      const code = appCode(ctx, appid);
      if (body.action === 'get_history_version') {
        // The list includes the online version: assumed (no doc says whether it does; the doc
        // sample of revertcoderelease's get_history_version shows only the version fields).
        const versions = [...code.history, ...(code.online ? [code.online] : [])];
        return {
          ...OK,
          version_list: versions.map((v) => ({
            app_version: v.app_version,
            user_version: v.user_version,
            user_desc: v.user_desc,
            commit_time: v.commit_time,
          })),
        };
      }
      if (body.action !== undefined) throw new WxApiError(40097, `unknown action ${body.action}`);
      let version: number | undefined;
      if (body.app_version !== undefined) {
        version = Number(body.app_version);
        if (!Number.isInteger(version)) throw new WxApiError(40097, 'app_version');
      }
      rollback(ctx, appid, version);
      return { ...OK };
    },
  },
  grayrelease: {
    handle({ ctx, body, caller }) {
      const code = appCode(ctx, miniProgram(ctx, caller));
      // 85079 "小程序没有线上版本，不能进行灰度" and 85080 "小程序提交的审核未审核通过" (doc
      // grayrelease errcode table, as collected in WxJava WxMaErrorMsgEnum). Allowing 0 % when
      // debuger- or experiencer-first is set, and the plan completing at release: assumed (no
      // doc).
      if (!code.online) throw new WxApiError(85079);
      if (!code.audit || code.audit.status !== 0) throw new WxApiError(85080);
      const pct = body.gray_percentage;
      const debuger = body.support_debuger_first ?? false;
      const experiencer = body.support_experiencer_first ?? false;
      if (
        !Number.isInteger(pct) ||
        pct < 0 ||
        pct > 100 ||
        (pct === 0 && !debuger && !experiencer)
      ) {
        throw new WxApiError(85081);
      }
      const running = code.gray?.status === 1 ? code.gray : null;
      if (running && pct <= running.percentage) throw new WxApiError(85082);
      code.gray = {
        status: 1,
        percentage: pct,
        debugerFirst: debuger,
        experiencerFirst: experiencer,
        createTime: running?.createTime ?? nowSeconds(ctx),
      };
      return { ...OK };
    },
  },
  getgrayreleaseplan: {
    handle({ ctx, caller }) {
      const gray = appCode(ctx, miniProgram(ctx, caller)).gray;
      return {
        ...OK,
        gray_release_plan: {
          status: gray?.status ?? 0,
          create_timestamp: gray?.createTime ?? 0,
          gray_percentage: gray?.percentage ?? 0,
          support_debuger_first: gray?.debugerFirst ?? false,
          support_experiencer_first: gray?.experiencerFirst ?? false,
        },
      };
    },
  },
  revertgrayrelease: {
    handle({ ctx, caller }) {
      const code = appCode(ctx, miniProgram(ctx, caller));
      if (code.gray?.status === 1) code.gray.status = 4;
      return { ...OK };
    },
  },
  change_visitstatus: {
    handle({ ctx, body, caller }) {
      const code = appCode(ctx, miniProgram(ctx, caller));
      if (body.action !== 'open' && body.action !== 'close') throw new WxApiError(85022);
      // 85021 "状态不可变" without an online version: assumed (no doc says what closing a
      // mini program that never went online answers).
      if (!code.online) throw new WxApiError(85021, 'no online version');
      code.visitStatus = body.action === 'open' ? 'open' : 'closed';
      return { ...OK };
    },
  },
  getversioninfo: {
    handle({ ctx, caller, raw }) {
      const code = appCode(ctx, miniProgram(ctx, caller));
      requireBody(raw);
      return {
        ...OK,
        ...(code.trial
          ? {
              exp_info: {
                exp_time: code.trial.commit_time,
                exp_version: code.trial.user_version,
                exp_desc: code.trial.user_desc,
              },
            }
          : {}),
        ...(code.online
          ? {
              release_info: {
                release_time: code.online.release_time,
                release_version: code.online.user_version,
                release_desc: code.online.user_desc,
              },
            }
          : {}),
      };
    },
  },
  get_category: {
    handle({ ctx, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      return {
        ...OK,
        category_list: cfg.categories
          .filter((c) => c.audit_status === 3)
          .map((c) => ({
            first_class: categoryName(c.first),
            second_class: categoryName(c.second),
            third_class: '',
            first_id: c.first,
            second_id: c.second,
            third_id: 0,
          })),
      };
    },
  },
};
