import type { EmulatorContext } from '../context.ts';
import {
  CATALOGUE,
  CATEGORY_LIMIT,
  categoryName,
  isCategoryPair,
  mpConfig,
  SIGNATURE_QUOTA,
} from '../mp-config.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type Caller, type HandlerTable } from './types.ts';

/**
 * Categories and basic info of a mini program. New categories are approved at once (assumed).
 * Reference: ../shared/wechat/02 §5.1–5.5, §8.6.
 */
function miniProgram(ctx: EmulatorContext, caller: Caller): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  if (ctx.state.merchants.get(caller.appid)?.type !== 'miniprogram') throw new WxApiError(41033);
  return caller.appid;
}

export const categoryHandlers: HandlerTable = {
  getallcategories: {
    handle({ ctx, caller }) {
      miniProgram(ctx, caller);
      const categories = CATALOGUE.map((c) => ({
        id: c.id,
        name: c.name,
        level: c.father === 0 ? 1 : 2,
        father: c.father,
        children: CATALOGUE.filter((k) => k.father === c.id).map((k) => k.id),
        sensitive_type: 0,
      }));
      return { ...OK, categories_list: { categories } };
    },
  },

  getcategory: {
    handle({ ctx, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      return {
        ...OK,
        categories: cfg.categories.map((c) => ({
          first: c.first,
          first_name: categoryName(c.first),
          second: c.second,
          second_name: categoryName(c.second),
          audit_status: c.audit_status,
          audit_reason: '',
        })),
        limit: CATEGORY_LIMIT,
        quota: CATEGORY_LIMIT - cfg.categories.length,
        category_limit: CATEGORY_LIMIT,
      };
    },
  },

  addcategory: {
    handle({ ctx, body, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      const seen = new Set(cfg.categories.map((c) => `${c.first}/${c.second}`));
      for (const c of body.categories) {
        if (!isCategoryPair(c.first, c.second)) {
          throw new WxApiError(53303, `unknown category ${c.first}/${c.second}`);
        }
        const key = `${c.first}/${c.second}`;
        if (seen.has(key)) throw new WxApiError(53304, key);
        seen.add(key);
      }
      if (seen.size > CATEGORY_LIMIT) throw new WxApiError(53301);
      for (const c of body.categories) {
        cfg.categories.push({ first: c.first, second: c.second, audit_status: 3 });
      }
      return { ...OK };
    },
  },

  deletecategory: {
    handle({ ctx, body, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      const found = cfg.categories.find((c) => c.first === body.first && c.second === body.second);
      if (!found) throw new WxApiError(53303, `category ${body.first}/${body.second} not set`);
      if (found.audit_status === 1) throw new WxApiError(53308);
      cfg.categories = cfg.categories.filter((c) => c !== found);
      return { ...OK };
    },
  },

  getaccountbasicinfo: {
    handle({ ctx, caller }) {
      const appid = miniProgram(ctx, caller);
      const cfg = mpConfig(ctx, appid);
      return {
        ...OK,
        appid,
        account_type: 3,
        nickname: ctx.state.merchants.get(appid)?.nickname ?? '',
        signature_info: {
          signature: cfg.signature,
          modify_used_count: cfg.signatureUsed,
          modify_quota: SIGNATURE_QUOTA,
        },
      };
    },
  },

  modifysignature: {
    handle({ ctx, body, caller }) {
      const cfg = mpConfig(ctx, miniProgram(ctx, caller));
      if (body.signature.length > 120) throw new WxApiError(53204);
      if (cfg.signatureUsed >= SIGNATURE_QUOTA) throw new WxApiError(53200);
      cfg.signature = body.signature;
      cfg.signatureUsed += 1;
      return { ...OK };
    },
  },

  setnickname: {
    handle({ ctx, body, caller }) {
      const appid = miniProgram(ctx, caller);
      const name = body.nick_name.trim();
      if (name === '' || name.includes('小程序') || name.length > 30) throw new WxApiError(91004);
      const merchant = ctx.state.merchants.get(appid);
      if (merchant) merchant.nickname = name;
      return { ...OK, wording: '' };
    },
  },
};
