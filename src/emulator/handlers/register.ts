import { randomAlnum } from '../../core/random.ts';
import type { EmulatorContext } from '../context.ts';
import { addTask, openTask, registrations } from '../registrations.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type HandlerTable } from './types.ts';

/**
 * Fast registration (enterprise, personal), trial mini programs and their conversion. Creating a
 * task only records it; the control API confirms or rejects it.
 *
 * By default the emulator answers as WeChat does since 2026-04-30 12:00 (Beijing time): the
 * legacy fastregisterweapp answers `{"errcode":-1,"errmsg":"system error"}` (what WeChat answered
 * in 2026-05: community/develop/doc/000044ceb88098c22a152ff2c66000), and personal registration,
 * enterprise registration and trial conversion need `new_version: true` (notice
 * community/develop/doc/0004829e9105005ce7d480e6561401). What WeChat answers to an old version of
 * those three is not published; the emulator answers the same -1 as the retired legacy API.
 * The `legacy_enterprise_registration` switch (option or POST /control/registration-settings)
 * brings back the behaviour before that date for tests that need it.
 * Reference: ../shared/wechat/02 §0, §1, §7, §8.4; ../shared/wechat/03-fidelity-audit.md F1–F3, D1.
 */
/**
 * A WeChat ID: 6–20 letters, digits, `-` or `_`, starting with a letter (WeChat's own rule for
 * setting a 微信号); anything else is 86004 "invalid wechat" (doc Fast_Registration_Interface_document
 * errcode table). Assumed (no doc) that WeChat checks the form before looking the ID up.
 */
const WECHAT_ID = /^[a-zA-Z][-_a-zA-Z0-9]{5,19}$/;
/**
 * code per code_type (1 统一社会信用代码 18 characters, 2 组织机构代码 9, 3 营业执照注册号 15):
 * 89255 "code参数无效，请检查code长度以及内容是否正确；注意code_type的值不同需要传的code长度不一样"
 * (doc Fast_Registration_Interface_document errcode table, as collected in WxJava
 * WxMaErrorMsgEnum). The patterns beyond the lengths are assumed.
 */
const CODE_BY_TYPE: Readonly<Record<number, RegExp>> = {
  1: /^[0-9A-Z]{18}$/,
  2: /^[0-9A-Z]{8}-?[0-9A-Z]$/,
  3: /^\d{15}$/,
};
/**
 * Names hitting a keyword are 86011 "名称命中了关键字" (doc
 * openApi/register-management/fast-regist-beta/api_modifybetaminiprogramnickname). The keyword
 * list is assumed (no doc: WeChat's list is not published).
 */
const KEYWORDS = ['小程序', '微信', '腾讯', 'wechat', 'weixin', 'tencent'];
const hasKeyword = (name: string) => KEYWORDS.some((k) => name.toLowerCase().includes(k));

/**
 * The new versions (2026-04-30 notice, community/develop/doc/0004829e9105005ce7d480e6561401) take
 * an 18-character 统一社会信用代码 only; another code answers 89255: assumed (no doc names the
 * errcode).
 */
const USCC = /^[0-9A-Z]{18}$/;

/** Whether WeChat still serves the versions retired on 2026-04-30 (the control switch). */
const beforeRetirement = (ctx: EmulatorContext) => registrations(ctx).legacyEnterprise;

/** The answer of a retired API or API version: -1 "system error" (see above). */
const retired = () => new WxApiError(-1);

/** `action=query` of the URL flows: the task by its taskid, with status 0 / 12 / 2. */
function queryTask(ctx: EmulatorContext, taskid: string | undefined) {
  const task = [...registrations(ctx).tasks.values()].find((t) => t.taskid === taskid);
  if (!task || taskid === undefined) throw new WxApiError(89250);
  const status = task.state === 'succeeded' ? 12 : task.state === 'failed' ? 2 : 0;
  return { ...OK, taskid: task.taskid, authorize_url: task.authorizeUrl, status };
}

function checkEnterpriseCode(codeType: number | undefined, code: string): void {
  const rule = codeType === undefined ? undefined : CODE_BY_TYPE[codeType];
  if (!rule) throw new WxApiError(89248);
  if (!rule.test(code)) throw new WxApiError(89255);
}

/** A task of a URL flow: its taskid and the authorization URL the person opens. */
/**
 * The authorization URL of the new enterprise and personal flows. Assumed (no doc): the notice
 * says the platform receives a URL for the legal person or the user, not its form; only the
 * trial flow's URL shape (…/wxawap/fastregistertpbeta?action=show&create_token=) is documented.
 */
function urlTask(ctx: EmulatorContext, page: string): { taskid: string; authorizeUrl: string } {
  const taskid = randomAlnum(32, ctx.random);
  return { taskid, authorizeUrl: `https://mp.weixin.qq.com/wxawap/${page}?taskid=${taskid}` };
}

/** The open legacy enterprise task with this name and legal person (action=search). */
function searchEnterprise(ctx: EmulatorContext, name: string, wechat: string, person: string) {
  return [...registrations(ctx).tasks.values()].find(
    (t) =>
      t.kind === 'enterprise' &&
      t.taskid === undefined &&
      t.state === 'pending' &&
      t.data['name'] === name &&
      t.data['legal_persona_wechat'] === wechat &&
      t.data['legal_persona_name'] === person,
  );
}

export const registerHandlers: HandlerTable = {
  fastregisterweapp: {
    handle({ ctx, body, query }) {
      if (!beforeRetirement(ctx)) throw retired();
      if (query['action'] === 'search') {
        // Answered by errcode: 89251 while the legal person has not verified, 89250 otherwise.
        const task = searchEnterprise(
          ctx,
          body.name,
          body.legal_persona_wechat,
          body.legal_persona_name,
        );
        throw new WxApiError(task ? 89251 : 89250);
      }
      if (query['action'] !== 'create') throw new WxApiError(-1, 'action must be create or search');
      if (body.code === undefined || body.code_type === undefined) throw new WxApiError(89253);
      checkEnterpriseCode(body.code_type, body.code);
      if (!WECHAT_ID.test(body.legal_persona_wechat)) throw new WxApiError(86004);
      const subject = `enterprise ${body.name} ${body.code}`;
      if (openTask(ctx, subject)) throw new WxApiError(89249);
      addTask(ctx, {
        kind: 'enterprise',
        subject,
        data: {
          name: body.name,
          code: body.code,
          code_type: body.code_type,
          legal_persona_wechat: body.legal_persona_wechat,
          legal_persona_name: body.legal_persona_name,
          component_phone: body.component_phone ?? '',
        },
      });
      return { ...OK };
    },
  },

  fastregisterenterpriseweapp: {
    handle({ ctx, body, query }) {
      if (query['action'] === 'query') return queryTask(ctx, body.taskid);
      if (query['action'] !== 'create') throw new WxApiError(-1, 'invalid action');
      // The old version (legal_persona_openid, code_type) is not emulated.
      if (body.new_version !== true) throw retired();
      if (!body.name || !body.code || !body.component_phone) throw new WxApiError(89253);
      if (!USCC.test(body.code)) throw new WxApiError(89255);
      const subject = `enterprise ${body.name} ${body.code}`;
      if (openTask(ctx, subject)) throw new WxApiError(89249);
      const { taskid, authorizeUrl } = urlTask(ctx, 'fastregisterenterprise');
      addTask(ctx, {
        kind: 'enterprise',
        subject,
        taskid,
        authorizeUrl,
        data: { name: body.name, code: body.code, component_phone: body.component_phone },
      });
      return { ...OK, taskid, authorize_url: authorizeUrl, status: 0 };
    },
  },

  fastregisterpersonalweapp: {
    handle({ ctx, body, query }) {
      if (query['action'] === 'query') return queryTask(ctx, body.taskid);
      if (query['action'] !== 'create') throw new WxApiError(-1, 'invalid action');
      if (body.new_version !== true && !beforeRetirement(ctx)) throw retired();
      if (!body.idname || !body.wxuser) throw new WxApiError(89253);
      if (!WECHAT_ID.test(body.wxuser)) throw new WxApiError(86004);
      const subject = `personal ${body.wxuser}`;
      if (openTask(ctx, subject)) throw new WxApiError(89249);
      const { taskid, authorizeUrl } = urlTask(ctx, 'fastregisterpersonal');
      addTask(ctx, {
        kind: 'personal',
        subject,
        taskid,
        authorizeUrl,
        data: {
          idname: body.idname,
          wxuser: body.wxuser,
          component_phone: body.component_phone ?? '',
        },
      });
      return { ...OK, taskid, authorize_url: authorizeUrl, status: 0 };
    },
  },

  fastregisterbetaweapp: {
    handle({ ctx, body }) {
      const length = [...body.name].length;
      // 4–30 characters is documented (doc fastregisterbetaweapp: name); the errcode for a name
      // outside it is not: 47001 assumed (no doc).
      if (length < 4 || length > 30) throw new WxApiError(47001, 'name must be 4-30 characters');
      if (hasKeyword(body.name)) throw new WxApiError(86011);
      const uniqueId = randomAlnum(32, ctx.random);
      const createToken = randomAlnum(48, ctx.random);
      const authorizeUrl = `https://mp.weixin.qq.com/wxawap/fastregistertpbeta?action=show&create_token=${createToken}`;
      addTask(ctx, {
        kind: 'beta',
        subject: `beta ${uniqueId}`,
        uniqueId,
        authorizeUrl,
        data: { name: body.name, openid: body.openid },
      });
      return { ...OK, unique_id: uniqueId, authorize_url: authorizeUrl };
    },
  },

  verifybetaweapp: {
    handle({ ctx, body, caller }) {
      const appid = caller.kind === 'authorizer' ? caller.appid : '';
      const info = body.verify_info;
      const newVersion = body.new_version === true || info.new_version === true;
      if (!newVersion && !beforeRetirement(ctx)) throw retired();
      const app = registrations(ctx).betaApps.get(appid);
      if (!app || app.converted) throw new WxApiError(91021);
      if (newVersion) {
        // New version: enterprise_name, an 18-character USCC and component_phone only.
        if (!USCC.test(info.code)) throw new WxApiError(89255);
      } else {
        checkEnterpriseCode(info.code_type ?? 1, info.code);
        if (info.legal_persona_wechat !== undefined && !WECHAT_ID.test(info.legal_persona_wechat)) {
          throw new WxApiError(86004);
        }
      }
      const subject = `verify ${appid}`;
      if (openTask(ctx, subject)) throw new WxApiError(89251);
      const url = newVersion ? urlTask(ctx, 'fastverifybeta') : undefined;
      addTask(ctx, {
        kind: 'beta_verify',
        subject,
        appid,
        ...(url ? { taskid: url.taskid, authorizeUrl: url.authorizeUrl } : {}),
        data: newVersion
          ? { name: info.enterprise_name, code: info.code, component_phone: info.component_phone }
          : {
              name: info.enterprise_name,
              code: info.code,
              code_type: info.code_type ?? 1,
              legal_persona_wechat: info.legal_persona_wechat ?? '',
              legal_persona_name: info.legal_persona_name ?? '',
              component_phone: info.component_phone,
            },
      });
      return url
        ? { ...OK, taskid: url.taskid, authorize_url: url.authorizeUrl, status: 0 }
        : { ...OK };
    },
  },

  setbetaweappnickname: {
    handle({ ctx, body, caller }) {
      const appid = caller.kind === 'authorizer' ? caller.appid : '';
      const app = registrations(ctx).betaApps.get(appid);
      if (!app || app.converted) throw new WxApiError(91020);
      if (hasKeyword(body.name)) throw new WxApiError(86011);
      app.name = body.name;
      const merchant = ctx.state.merchants.get(appid);
      if (merchant) merchant.nickname = `${body.name}的体验小程序`;
      return { ...OK };
    },
  },
};
