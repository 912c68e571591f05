import type { Config } from '../config/config.ts';
import { errorMessage } from '../core/errors.ts';
import { openPglite, postgresDb } from '../store/db.ts';
import { join } from 'node:path';

/**
 * `openwx doctor`: checks the configuration, the database and WeChat's reachability, and prints
 * the values to enter in the WeChat Open Platform console (开发配置).
 */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export function consoleValues(config: Readonly<Config>): [string, string][] {
  const pub = config.publicUrl;
  const host = new URL(pub).hostname;
  return [
    ['授权发起页域名 (authorization start-page domain)', config.authDomain.replace(/:\d+$/, '')],
    ['授权事件接收URL (authorization event URL)', `${pub}/api/openwx/auth`],
    ['消息与事件接收URL (message and event URL)', `${pub}/api/openwx/callback/$APPID$`],
    ['消息校验Token (message token)', config.component.token],
    ['消息加解密Key (encryption key)', config.component.aesKey],
    [
      '小程序服务器域名 (mini program server domains)',
      (config.serverDomains.length ? config.serverDomains : [host]).join(';'),
    ],
    [
      '小程序业务域名 (mini program business domains)',
      (config.webviewDomains.length ? config.webviewDomains : [host]).join(';'),
    ],
  ];
}

export async function runDoctor(
  config: Readonly<Config>,
  fetchFn: typeof fetch = fetch,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [
    {
      name: 'configuration',
      ok: true,
      detail: `${config.mode} mode, component ${config.component.appid}`,
    },
  ];
  const db = config.databaseUrl ? postgresDb(config.databaseUrl, 1) : null;
  try {
    const conn = db ?? (await openPglite(join(config.dataDir, 'pglite')));
    try {
      await conn.query('SELECT 1');
      const t = await conn
        .query<{ received_at: Date }>('SELECT received_at FROM tickets ORDER BY id DESC LIMIT 1')
        .catch(() => ({ rows: [] as { received_at: Date }[] }));
      checks.push({
        name: 'database',
        ok: true,
        detail:
          conn.kind === 'postgres' ? 'PostgreSQL reachable' : `PGlite at ${config.dataDir}/pglite`,
      });
      const at = t.rows[0]?.received_at;
      const age = at ? Math.round((Date.now() - at.getTime()) / 60_000) : null;
      checks.push({
        name: 'ticket',
        ok: age !== null && age <= 25,
        detail:
          age === null
            ? 'no component_verify_ticket received yet: WeChat must reach the authorization event URL'
            : `last ticket ${age} minute(s) ago`,
      });
    } finally {
      await conn.close();
    }
  } catch (err) {
    checks.push({
      name: 'database',
      ok: false,
      detail: `cannot open the database: ${errorMessage(err)}`,
    });
  }
  if (config.embeddedEmulator) {
    checks.push({
      name: 'WeChat API',
      ok: true,
      detail: 'sandbox: the emulator runs inside openwx',
    });
  } else {
    try {
      const res = await fetchFn(`${config.wechatApiBase}/cgi-bin/component/api_component_token`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { errcode?: number };
      checks.push({
        name: 'WeChat API',
        ok: typeof body.errcode === 'number',
        detail: `${config.wechatApiBase} answered (errcode ${body.errcode ?? 'none'})`,
      });
    } catch (err) {
      checks.push({
        name: 'WeChat API',
        ok: false,
        detail: `${config.wechatApiBase} is not reachable: ${errorMessage(err)}`,
      });
    }
  }
  if (config.mode === 'live' && new URL(config.publicUrl).protocol !== 'https:') {
    checks.push({
      name: 'public URL',
      ok: false,
      detail: 'OPENWX_PUBLIC_URL should be https:// for WeChat to push to it',
    });
  }
  return checks;
}

/** What `openwx doctor` prints: one line per check, then the values for WeChat's console. */
export function doctorReport(config: Readonly<Config>, checks: DoctorCheck[]): string[] {
  return [
    ...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`),
    '',
    'Enter these in the WeChat Open Platform console (第三方平台 → 开发配置):',
    ...consoleValues(config).flatMap(([k, v]) => [`  ${k}`, `      ${v}`]),
  ];
}
