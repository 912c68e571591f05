import type { Config } from '../config/config.ts';
import type { Logger } from '../core/metrics.ts';
import type { TokenService } from '../tokens/token-service.ts';

/**
 * The values an operator enters in the WeChat Open Platform console (第三方平台 → 开发配置),
 * computed from openwx's own settings, and whether a ticket has arrived since. The message key is
 * masked; revealing it is an explicit request that is logged.
 */
export interface PlatformSettings {
  mode: 'sandbox' | 'live';
  componentAppid: string;
  /** 授权发起页域名: a bare host. */
  authDomain: string;
  /** 授权事件接收URL. */
  authEventUrl: string;
  /** 消息与事件接收URL, with WeChat's literal `$APPID$` placeholder. */
  messageUrl: string;
  /** 消息校验Token. */
  token: string;
  /** 消息加解密Key, masked: the first and last 4 characters. */
  aesKeyMasked: string;
  /** 小程序服务器域名 and 业务域名 (the public host when none are configured). */
  serverDomains: string[];
  webviewDomains: string[];
  ticket: { seen: boolean; receivedAt: string | null; ageSeconds: number | null };
}

export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '•'.repeat(secret.length);
  return `${secret.slice(0, 4)}${'•'.repeat(secret.length - 8)}${secret.slice(-4)}`;
}

export function createPlatformSettings(deps: {
  config: Readonly<Config>;
  tokens: TokenService;
  clock: { now(): number };
  log: Logger;
}) {
  const { config } = deps;
  const pub = config.publicUrl;
  const host = new URL(pub).hostname;
  return {
    async view(): Promise<PlatformSettings> {
      const at = await deps.tokens.latestTicketAt();
      return {
        mode: config.mode,
        componentAppid: config.component.appid,
        authDomain: config.authDomain.replace(/:\d+$/, ''),
        authEventUrl: `${pub}/api/openwx/auth`,
        messageUrl: `${pub}/api/openwx/callback/$APPID$`,
        token: config.component.token,
        aesKeyMasked: maskSecret(config.component.aesKey),
        serverDomains: config.serverDomains.length ? [...config.serverDomains] : [host],
        webviewDomains: config.webviewDomains.length ? [...config.webviewDomains] : [host],
        ticket: {
          seen: at !== undefined,
          receivedAt: at?.toISOString() ?? null,
          ageSeconds: at ? Math.max(0, Math.round((deps.clock.now() - at.getTime()) / 1000)) : null,
        },
      };
    },
    /** The message key in clear, for the operator who asked; the request is logged (not the key). */
    revealAesKey(who: { ip: string; userAgent: string | undefined }): { aesKey: string } {
      deps.log.warn(
        { secret: 'component_aes_key', ip: who.ip, userAgent: who.userAgent },
        'secret revealed to the admin console',
      );
      return { aesKey: config.component.aesKey };
    },
  };
}

export type PlatformSettingsService = ReturnType<typeof createPlatformSettings>;
