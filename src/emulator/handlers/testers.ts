import { randomAlnum } from '../../core/random.ts';
import type { EmulatorContext } from '../context.ts';
import type { EmulatorState } from '../state.ts';
import { DEVELOPMENT_FUNC_ID, requireFuncSet } from '../merchants.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type HandlerTable } from './types.ts';

/**
 * Testers (体验者) of each mini program, kept per emulator state: bind a WeChat ID (answered with
 * a userstr), unbind by WeChat ID or userstr, list by userstr.
 * Sources: doc openApi/miniprogram-management/member-management/api_bindtester (85001–85004 and
 * their errmsg), api_unbindtester, api_gettester; a WeChat ID is a tester of at most 50 mini
 * programs (official community page community/develop/doc/0000ee8f3c8b58901e898912a56409);
 * unbinding a WeChat ID that is not a tester answers -1 "system error"
 * (community/develop/doc/000e682de2cd2825470b4f1af56800).
 * Unverified: the number of testers a mini program may have is shown only as an image on that
 * page; the emulator allows 15 for a personal mini program and 90 for others (the figures
 * third-party guides give for members). An unknown userstr answers -1 like an unknown WeChat ID.
 */
const WECHAT_ID = /^[a-zA-Z][-_a-zA-Z0-9]{5,19}$/;
const APPS_PER_WECHAT_ID = 50;
const PER_APP = { personal: 15, other: 90 } as const;

/** appid → userstr → WeChat ID. */
const byState = new WeakMap<EmulatorState, Map<string, Map<string, string>>>();

/** Every app's testers (also what the snapshot of the world holds, persistence.ts). */
export function testersByApp(ctx: EmulatorContext): Map<string, Map<string, string>> {
  let apps = byState.get(ctx.state);
  if (!apps) {
    apps = new Map();
    byState.set(ctx.state, apps);
  }
  return apps;
}

function testersOf(ctx: EmulatorContext, appid: string): Map<string, string> {
  const apps = testersByApp(ctx);
  let testers = apps.get(appid);
  if (!testers) {
    testers = new Map();
    apps.set(appid, testers);
  }
  return testers;
}

function appsOfWechatId(ctx: EmulatorContext, wechatid: string): number {
  let n = 0;
  for (const testers of byState.get(ctx.state)?.values() ?? []) {
    if ([...testers.values()].includes(wechatid)) n++;
  }
  return n;
}

/** The caller's mini program; 61007 without permission set 18 (doc bindTester). */
function appidOf(ctx: EmulatorContext, caller: { kind: string; appid?: string }): string {
  const appid = caller.kind === 'authorizer' && caller.appid ? caller.appid : '';
  if (appid !== '') requireFuncSet(ctx, appid, [DEVELOPMENT_FUNC_ID]);
  return appid;
}

export const testerHandlers: HandlerTable = {
  bind_tester: {
    handle({ ctx, body, caller }) {
      const appid = appidOf(ctx, caller);
      const testers = testersOf(ctx, appid);
      if (!WECHAT_ID.test(body.wechatid)) throw new WxApiError(85001);
      if ([...testers.values()].includes(body.wechatid)) throw new WxApiError(85004);
      const personal = ctx.state.merchants.get(appid)?.principal_name === '个人';
      const limit = personal ? PER_APP.personal : PER_APP.other;
      if (testers.size >= limit) throw new WxApiError(85002);
      if (appsOfWechatId(ctx, body.wechatid) >= APPS_PER_WECHAT_ID) throw new WxApiError(85003);
      const userstr = randomAlnum(64, ctx.random);
      testers.set(userstr, body.wechatid);
      return { ...OK, userstr };
    },
  },

  unbind_tester: {
    handle({ ctx, body, caller }) {
      const testers = testersOf(ctx, appidOf(ctx, caller));
      const userstr =
        body.userstr ??
        [...testers.entries()].find(([, wechatid]) => wechatid === body.wechatid)?.[0];
      if (userstr === undefined || !testers.delete(userstr)) throw new WxApiError(-1);
      return { ...OK };
    },
  },

  memberauth: {
    handle({ ctx, body, caller }) {
      if (body.action !== 'get_experiencer') throw new WxApiError(-1);
      const testers = testersOf(ctx, appidOf(ctx, caller));
      return { ...OK, members: [...testers.keys()].map((userstr) => ({ userstr })) };
    },
  },
};
