import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createOpenwx, type Openwx } from '../../src/app/create.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openPglite, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { freshPostgres } from '../../test/support/databases.ts';

/**
 * The rollout bench's fleet: openwx in sandbox mode (the emulator inside the same process) on a
 * fresh database, and N mini programs that authorized the platform the normal way (the emulator
 * pushes `authorized`, openwx exchanges the code with api_query_auth and stores the authorizer).
 */
export type DbKind = 'pglite' | 'postgres';

export interface Fleet {
  url: string;
  openwx: Openwx;
  db: Db;
  dbKind: DbKind;
  admin<T>(path: string, method?: string, body?: unknown): Promise<{ status: number; body: T }>;
  control<T>(path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** PostgreSQL when DATABASE_URL is set or a server answers on 127.0.0.1:5432, else PGlite. */
export async function defaultDbKind(): Promise<DbKind> {
  if (process.env['DATABASE_URL']) return 'postgres';
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port: 5432 });
    const done = (kind: DbKind) => {
      sock.destroy();
      resolve(kind);
    };
    sock.setTimeout(1000, () => done('pglite'));
    sock.once('connect', () => done('postgres'));
    sock.once('error', () => done('pglite'));
  });
}

export async function startFleet(opts: {
  dbKind: DbKind;
  env: Record<string, string>;
  /** Wraps openwx's database (e.g. to time its statements). */
  wrapDb?: (db: Db) => Db;
}): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-bench-rollout-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPENWX_DATA_DIR: dataDir,
    OPENWX_LOG_LEVEL: 'silent',
    OPENWX_EMULATOR_TICKET_INTERVAL: '0',
    ...opts.env,
  });
  // PostgreSQL: a fresh database from the migrated template, the pool size openwx uses itself.
  // PGlite: on disk under the data dir, as `npm start` runs it.
  const pg = opts.dbKind === 'postgres' ? await freshPostgres(10) : undefined;
  let db: Db;
  if (pg) db = pg.db;
  else {
    db = await openPglite(join(dataDir, 'pglite'));
    await migrate(db);
  }
  if (opts.wrapDb) db = opts.wrapDb(db);
  const openwx = await createOpenwx(config, { db, logger: pino({ level: 'silent' }) });
  const url = await openwx.listen();
  const json = (body: unknown) =>
    body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  return {
    url,
    openwx,
    db,
    dbKind: opts.dbKind,
    async admin<T>(path: string, method = 'GET', body?: unknown) {
      const init = json(body);
      const res = await fetch(`${url}${path}`, {
        method,
        ...init,
        headers: { authorization: `Bearer ${config.adminToken}`, ...init.headers },
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async control<T>(path: string, body?: unknown) {
      const res = await fetch(`${url}/emulator/control${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...json(body),
      });
      const out = (await res.json()) as T;
      if (!res.ok)
        throw new Error(`control ${path} answered ${res.status}: ${JSON.stringify(out)}`);
      return out;
    },
    async stop() {
      await openwx.stop();
      if (pg) await pg.drop();
      else await db.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A ticket pushed and a component token obtained; returns the token. */
export async function componentToken(f: Fleet): Promise<string> {
  await f.control('/push-ticket', {});
  return until('the component token', 15_000, async () => {
    const r = await f.admin<{ access_token?: string }>('/api/tokens/component');
    return r.status === 200 ? r.body.access_token : undefined;
  });
}

/** A template in openwx's library, made from a fresh emulator draft. */
export async function addTemplate(f: Fleet, userVersion: string): Promise<number> {
  const { draft_id } = await f.control<{ draft_id: number }>('/drafts', {
    user_version: userVersion,
    user_desc: `release ${userVersion}`,
  });
  const res = await f.admin<{ template_id: number }>('/api/admin/templates', 'POST', { draft_id });
  if (res.status !== 201) throw new Error(`template: ${JSON.stringify(res.body)}`);
  return res.body.template_id;
}

/** Mini programs openwx knows as authorized (info fetched), i.e. that a rollout can target. */
export async function knownMiniPrograms(db: Db): Promise<number> {
  const res = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM authorizers
     WHERE status = 'authorized' AND info ? 'MiniProgramInfo'`,
  );
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * N merchants, each ready for audit (an approved category and a privacy guide, set in the
 * emulator at creation), authorize the platform through the normal control route, `concurrency`
 * at a time; resolves when openwx has stored all of them.
 */
export async function authorizeFleet(
  f: Fleet,
  n: number,
  concurrency: number,
  progress: (msg: string) => void,
): Promise<string[]> {
  const token = await componentToken(f);
  const appids: string[] = [];
  for (let left = n; left > 0; left -= 5000) {
    const count = Math.min(left, 5000);
    const { appids: some } = await f.control<{ appids: string[] }>('/merchants/bulk', {
      count,
      type: 'miniprogram',
      ready_for_audit: true,
    });
    appids.push(...some);
  }
  const component = f.openwx.config.component.appid;
  const preAuthCode = async () => {
    const res = await fetch(
      `${f.url}/emulator/cgi-bin/component/api_create_preauthcode?component_access_token=${token}`,
      {
        method: 'POST',
        body: JSON.stringify({ component_appid: component }),
        headers: { 'content-type': 'application/json' },
      },
    );
    const body = (await res.json()) as { pre_auth_code?: string };
    if (!body.pre_auth_code) throw new Error(`pre_auth_code: ${JSON.stringify(body)}`);
    return body.pre_auth_code;
  };
  let next = 0;
  let pushed = 0;
  const lane = async () => {
    while (next < appids.length) {
      const appid = appids[next++] as string;
      await f.control('/authorize', { pre_auth_code: await preAuthCode(), appid });
      if (++pushed % 1000 === 0) progress(`authorized ${pushed} of ${n} (pushed)`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  let last = -1;
  await until(`openwx to know ${n} mini programs`, 30 * 60_000, async () => {
    const known = await knownMiniPrograms(f.db);
    if (known !== last && known < n) progress(`openwx knows ${known} of ${n}`);
    last = known;
    await new Promise((r) => setTimeout(r, 400));
    return known >= n ? known : undefined;
  });
  // Each authorization also queues follow-up work (profile.apply); the rollout's jobs would wait
  // behind that backlog, so the timed part starts with openwx's job queue empty.
  await until('openwx to finish its queued jobs', 30 * 60_000, async () => {
    const res = await f.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running')`,
    );
    const left = Number(res.rows[0]?.n ?? 0);
    if (left > 0) {
      progress(`openwx has ${left} jobs queued`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    return left === 0 ? true : undefined;
  });
  return appids;
}
