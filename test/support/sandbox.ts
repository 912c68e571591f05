import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { createOpenwx, type Openwx, type OpenwxOptions } from '../../src/app/create.ts';
import { freshPglite, freshPostgres } from './databases.ts';
import { freePort } from './processes.ts';

/**
 * openwx in sandbox mode on a real port with its emulator inside, on a fresh database.
 * Pushes and API calls travel over real HTTP.
 */
export interface Sandbox {
  url: string;
  openwx: Openwx;
  adminToken: string;
  /** fetch against openwx with the admin token. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** A JSON call with the admin token: the status and the parsed answer. */
  call<T = Record<string, unknown>>(
    path: string,
    method?: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** JSON call to the emulator's control API. */
  control<T = Record<string, unknown>>(path: string, body?: unknown, method?: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startSandbox(
  opts: {
    db?: 'pglite' | 'postgres';
    env?: Record<string, string>;
    /** Further options for createOpenwx (e.g. short webhook retry settings). */
    options?: OpenwxOptions;
    /** Called before openwx listens (e.g. to add a hook to its Fastify app). */
    beforeListen?: (openwx: Openwx) => void;
  } = {},
): Promise<Sandbox> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-test-'));
  const config = loadConfig({
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    OPENWX_DATA_DIR: dataDir,
    OPENWX_LOG_LEVEL: 'silent',
    OPENWX_EMULATOR_TICKET_INTERVAL: '0',
    ...opts.env,
  });
  const pgdb = opts.db === 'postgres' ? await freshPostgres() : undefined;
  const db = pgdb?.db ?? (await freshPglite());
  const openwx = await createOpenwx(config, {
    db,
    logger: pino({ level: 'silent' }),
    jobPollMs: 50,
    ...opts.options,
  });
  opts.beforeListen?.(openwx);
  const url = await openwx.listen();
  const adminToken = config.adminToken;
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(init.headers as Record<string, string>),
      },
    });
  return {
    url,
    openwx,
    adminToken,
    admin,
    async call<T>(path: string, method = 'GET', body?: unknown) {
      const res = await admin(path, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async control<T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
      const res = await fetch(`${url}/emulator/control${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const json = (await res.json()) as T;
      if (!res.ok)
        throw new Error(`control ${path} answered ${res.status}: ${JSON.stringify(json)}`);
      return json;
    },
    async stop() {
      await openwx.stop();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
