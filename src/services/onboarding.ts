import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { randomAlnum } from '../core/random.ts';
import type { Db } from '../store/db.ts';
import { createLinkQueries, type LinkRow } from '../store/queries/links.ts';
import { createTenantQueries } from '../store/queries/tenants.ts';
import type { WechatClient } from '../wechat/client.ts';

/**
 * Authorization links: a fresh pre_auth_code per link, the PC and mobile URLs of WeChat's
 * authorization page, and openwx's own start page (WeChat opens its page only when reached from
 * a page on the platform's domain). Reference: ../shared/wechat/01 §3.
 */
export const hashPreAuthCode = (code: string) => createHash('sha256').update(code).digest('hex');

export interface LinkRequest {
  tenant_id?: string | undefined;
  auth_type?: number | undefined;
  biz_appid?: string | undefined;
  category_id_list?: number[] | undefined;
  redirect?: string | undefined;
}

export interface OnboardingDeps {
  db: Db;
  client: WechatClient;
  clock: Clock;
  componentAppid: string;
  publicUrl: string;
  /** Base of WeChat's pages: the official hosts live, the emulator in sandbox. */
  pages: { pc: string; mobile: string };
}

/** How long after its expiry a link still takes the merchant's return from WeChat's page. */
export const RETURN_GRACE_MS = 10 * 60_000;

export const AUTH_TYPES = [1, 2, 3, 4, 5, 6, 8] as const;

export function officialAuthPages(): OnboardingDeps['pages'] {
  return {
    pc: 'https://mp.weixin.qq.com/cgi-bin/componentloginpage',
    mobile: 'https://open.weixin.qq.com/wxaopen/safe/bindcomponent',
  };
}

export function createOnboardingService(deps: OnboardingDeps) {
  const links = createLinkQueries(deps.db);
  const tenants = createTenantQueries(deps.db);

  function pageUrls(preAuthCode: string, redirectUri: string, req: LinkRequest) {
    const params = new URLSearchParams({
      component_appid: deps.componentAppid,
      pre_auth_code: preAuthCode,
      redirect_uri: redirectUri,
      auth_type: String(req.auth_type ?? 3),
    });
    if (req.biz_appid) params.set('biz_appid', req.biz_appid);
    if (req.category_id_list?.length)
      params.set('category_id_list', req.category_id_list.join('|'));
    const mobile = new URLSearchParams({
      action: 'bindcomponent',
      no_scan: '1',
      ...Object.fromEntries(params),
    });
    return {
      pc: `${deps.pages.pc}?${params}`,
      mobile: `${deps.pages.mobile}?${mobile}#wechat_redirect`,
    };
  }

  return {
    async createLink(req: LinkRequest) {
      if (req.tenant_id && !(await tenants.findById(req.tenant_id))) {
        throw new AppError('not_found', `tenant ${req.tenant_id} not found`, {
          details: {
            field: 'tenant_id',
            params: { reason: 'tenant', tenant_id: req.tenant_id },
          },
        });
      }
      const res = await deps.client.call('api_create_preauthcode', {
        component_appid: deps.componentAppid,
      });
      const token = randomAlnum(24);
      const redirectUri = `${deps.publicUrl}/api/openwx/authorized?link=${token}`;
      const urls = pageUrls(res.pre_auth_code, redirectUri, req);
      const now = deps.clock.now();
      const expiresAt = new Date(now + res.expires_in * 1000);
      await links.insert({
        token,
        tenant_id: req.tenant_id ?? null,
        pre_auth_code_hash: hashPreAuthCode(res.pre_auth_code),
        pc_url: urls.pc,
        mobile_url: urls.mobile,
        redirect: req.redirect ?? null,
        expires_at: expiresAt,
        created_at: new Date(now),
      });
      return {
        pre_auth_code: res.pre_auth_code,
        pc_url: urls.pc,
        mobile_url: urls.mobile,
        start_url: `${deps.publicUrl}/authorize/${token}`,
        expires_at: expiresAt.toISOString(),
      };
    },

    /** The link behind a start page; undefined when unknown. */
    findLink: (token: string): Promise<LinkRow | undefined> => links.findByToken(token),
    findLinkByPreAuthCodeHash: (hash: string) => links.findByPreAuthCodeHash(hash),
    markUsed: (token: string, appid: string) =>
      links.markUsed(token, appid, new Date(deps.clock.now())),
    isExpired: (link: LinkRow) => link.expires_at.getTime() <= deps.clock.now(),
    /**
     * Whether WeChat may still send a merchant back through this link: not used yet, and not
     * expired (with RETURN_GRACE_MS for a merchant who opened WeChat's page just in time).
     */
    awaitsReturn: (link: LinkRow) =>
      link.used_at === null && link.expires_at.getTime() + RETURN_GRACE_MS > deps.clock.now(),
  };
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;
