import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import { randomAlnum } from '../core/random.ts';

/**
 * The one reader of the environment. Validated once at start, frozen. An invalid setting stops
 * start-up with one line naming the key and the rule (ConfigError).
 *
 * The mode: OPENWX_MODE=sandbox|live. Without it, any OPENWX_COMPONENT_* setting means live and
 * none means sandbox. Live mode needs every live setting (LIVE_KEYS) and never runs the emulator.
 * Each secret may come from a file instead: `<NAME>_FILE` holds the path (SECRET_KEYS).
 */
export type Mode = 'sandbox' | 'live';

export interface ComponentConfig {
  appid: string;
  appsecret: string;
  token: string;
  aesKey: string;
}

export interface Config {
  mode: Mode;
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminToken: string;
  masterKey: string;
  wechatApiBase: string;
  /** Runs the emulator inside this process under /emulator (sandbox mode without an API base). */
  embeddedEmulator: boolean;
  component: ComponentConfig;
  /** Bare host of the authorization start page (授权发起页域名). */
  authDomain: string;
  serverDomains: string[];
  webviewDomains: string[];
  emulator: { ticketIntervalSeconds: number; tokenTtlSeconds: number; firstTicketDelayMs: number };
  tokenRefreshAheadSeconds: number;
  /** A registration task without progress for this long is flagged stale. */
  registrationStaleHours: number;
  /** Capacity of WeChat's template library (200 per the reference). */
  templateLibraryLimit: number;
  /** The template list warns when fewer than this many places are left in the library. */
  templateLibraryWarnWithin: number;
  rollouts: {
    /** WeChat calls per second that rollouts may make, all instances together. */
    callsPerSecond: number;
    /** Jobs working on one rollout at the same time (spread over the instances). */
    workers: number;
    /** Default share (percent) of failed mini programs in a wave that halts the rollout. */
    failureThreshold: number;
  };
  /** How often audits still in flight are polled (a fallback for lost pushes). */
  auditPollSeconds: number;
  /** Whether tenants may upgrade their own mini programs (per-tenant setting overrides). */
  tenantSelfUpgrade: boolean;
  /**
   * Lease of a job or a rollout item held by an instance, renewed while it works: after a crash,
   * another instance takes the work over once this runs out.
   */
  workLeaseSeconds: number;
  /** Bearer token that /metrics requires on the main port (OPENWX_METRICS_TOKEN, ≥ 32 characters). */
  metricsToken: string | undefined;
  /** A separate port that serves only /metrics, without auth (OPENWX_METRICS_PORT). */
  metricsPort: number | undefined;
  /**
   * Which proxies in front of openwx to trust for the client address (OPENWX_TRUST_PROXY): false,
   * a number of hops, or a list of addresses/CIDRs. Passed to Fastify's trustProxy.
   */
  trustProxy: boolean | number | string[];
  /** Log every request (OPENWX_LOG_REQUESTS=1). */
  logRequests: boolean;
  /**
   * Webhooks may target loopback, private, link-local and metadata addresses
   * (OPENWX_WEBHOOK_ALLOW_PRIVATE; default: yes in sandbox mode, no in live mode).
   */
  webhookAllowPrivate: boolean;
  /**
   * Days that rows are kept before the retention task deletes them (OPENWX_RETENTION_*_DAYS):
   * pushes (events), finished jobs, finished webhook deliveries. Rows still needed are kept.
   */
  retention: { eventsDays: number; jobsDays: number; deliveriesDays: number };
}

export class ConfigError extends AppError {
  readonly key: string;
  constructor(key: string, rule: string) {
    super('config_invalid', `${key}: ${rule}`, { details: { key } });
    this.key = key;
    this.name = 'ConfigError';
  }
}

/** Several settings that a mode needs are not set; the message names them all. */
export class MissingSettingsError extends ConfigError {
  readonly missing: readonly string[];
  constructor(what: string, missing: readonly string[], hint: string) {
    super(missing[0] as string, 'is not set');
    this.message = `${what} needs ${missing.join(', ')} (${hint})`;
    this.missing = missing;
    this.name = 'MissingSettingsError';
  }
}

type Env = Record<string, string | undefined>;

const COMPONENT_KEYS = [
  'OPENWX_COMPONENT_APPID',
  'OPENWX_COMPONENT_APPSECRET',
  'OPENWX_COMPONENT_TOKEN',
  'OPENWX_COMPONENT_AES_KEY',
] as const;

/** Every setting live mode needs, in the order they are reported missing. */
export const LIVE_KEYS = [
  ...COMPONENT_KEYS,
  'OPENWX_MASTER_KEY',
  'OPENWX_ADMIN_TOKEN',
  'OPENWX_PUBLIC_URL',
] as const;

/** Settings that may be read from a file named by `<NAME>_FILE` (Docker/Kubernetes secrets). */
export const SECRET_KEYS = [
  ...COMPONENT_KEYS,
  'OPENWX_MASTER_KEY',
  'OPENWX_ADMIN_TOKEN',
  'OPENWX_METRICS_TOKEN',
  'DATABASE_URL',
] as const;

const MODES: readonly Mode[] = ['sandbox', 'live'];

const APPID_RE = /^wx[0-9a-zA-Z]{16}$/;
const TOKEN_RE = /^[A-Za-z0-9]{3,32}$/;
const AES_RE = /^[A-Za-z0-9]{43}$/;
const HEX64_RE = /^[0-9a-fA-F]{64}$/;
const HOST_RE =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*(:\d{1,5})?$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The environment with every `<NAME>_FILE` replaced by `<NAME>` holding that file's content (one
 * trailing newline dropped). Reads files, changes nothing: the caller's env object is left as is.
 */
export function resolveSecretFiles(env: Env): Env {
  const out: Env = { ...env };
  for (const key of SECRET_KEYS) {
    const fileKey = `${key}_FILE`;
    const path = str(env, fileKey);
    delete out[fileKey];
    if (path === undefined) continue;
    if (str(env, key) !== undefined)
      throw new ConfigError(key, `set either ${key} or ${fileKey}, not both`);
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (code ?? String(err));
      throw new ConfigError(fileKey, `cannot read ${path} (${why})`);
    }
    const value = content.replace(/\r?\n$/, '');
    if (value.trim() === '')
      throw new ConfigError(fileKey, `${path} is empty (it should hold ${key})`);
    out[key] = value;
  }
  return out;
}

function str(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function bool(env: Env, key: string, def: boolean): boolean {
  const v = str(env, key);
  if (v === undefined) return def;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new ConfigError(key, 'must be true or false');
}

function intIn(env: Env, key: string, def: number, min: number, max: number): number {
  const raw = str(env, key);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(key, `must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function optionalPort(env: Env, key: string): number | undefined {
  return str(env, key) === undefined ? undefined : intIn(env, key, 0, 1, 65535);
}

function metricsToken(env: Env): string | undefined {
  const v = str(env, 'OPENWX_METRICS_TOKEN');
  if (v !== undefined && v.length < 32)
    throw new ConfigError('OPENWX_METRICS_TOKEN', 'must be at least 32 characters');
  return v;
}

const IPV4_CIDR_RE = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;
const IPV6_CIDR_RE = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(\/\d{1,3})?$/;

/** OPENWX_TRUST_PROXY: unset/false, true (every hop), a hop count, or a comma-separated CIDR list. */
function trustProxy(env: Env): boolean | number | string[] {
  const raw = str(env, 'OPENWX_TRUST_PROXY');
  if (raw === undefined || /^(false|0|no)$/i.test(raw)) return false;
  if (/^(true|yes)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return intIn(env, 'OPENWX_TRUST_PROXY', 0, 0, 100);
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    if (!IPV4_CIDR_RE.test(item) && !IPV6_CIDR_RE.test(item) && item !== 'loopback')
      throw new ConfigError(
        'OPENWX_TRUST_PROXY',
        `"${item}" is not a hop count, an IP address or a CIDR (e.g. 1, or 10.0.0.0/8,127.0.0.1)`,
      );
  }
  return list;
}

function httpUrl(key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(key, 'must be an absolute http:// or https:// URL');
  }
  return value.replace(/\/+$/, '');
}

/** A bare host as WeChat wants it in its consoles: no scheme, no path. */
export function checkBareHost(key: string, value: string): string {
  if (/^[a-z]+:\/\//i.test(value))
    throw new ConfigError(
      key,
      `"${value}" must be a bare host without a scheme (no http:// or https://)`,
    );
  if (value.includes('/'))
    throw new ConfigError(key, `"${value}" must be a bare host without a path`);
  if (!HOST_RE.test(value)) throw new ConfigError(key, `"${value}" is not a valid host name`);
  return value.toLowerCase();
}

function hostList(env: Env, key: string): string[] {
  const raw = str(env, key);
  if (raw === undefined) return [];
  const hosts = raw
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .map((h) => checkBareHost(key, h));
  return [...new Set(hosts)];
}

interface SandboxFile {
  component: ComponentConfig;
  masterKey: string;
  adminToken: string;
}

/** Sandbox secrets are generated once into the data dir, so restarts keep the same platform. */
function sandboxSecrets(dataDir: string): SandboxFile {
  const file = join(dataDir, 'sandbox.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SandboxFile;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const value: SandboxFile = {
    component: {
      appid: `wx${randomBytes(8).toString('hex')}`,
      appsecret: randomBytes(16).toString('hex'),
      token: randomAlnum(24),
      aesKey: randomAlnum(43),
    },
    masterKey: randomBytes(32).toString('hex'),
    adminToken: randomAlnum(32),
  };
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  return value;
}

/** The OPENWX_COMPONENT_* settings that are set. */
function componentKeysGiven(env: Env): string[] {
  return COMPONENT_KEYS.filter((k) => str(env, k) !== undefined);
}

/** The four OPENWX_COMPONENT_* (all set), checked. */
function readComponent(env: Env): ComponentConfig {
  const c = {
    appid: str(env, 'OPENWX_COMPONENT_APPID') as string,
    appsecret: str(env, 'OPENWX_COMPONENT_APPSECRET') as string,
    token: str(env, 'OPENWX_COMPONENT_TOKEN') as string,
    aesKey: str(env, 'OPENWX_COMPONENT_AES_KEY') as string,
  };
  if (!APPID_RE.test(c.appid))
    throw new ConfigError(
      'OPENWX_COMPONENT_APPID',
      'must be "wx" followed by 16 letters or digits',
    );
  if (!TOKEN_RE.test(c.token))
    throw new ConfigError('OPENWX_COMPONENT_TOKEN', 'must be 3 to 32 letters or digits');
  if (!AES_RE.test(c.aesKey))
    throw new ConfigError('OPENWX_COMPONENT_AES_KEY', 'must be exactly 43 letters or digits');
  if (c.appsecret.length < 8)
    throw new ConfigError('OPENWX_COMPONENT_APPSECRET', 'looks too short to be an app secret');
  return c;
}

/**
 * Which mode the environment asks for. OPENWX_MODE decides when set; otherwise OPENWX_COMPONENT_*
 * settings mean live. Live with a setting missing is refused with all the missing names at once.
 */
function readMode(env: Env): Mode {
  const raw = str(env, 'OPENWX_MODE');
  if (raw !== undefined && !MODES.includes(raw as Mode))
    throw new ConfigError('OPENWX_MODE', `must be sandbox or live (got "${raw}")`);
  const given = componentKeysGiven(env);
  if (raw === 'sandbox' && given.length > 0)
    throw new ConfigError(
      'OPENWX_MODE',
      `is sandbox, but ${given.join(', ')} ${given.length > 1 ? 'are live settings' : 'is a live setting'}: remove ${given.length > 1 ? 'them' : 'it'}, or set OPENWX_MODE=live`,
    );
  const mode: Mode = raw === 'live' || given.length > 0 ? 'live' : 'sandbox';
  if (mode === 'live') {
    const missing = LIVE_KEYS.filter((k) => str(env, k) === undefined);
    if (missing.length > 0) {
      const why =
        raw === 'live'
          ? 'OPENWX_MODE=live'
          : `live because ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} set`;
      throw new MissingSettingsError(
        'live mode',
        missing,
        `${why}; a secret may instead be read from the file that <NAME>_FILE names`,
      );
    }
  }
  return mode;
}

export function loadConfig(environment: Env = process.env): Readonly<Config> {
  const env = resolveSecretFiles(environment);
  const mode = readMode(env);
  const port = intIn(env, 'PORT', 3000, 0, 65535);
  const host = str(env, 'HOST') ?? '0.0.0.0';
  const dataDir = resolve(str(env, 'OPENWX_DATA_DIR') ?? './data');
  const databaseUrl = str(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const logLevel = (str(env, 'OPENWX_LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('OPENWX_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const publicUrl = httpUrl(
    'OPENWX_PUBLIC_URL',
    str(env, 'OPENWX_PUBLIC_URL') ?? `http://localhost:${port}`,
  );
  const apiBaseRaw = str(env, 'OPENWX_WECHAT_API_BASE');
  const apiBase =
    apiBaseRaw === undefined ? undefined : httpUrl('OPENWX_WECHAT_API_BASE', apiBaseRaw);

  const masterKeyEnv = str(env, 'OPENWX_MASTER_KEY');
  if (masterKeyEnv !== undefined && !HEX64_RE.test(masterKeyEnv)) {
    throw new ConfigError('OPENWX_MASTER_KEY', 'must be 64 hex characters (32 bytes)');
  }
  const adminEnv = str(env, 'OPENWX_ADMIN_TOKEN');
  if (adminEnv !== undefined && adminEnv.length < 16)
    throw new ConfigError('OPENWX_ADMIN_TOKEN', 'must be at least 16 characters');

  let component: ComponentConfig;
  let masterKey: string;
  let adminToken: string;
  if (mode === 'live') {
    // readMode has made sure every live setting is there.
    component = readComponent(env);
    masterKey = masterKeyEnv as string;
    adminToken = adminEnv as string;
  } else {
    const sandbox = sandboxSecrets(dataDir);
    component = sandbox.component;
    masterKey = masterKeyEnv ?? sandbox.masterKey;
    adminToken = adminEnv ?? sandbox.adminToken;
  }
  const embeddedEmulator = mode === 'sandbox' && apiBase === undefined;
  const wechatApiBase =
    apiBase ??
    (embeddedEmulator ? `http://127.0.0.1:${port}/emulator` : 'https://api.weixin.qq.com');

  const authDomain = checkBareHost(
    'OPENWX_AUTH_DOMAIN',
    str(env, 'OPENWX_AUTH_DOMAIN') ?? new URL(publicUrl).host,
  );
  const config: Config = {
    mode,
    host,
    port,
    publicUrl,
    dataDir,
    databaseUrl,
    logLevel,
    adminToken,
    masterKey,
    wechatApiBase,
    embeddedEmulator,
    component,
    authDomain,
    serverDomains: hostList(env, 'OPENWX_SERVER_DOMAINS'),
    webviewDomains: hostList(env, 'OPENWX_WEBVIEW_DOMAINS'),
    emulator: {
      ticketIntervalSeconds: intIn(env, 'OPENWX_EMULATOR_TICKET_INTERVAL', 600, 0, 86_400),
      tokenTtlSeconds: intIn(env, 'OPENWX_EMULATOR_TOKEN_TTL', 7200, 10, 86_400),
      firstTicketDelayMs: 1500,
    },
    tokenRefreshAheadSeconds: intIn(env, 'OPENWX_TOKEN_REFRESH_AHEAD', 600, 0, 3600),
    registrationStaleHours: intIn(env, 'OPENWX_REGISTRATION_STALE_HOURS', 24, 1, 24 * 30),
    templateLibraryLimit: intIn(env, 'OPENWX_TEMPLATE_LIBRARY_LIMIT', 200, 1, 100_000),
    templateLibraryWarnWithin: intIn(env, 'OPENWX_TEMPLATE_LIBRARY_WARN_WITHIN', 20, 0, 100_000),
    rollouts: {
      callsPerSecond: intIn(env, 'OPENWX_ROLLOUT_CALLS_PER_SECOND', 20, 1, 100_000),
      workers: intIn(env, 'OPENWX_ROLLOUT_WORKERS', 4, 1, 64),
      failureThreshold: intIn(env, 'OPENWX_ROLLOUT_FAILURE_THRESHOLD', 20, 0, 100),
    },
    auditPollSeconds: intIn(env, 'OPENWX_AUDIT_POLL_SECONDS', 600, 10, 86_400),
    tenantSelfUpgrade: bool(env, 'OPENWX_TENANT_SELF_UPGRADE', false),
    workLeaseSeconds: intIn(env, 'OPENWX_WORK_LEASE_SECONDS', 30, 2, 3600),
    metricsToken: metricsToken(env),
    metricsPort: optionalPort(env, 'OPENWX_METRICS_PORT'),
    trustProxy: trustProxy(env),
    logRequests: bool(env, 'OPENWX_LOG_REQUESTS', false),
    webhookAllowPrivate: bool(env, 'OPENWX_WEBHOOK_ALLOW_PRIVATE', mode === 'sandbox'),
    retention: {
      eventsDays: intIn(env, 'OPENWX_RETENTION_EVENTS_DAYS', 30, 1, 3650),
      jobsDays: intIn(env, 'OPENWX_RETENTION_JOBS_DAYS', 14, 1, 3650),
      deliveriesDays: intIn(env, 'OPENWX_RETENTION_DELIVERIES_DAYS', 30, 1, 3650),
    },
  };
  Object.freeze(config.rollouts);
  Object.freeze(config.retention);
  Object.freeze(config.component);
  Object.freeze(config.emulator);
  Object.freeze(config.serverDomains);
  Object.freeze(config.webviewDomains);
  return Object.freeze(config);
}

/**
 * What the standalone emulator needs: the platform's credentials (live variables, or the sandbox
 * file in the data dir) and the authorization start-page domain. No master key or admin token.
 */
export function loadEmulatorConfig(environment: Env = process.env): {
  component: ComponentConfig;
  authDomain: string | undefined;
} {
  const env = resolveSecretFiles(environment);
  const given = componentKeysGiven(env);
  const missing = COMPONENT_KEYS.filter((k) => str(env, k) === undefined);
  if (given.length > 0 && missing.length > 0)
    throw new MissingSettingsError(
      'the emulator',
      missing,
      `it stands in for the platform ${given.join(', ')} describe; set all four, or none for the sandbox platform in OPENWX_DATA_DIR`,
    );
  const component =
    given.length > 0
      ? readComponent(env)
      : sandboxSecrets(resolve(str(env, 'OPENWX_DATA_DIR') ?? './data')).component;
  const domain = str(env, 'OPENWX_AUTH_DOMAIN');
  return {
    component,
    authDomain: domain === undefined ? undefined : checkBareHost('OPENWX_AUTH_DOMAIN', domain),
  };
}

/** A PostgreSQL URL without its password, wherever it is given (user info or ?password=). */
export function redactDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'postgres://***';
  }
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()])
    if (/pass|secret|key|token/i.test(key)) url.searchParams.set(key, '***');
  return url.toString();
}

/** The config without secrets, for logs and `doctor`. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    mode: c.mode,
    host: c.host,
    port: c.port,
    publicUrl: c.publicUrl,
    dataDir: c.dataDir,
    database: c.databaseUrl ? redactDatabaseUrl(c.databaseUrl) : `pglite:${c.dataDir}/pglite`,
    wechatApiBase: c.wechatApiBase,
    componentAppid: c.component.appid,
    authDomain: c.authDomain,
  };
}
