import { nowSeconds } from '../context.ts';
import { mpConfig } from '../mp-config.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type HandlerTable } from './types.ts';

/** The privacy protection guide. Reference: ../shared/wechat/02 §5.6, §8.6. */
const CONTACTS = ['contact_email', 'contact_phone', 'contact_qq', 'contact_weixin'] as const;
const CATALOGUE = ['UserInfo', 'Location', 'Address', 'Album', 'Camera', 'PhoneNumber'];

export const privacyHandlers: HandlerTable = {
  setprivacysetting: {
    handle({ ctx, body, caller }) {
      if (caller.kind !== 'authorizer') throw new WxApiError(40001);
      const cfg = mpConfig(ctx, caller.appid);
      const owner = body.owner_setting;
      if (!CONTACTS.some((k) => typeof owner[k] === 'string' && owner[k] !== '')) {
        throw new WxApiError(86069);
      }
      if (!owner.notice_method) throw new WxApiError(86070);
      if ((body.privacy_ver ?? 2) === 1) {
        if (!cfg.privacy.live) throw new WxApiError(86074);
        cfg.privacy.live = { ...cfg.privacy.live, owner_setting: owner };
        return { ...OK };
      }
      cfg.privacy.dev = {
        owner_setting: owner,
        setting_list: body.setting_list ?? [],
        update_time: nowSeconds(ctx),
      };
      return { ...OK };
    },
  },

  getprivacysetting: {
    handle({ ctx, body, caller }) {
      if (caller.kind !== 'authorizer') throw new WxApiError(40001);
      const cfg = mpConfig(ctx, caller.appid);
      const guide = (body.privacy_ver ?? 2) === 1 ? cfg.privacy.live : cfg.privacy.dev;
      if ((body.privacy_ver ?? 2) === 1 && !guide) throw new WxApiError(86074);
      return {
        ...OK,
        code_exist: 0,
        privacy_list: [],
        setting_list: (guide?.setting_list ?? []).map((s) => ({
          ...s,
          privacy_label: s.privacy_key,
        })),
        update_time: guide?.update_time ?? 0,
        owner_setting: guide?.owner_setting ?? {},
        privacy_desc: {
          privacy_desc_list: CATALOGUE.map((k) => ({ privacy_key: k, privacy_desc: k })),
        },
      };
    },
  },
};
