import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizerInfo } from '../../src/emulator/handlers/authorizers.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/server.ts';
import { openPglite, postgresDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { freePort } from '../../test/support/processes.ts';
import { fakePlatform, openwxEnv } from './fakes.ts';
import { createBenchDatabase, type BenchDatabase } from './postgres.ts';
import { seedAuthorizers, type SeededAuthorization } from './token-fleet.ts';
import { stopIpcChild } from './child.ts';

/**
 * The rollout bench's fleet: the emulator (in the bench process) as WeChat, with N mini programs
 * it created as already authorized and ready for audit (an approved category, a privacy guide,
 * an ICP filing); openwx's database (a fresh PostgreSQL database, or PGlite on disk) seeded as
 * api_query_auth and api_get_authorizer_info would have left it (each authorizer with its sealed
 * refresh token, its authorizer_info and a fresh access token); and openwx in its own process in
 * live mode against the emulator, its RSS sampled every 200 ms and its V8 heap reported by it.
 */
export type DbKind = 'pglite' | 'postgres';

export interface Memory {
  rssMb: number;
  heapUsedMb: number;
}

/** Peaks of RSS and heap since the last reset, and the latest sample. */
export interface MemoryPeaks {
  reset(): void;
  peak(): Memory;
  current(): Memory;
}

export interface OpenwxChild extends MemoryPeaks {
  url: string;
  pid: number;
  /** VmHWM: the highest RSS the process ever had (MiB), as the kernel counts it. */
  highWaterMb(): number | undefined;
  /** Its SQL statements timed (BENCH_PROFILE=1 only): the top `top` as a table, and 30 as data. */
  profile(top: number): Promise<{ text: string; top: unknown }>;
  profileReset(): Promise<void>;
  /** Writes a V8 heap snapshot of openwx to `file`; resolves with the file written. */
  heapSnapshot(file: string): Promise<string>;
  stop(): Promise<void>;
}

export interface Fleet {
  dbKind: DbKind;
  /** The bench's own connection to openwx's PostgreSQL database (none on PGlite). */
  db: Db | undefined;
  pg: BenchDatabase | undefined;
  emulator: EmulatorServer;
  openwx: OpenwxChild;
  /** The bench process: the emulator and the driver. */
  benchMemory: MemoryPeaks;
  appids: string[];
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

/** VmRSS (or another /proc status field) of a process in MiB, undefined once it is gone. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples every 200 ms; `read` gives the current RSS and heap (MiB), or undefined. */
function sampler(read: () => Partial<Memory> | undefined): MemoryPeaks & { stop(): void } {
  let peak: Memory = { rssMb: 0, heapUsedMb: 0 };
  let latest: Memory = { rssMb: 0, heapUsedMb: 0 };
  const sample = () => {
    const m = read();
    if (!m) return;
    latest = { rssMb: m.rssMb ?? 0, heapUsedMb: m.heapUsedMb ?? 0 };
    peak = {
      rssMb: Math.max(peak.rssMb, m.rssMb ?? 0),
      heapUsedMb: Math.max(peak.heapUsedMb, m.heapUsedMb ?? 0),
    };
  };
  const timer = setInterval(sample, 200);
  timer.unref();
  sample();
  return {
    reset() {
      peak = { rssMb: 0, heapUsedMb: 0 };
      sample();
    },
    peak() {
      sample();
      return { ...peak };
    },
    current() {
      sample();
      return { ...latest };
    },
    stop: () => clearInterval(timer),
  };
}

const CHILD = join(import.meta.dirname, 'rollout-child.ts');

type FromChild =
  | { type: 'ready'; url: string }
  | { type: 'failed'; error: string }
  | { type: 'heap'; used: number }
  | { type: 'profile'; text: string; top: unknown }
  | { type: 'profile-reset' }
  | { type: 'heap-snapshot'; file: string };

/** openwx in its own process (node args from BENCH_OPENWX_NODE_ARGS, e.g. --heap-prof). */
async function startOpenwx(env: Record<string, string>): Promise<OpenwxChild> {
  const nodeArgs = (process.env['BENCH_OPENWX_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', CHILD], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid ?? -1;
  let heapMb = 0;
  const waiting = new Map<string, (m: FromChild) => void>();
  child.on('message', (m: FromChild) => {
    if (m.type === 'heap') heapMb = m.used / 2 ** 20;
    const w = waiting.get(m.type);
    if (w) {
      waiting.delete(m.type);
      w(m);
    }
  });
  const answer = <T extends FromChild>(type: T['type'], request: unknown, ms = 120_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`openwx did not answer ${type}`)), ms);
      waiting.set(type, (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      if (request !== undefined) child.send(request as object);
    });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('openwx did not start in 120 s')), 120_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`openwx exited (${code}) before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', (m: FromChild) => {
      if (m.type !== 'ready' && m.type !== 'failed') return;
      clearTimeout(timer);
      child.off('exit', onExit);
      if (m.type === 'ready') resolve(m.url);
      else reject(new Error(`openwx failed to start: ${m.error}`));
    });
  });
  const mem = sampler(() => {
    const rssMb = statusMb(pid, 'VmRSS');
    return rssMb === undefined ? undefined : { rssMb, heapUsedMb: heapMb };
  });
  return {
    url,
    pid,
    reset: mem.reset,
    peak: mem.peak,
    current: mem.current,
    highWaterMb: () => statusMb(pid, 'VmHWM'),
    async profile(top) {
      const m = await answer<{ type: 'profile'; text: string; top: unknown }>('profile', {
        type: 'profile',
        top,
      });
      return { text: m.text, top: m.top };
    },
    async profileReset() {
      await answer('profile-reset', { type: 'profile-reset' });
    },
    async heapSnapshot(file) {
      const m = await answer<{ type: 'heap-snapshot'; file: string }>(
        'heap-snapshot',
        { type: 'heap-snapshot', file },
        600_000,
      );
      return m.file;
    },
    async stop() {
      mem.stop();
      await stopIpcChild(child, 20_000);
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

/**
 * Stores each authorizer's authorizer_info as api_get_authorizer_info answers it (the emulator's
 * own answer for that account): the pre-flight and the rollout's target read MiniProgramInfo.
 * Its next drift check is spread over the next six hours.
 */
async function seedInfo(db: Db, emulator: EmulatorServer, appids: string[]): Promise<void> {
  const merchants = emulator.emulator.state.merchants;
  for (let i = 0; i < appids.length; i += 5000) {
    const rows = appids.slice(i, i + 5000).map((appid) => {
      const m = merchants.get(appid);
      if (!m) throw new Error(`the emulator does not know ${appid}`);
      return { appid, info: authorizerInfo(m) };
    });
    // A fleet in its steady state: each mini program's next drift check (every 6 h, see
    // src/services/profile/sync.ts) somewhere in the next 6 h, not all of them due at once.
    await db.query(
      `UPDATE authorizers a SET info = e->'info',
         drift_check_at = now() + random() * interval '6 hours'
       FROM jsonb_array_elements($1::jsonb) AS e WHERE a.appid = e->>'appid'`,
      [JSON.stringify(rows)],
    );
  }
}

/**
 * Holds off the periodic tasks that are not part of a rollout for a day (their leases taken):
 * the six-hourly reconcile (api_get_authorizer_list over the whole fleet) and retention. The
 * audit poll runs as usual.
 */
async function holdUnrelatedTasks(db: Db): Promise<void> {
  await db.query(
    `INSERT INTO locks (key, holder, expires_at)
     SELECT k, 'bench:rollout', $1 FROM unnest($2::text[]) AS k
     ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at`,
    [new Date(Date.now() + 24 * 3600_000), ['reconcile', 'retention']],
  );
}

/** Mini programs openwx knows as authorized (info fetched), i.e. that a rollout can target. */
export async function knownMiniPrograms(db: Db): Promise<number> {
  const res = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM authorizers
     WHERE status = 'authorized' AND info ? 'MiniProgramInfo'`,
  );
  return Number(res.rows[0]?.n ?? 0);
}

export async function startFleet(opts: {
  dbKind: DbKind;
  apps: number;
  env: Record<string, string>;
  progress: (msg: string) => void;
}): Promise<Fleet> {
  const { progress } = opts;
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-bench-rollout-'));
  const platform = fakePlatform();
  const benchMemory = sampler(() => {
    const m = process.memoryUsage();
    return { rssMb: m.rss / 2 ** 20, heapUsedMb: m.heapUsed / 2 ** 20 };
  });
  const cleanup: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    benchMemory.stop();
    for (const f of cleanup.reverse()) await f().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let pg: BenchDatabase | undefined;
    let db: Db;
    if (opts.dbKind === 'postgres') {
      const made = await createBenchDatabase();
      if (typeof made === 'string') throw new Error(`--db postgres: ${made}`);
      pg = made;
      cleanup.push(() => made.drop());
      db = postgresDb(made.url, 4);
    } else {
      // Where openwx opens it itself in live mode: $OPENWX_DATA_DIR/pglite.
      db = await openPglite(join(dataDir, 'pglite'));
    }
    const benchDb = db;
    cleanup.push(() => benchDb.close());
    await migrate(db);

    const port = await freePort();
    const emulator = await startEmulatorServer({
      host: '127.0.0.1',
      port: 0,
      pushTo: [`http://127.0.0.1:${port}`],
      component: {
        appid: platform.componentAppid,
        appsecret: platform.appsecret,
        token: platform.token,
        aesKey: platform.aesKey,
      },
      ticketIntervalMs: 0,
      defaultDailyLimit: 100_000_000,
      merchants: [],
    });
    cleanup.push(() => emulator.close());
    const control = async <T>(path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${emulator.url}/control${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const out = (await res.json()) as T;
      if (!res.ok)
        throw new Error(`control ${path} answered ${res.status}: ${JSON.stringify(out)}`);
      return out;
    };

    // The fleet: authorized already, ready for audit, first tokens issued now.
    const auths: SeededAuthorization[] = [];
    for (let left = opts.apps; left > 0; left -= 20_000) {
      const { authorizations } = await control<{ authorizations: SeededAuthorization[] }>(
        '/fleet/authorized',
        { count: Math.min(left, 20_000), ready_for_audit: true },
      );
      auths.push(...authorizations);
    }
    const appids = auths.map((a) => a.authorizer_appid);
    progress(`emulator: ${appids.length} authorized mini programs, ready for audit`);
    const issuedAtMs = new Map<string, number>();
    for (const r of emulator.emulator.state.authorizerTokens.values()) {
      if (r.appid !== undefined) issuedAtMs.set(r.appid, r.issuedAt);
    }
    // Refreshes fall due well after any run (7200 s tokens, 600 s ahead, openwx's default).
    await seedAuthorizers(db, platform.masterKey, auths, issuedAtMs, 600_000);
    await seedInfo(db, emulator, appids);
    await holdUnrelatedTasks(db);
    const known = await knownMiniPrograms(db);
    if (known !== opts.apps) throw new Error(`seeded ${known} mini programs, not ${opts.apps}`);
    progress(`openwx's database seeded with ${known} authorizers and their tokens`);
    if (!pg) {
      // PGlite is one process's: openwx opens it once the bench has let go.
      await db.close();
      cleanup.pop();
    }

    const openwx = await startOpenwx({
      ...openwxEnv(platform, { dataDir, ...(pg ? { databaseUrl: pg.url } : {}) }),
      PORT: String(port),
      OPENWX_WECHAT_API_BASE: emulator.url,
      ...opts.env,
    });
    // Stopped before the emulator and the database.
    cleanup.push(() => openwx.stop());
    const admin = async <T>(path: string, method = 'GET', body?: unknown) => {
      const res = await fetch(`${openwx.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${platform.adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as T };
    };
    // A ticket, then openwx's component token.
    await emulator.emulator.pushTicket();
    await until('the component token', 30_000, async () => {
      const r = await admin<{ access_token?: string }>('/api/tokens/component');
      return r.status === 200 ? r.body.access_token : undefined;
    });
    return {
      dbKind: opts.dbKind,
      db: pg ? db : undefined,
      pg,
      emulator,
      openwx,
      benchMemory,
      appids,
      admin,
      control,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
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
