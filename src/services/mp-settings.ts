import type { WechatClient } from '../wechat/client.ts';
import {
  checkCategories,
  checkPrivacy,
  checkServerDomains,
  checkWebviewDomains,
  SERVER_KINDS,
  WX_FIELD,
  type PlatformDomains,
  type PrivacySpec,
  type ServerDomains,
} from './profile-spec.ts';

/**
 * A mini program's settings by hand: each call checks the input as a profile would, then asks
 * WeChat and returns its answer (WeChat's errors surface as they are).
 */
export type MpSettings = ReturnType<typeof createMpSettings>;

export function createMpSettings(deps: { client: WechatClient; platform: PlatformDomains }) {
  const { client, platform } = deps;
  const serverView = (r: Record<string, unknown>): ServerDomains =>
    Object.fromEntries(
      SERVER_KINDS.map((k) => [k, (r[WX_FIELD[k]] as string[] | undefined) ?? []]),
    );

  return {
    async domains(appid: string): Promise<ServerDomains> {
      return serverView(await client.call('modify_domain', { action: 'get' }, { appid }));
    },
    async setDomains(appid: string, domains: ServerDomains): Promise<ServerDomains> {
      checkServerDomains(domains, platform, 'domains');
      const body = Object.fromEntries(SERVER_KINDS.map((k) => [WX_FIELD[k], domains[k] ?? []]));
      return serverView(await client.call('modify_domain', { action: 'set', ...body }, { appid }));
    },
    async webviewDomains(appid: string): Promise<string[]> {
      return (
        (await client.call('setwebviewdomain', { action: 'get' }, { appid })).webviewdomain ?? []
      );
    },
    async setWebviewDomains(appid: string, domains: string[]): Promise<string[]> {
      checkWebviewDomains(domains, platform, 'webview_domains');
      await client.call('setwebviewdomain', { action: 'set', webviewdomain: domains }, { appid });
      return this.webviewDomains(appid);
    },
    categories: (appid: string) => client.call('getcategory', {}, { appid }),
    availableCategories: (appid: string) => client.call('getallcategories', {}, { appid }),
    async addCategories(appid: string, categories: Array<{ first: number; second: number }>) {
      checkCategories(categories, 'categories');
      await client.call('addcategory', { categories }, { appid });
      return client.call('getcategory', {}, { appid });
    },
    async deleteCategory(appid: string, c: { first: number; second: number }) {
      await client.call('deletecategory', c, { appid });
      return client.call('getcategory', {}, { appid });
    },
    privacy: (appid: string) => client.call('getprivacysetting', { privacy_ver: 2 }, { appid }),
    async setPrivacy(appid: string, p: PrivacySpec) {
      checkPrivacy(p);
      await client.call('setprivacysetting', { privacy_ver: 2, ...p }, { appid });
      return client.call('getprivacysetting', { privacy_ver: 2 }, { appid });
    },
    async setBasicInfo(appid: string, b: { signature?: string; nickname?: string }) {
      if (b.nickname !== undefined)
        await client.call('setnickname', { nick_name: b.nickname }, { appid });
      if (b.signature !== undefined) {
        await client.call('modifysignature', { signature: b.signature }, { appid });
      }
      return client.call('getaccountbasicinfo', {}, { appid });
    },
  };
}
