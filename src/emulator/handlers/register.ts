import { randomAlnum } from '../../core/random.ts';
import type { EmulatorContext } from '../context.ts';
import { addTask, openTask, registrations } from '../registrations.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type HandlerTable } from './types.ts';

/**
 * Fast registration (enterprise, personal), trial mini programs and their conversion. Creating a
 * task only records it; the control API confirms or rejects it. The legacy enterprise flow can be
 * switched off (48004), as WeChat did on 2026-04-30; the new version returns an authorize_url.
 * Reference: ../shared/wechat/02 §0, §1, §7, §8.4.
 */
const WECHAT_ID = /^[a-zA-Z][-_a-zA-Z0-9]{5,19}$/;
const CODE_BY_TYPE: Readonly<Record<number, RegExp>> = {
  1: /^[0-9A-Z]{18}$/,
  2: /^[0-9A-Z]{8}-?[0-9A-Z]$/,
  3: /^\d{15}$/,
};
const KEYWORDS = ['小程序', '微信', '腾讯', 'wechat', 'weixin', 'tencent'];
const hasKeyword = (name: string) => KEYWORDS.some((k) => name.toLowerCase().includes(k));

const USCC = /^[0-9A-Z]{18}$/;

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

export const registerHandlers: HandlerTable = {
  fastregisterweapp: {
    missing: {
      name: 89253,
      code: 89253,
      code_type: 89253,
      legal_persona_wechat: 89253,
      legal_persona_name: 89253,
    },
    handle({ ctx, body, query }) {
      if (!registrations(ctx).legacyEnterprise) {
        throw new WxApiError(
          48004,
          'fastregisterweapp is offline; use fastregisterenterpriseweapp',
        );
      }
      const subject = `enterprise ${body.name} ${body.code}`;
      if (query['action'] === 'search') {
        const task = openTask(ctx, subject);
        if (!task || task.data['legal_persona_wechat'] !== body.legal_persona_wechat) {
          throw new WxApiError(89250);
        }
        throw new WxApiError(89251);
      }
      if (query['action'] !== 'create') throw new WxApiError(-1, 'action must be create or search');
      checkEnterpriseCode(body.code_type, body.code);
      if (!WECHAT_ID.test(body.legal_persona_wechat)) throw new WxApiError(86004);
      if (openTask(ctx, subject)) throw new WxApiError(89249);
      addTask(ctx, {
        kind: 'enterprise',
        subject,
        data: {
          name: body.name,
          code: body.code,
          code_type: body.code_type ?? 1,
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
      if (body.new_version !== true) {
        throw new WxApiError(48004, 'the old version is offline; send new_version true');
      }
      if (!body.name || !body.code || !body.component_phone) throw new WxApiError(89253);
      if (!USCC.test(body.code)) throw new WxApiError(89255, 'code must be an 18-character USCC');
      const subject = `enterprise ${body.name} ${body.code}`;
      if (openTask(ctx, subject)) throw new WxApiError(89249);
      const taskid = randomAlnum(32, ctx.random);
      const authorizeUrl = `https://mp.weixin.qq.com/wxawap/fastregisterenterprise?taskid=${taskid}`;
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
      if (!body.idname || !body.wxuser) throw new WxApiError(89253);
      if (!WECHAT_ID.test(body.wxuser)) throw new WxApiError(86004);
      const subject = `personal ${body.wxuser}`;
      if (openTask(ctx, subject)) throw new WxApiError(89249);
      const taskid = randomAlnum(32, ctx.random);
      const authorizeUrl = `https://mp.weixin.qq.com/wxawap/fastregisterpersonal?taskid=${taskid}`;
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
      const app = registrations(ctx).betaApps.get(appid);
      if (!app || app.converted) throw new WxApiError(91021);
      const info = body.verify_info;
      checkEnterpriseCode(info.code_type ?? 1, info.code);
      if (info.legal_persona_wechat !== undefined && !WECHAT_ID.test(info.legal_persona_wechat)) {
        throw new WxApiError(86004);
      }
      const subject = `verify ${appid}`;
      if (openTask(ctx, subject)) throw new WxApiError(89251);
      addTask(ctx, {
        kind: 'beta_verify',
        subject,
        appid,
        data: {
          name: info.enterprise_name,
          code: info.code,
          code_type: info.code_type ?? 1,
          legal_persona_wechat: info.legal_persona_wechat ?? '',
          legal_persona_name: info.legal_persona_name ?? '',
          component_phone: info.component_phone,
        },
      });
      return { ...OK };
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
