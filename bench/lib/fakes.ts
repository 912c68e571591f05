import { randomBytes } from 'node:crypto';
import { randomAlnum } from '../../src/core/random.ts';

/** Made-up platform credentials for one bench run; nothing here is real or leaves the machine. */
export interface FakePlatform {
  componentAppid: string;
  appsecret: string;
  token: string;
  aesKey: string;
  masterKey: string;
  adminToken: string;
  /** The authorizer whose message URL is pushed to. */
  authorizerAppid: string;
  /** The authorizer's original id (ToUserName of its messages). */
  originalId: string;
}

export function fakePlatform(): FakePlatform {
  return {
    componentAppid: `wx${randomBytes(8).toString('hex')}`,
    appsecret: randomBytes(16).toString('hex'),
    token: randomAlnum(24),
    aesKey: randomAlnum(43),
    masterKey: randomBytes(32).toString('hex'),
    adminToken: randomAlnum(32),
    authorizerAppid: `wx${randomBytes(8).toString('hex')}`,
    originalId: `gh_${randomBytes(6).toString('hex')}`,
  };
}

/** Unused local port: the WeChat API base points here so no request leaves 127.0.0.1. */
export const DEAD_API_BASE = 'http://127.0.0.1:9';

/** The environment of a live-mode openwx child, built from scratch (no inherited OPENWX_*). */
export function openwxEnv(
  p: FakePlatform,
  db: { dataDir: string; databaseUrl?: string },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('OPENWX_') && k !== 'DATABASE_URL' && k !== 'PORT') {
      env[k] = v;
    }
  }
  Object.assign(env, {
    OPENWX_COMPONENT_APPID: p.componentAppid,
    OPENWX_COMPONENT_APPSECRET: p.appsecret,
    OPENWX_COMPONENT_TOKEN: p.token,
    OPENWX_COMPONENT_AES_KEY: p.aesKey,
    OPENWX_MASTER_KEY: p.masterKey,
    OPENWX_ADMIN_TOKEN: p.adminToken,
    OPENWX_WECHAT_API_BASE: DEAD_API_BASE,
    // Nothing pushes to the bench's openwx from outside; the URL is only required in live mode.
    OPENWX_PUBLIC_URL: 'http://127.0.0.1',
    OPENWX_DATA_DIR: db.dataDir,
    OPENWX_LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  if (db.databaseUrl) env['DATABASE_URL'] = db.databaseUrl;
  return env;
}
