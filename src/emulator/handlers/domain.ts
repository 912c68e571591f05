import type { EmulatorContext } from '../context.ts';
import {
  MAX_SERVER_DOMAINS,
  MAX_WEBVIEW_DOMAINS,
  mpConfig,
  platformDomains,
  SERVER_KINDS,
  type ServerKind,
} from '../mp-config.ts';
import { DEVELOPMENT_FUNC_ID } from '../merchants.ts';
import { WxApiError } from '../wx-error.ts';
import { OK, type Caller, type HandlerTable } from './types.ts';

/**
 * modify_domain and setwebviewdomain (mode 1). Reference: ../shared/wechat/02 §2.1–2.2, §8.5.
 * Schemes per kind: https for request, upload and download and wss for socket domains (doc
 * miniprogram/dev/framework/ability/network: 服务器域名 rules); udp:// and tcp:// for the UDP and
 * TCP lists, and the host pattern (lower-case labels, no IP, optional port), are assumed (no doc
 * gives the exact form WeChat checks).
 */
const SCHEME: Record<ServerKind, string> = {
  requestdomain: 'https',
  wsrequestdomain: 'wss',
  uploaddomain: 'https',
  downloaddomain: 'https',
  udpdomain: 'udp',
  tcpdomain: 'tcp',
};
const HOST = '([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}';

function hostOf(domain: string): string {
  return domain.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
}

function miniProgramAppid(ctx: EmulatorContext, caller: Caller): string {
  if (caller.kind !== 'authorizer') throw new WxApiError(40001);
  if (ctx.state.merchants.get(caller.appid)?.type !== 'miniprogram') throw new WxApiError(85015);
  // Without permission set 18 WeChat answers 61007. Source: doc
  // Third-party_Platforms/2.0/product/miniprogram_authority.
  const granted = ctx.state.authorizations.get(caller.appid)?.funcIds ?? [];
  if (!granted.includes(DEVELOPMENT_FUNC_ID)) throw new WxApiError(61007);
  return caller.appid;
}

function apply(current: string[], action: string, given: string[]): string[] {
  if (action === 'set') return [...new Set(given)];
  if (action === 'add') return [...new Set([...current, ...given])];
  return current.filter((d) => !given.includes(d));
}

export const domainHandlers: HandlerTable = {
  modify_domain: {
    handle({ ctx, body, caller }) {
      const appid = miniProgramAppid(ctx, caller);
      const cfg = mpConfig(ctx, appid);
      const view = () => ({ ...OK, ...cfg.server });
      if (body.action === 'get') return view();
      const platform = platformDomains(ctx).server;
      // WeChat filters: a domain that breaks the rules, or (except when deleting) is not among
      // the platform's server domains, is left out and listed in the top-level invalid_<kind>;
      // the others are applied and the answer is errcode 0. Only when every given domain is
      // filtered out is it 85301, with the same invalid_* lists. ICP is not modelled, so
      // no_icp_domain is always empty. Source: community/develop/doc/0002c6d28486c00ed50daec9551000
      // (two real answers with rid, errcode 0 and 85301, both carrying invalid_* lists).
      const invalid = {} as Record<ServerKind, string[]>;
      const kept = {} as Record<ServerKind, string[]>;
      let given = 0;
      let keptCount = 0;
      for (const kind of SERVER_KINDS) {
        const list = body[kind] ?? [];
        given += list.length;
        const re = new RegExp(`^${SCHEME[kind]}://${HOST}(:\\d{1,5})?$`);
        const ok = (d: string) =>
          re.test(d) &&
          hostOf(d) !== 'api.weixin.qq.com' &&
          (body.action === 'delete' || platform === null || platform.includes(hostOf(d)));
        kept[kind] = list.filter(ok);
        invalid[kind] = list.filter((d) => !ok(d));
        keptCount += kept[kind].length;
      }
      const filtered = {
        ...Object.fromEntries(SERVER_KINDS.map((k) => [`invalid_${k}`, invalid[k]])),
        no_icp_domain: [] as string[],
      };
      if (body.action !== 'set' && given === 0) throw new WxApiError(85017);
      if (given > 0 && keptCount === 0) throw new WxApiError(85301, undefined, filtered);
      const next = { ...cfg.server };
      for (const kind of SERVER_KINDS) {
        next[kind] = apply(cfg.server[kind], body.action, kept[kind]);
        if (next[kind].length > MAX_SERVER_DOMAINS) throw new WxApiError(85016, kind);
      }
      if (
        body.action === 'add' &&
        SERVER_KINDS.every((k) => next[k].length === cfg.server[k].length)
      ) {
        throw new WxApiError(85017);
      }
      cfg.server = next;
      return { ...view(), ...filtered };
    },
  },

  setwebviewdomain: {
    handle({ ctx, body, caller }) {
      const appid = miniProgramAppid(ctx, caller);
      const cfg = mpConfig(ctx, appid);
      const action = body.action;
      if (action === 'get') return { ...OK, webviewdomain: cfg.webview };
      const platform = platformDomains(ctx).webview;
      if (platform !== null && platform.length === 0) throw new WxApiError(89020);
      const given =
        action === undefined
          ? (platform ?? []).map((h) => `https://${h}`)
          : (body.webviewdomain ?? []);
      const re = new RegExp(`^https://${HOST}$`);
      const bad = given.find((d) => !re.test(d));
      if (bad) throw new WxApiError(89021, bad);
      if (action !== 'delete' && platform !== null) {
        const off = given.find((d) => {
          const h = hostOf(d);
          return !platform.some((p) => h === p || h.endsWith(`.${p}`));
        });
        if (off) throw new WxApiError(89021, off);
      }
      const next = apply(cfg.webview, action ?? 'add', given);
      if (next.length > MAX_WEBVIEW_DOMAINS) throw new WxApiError(89029);
      const same = next.length === cfg.webview.length && next.every((d) => cfg.webview.includes(d));
      if (same) throw new WxApiError(89019);
      cfg.webview = next;
      return { ...OK };
    },
  },
};
