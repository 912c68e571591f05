import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite, postgresDb } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { hasTaskset, pinSelf, startChild, type RunningChild } from './lib/child.ts';
import { machineCpu, readPids } from './lib/cpu.ts';
import { fakePlatform, openwxEnv } from './lib/fakes.ts';
import { measure, type Measured, type RunSettings, type Target } from './lib/measure.ts';
import { printResults, writeJson } from './lib/output.ts';
import { measureCryptoPieces } from './lib/pieces-crypto.ts';
import { measureDbPieces } from './lib/pieces-db.ts';
import { createBenchDatabase, type BenchDatabase } from './lib/postgres.ts';
import { pushGenerator, type PushKind } from './lib/pushes.ts';
import type { Results } from './lib/report.ts';

/**
 * `npm run bench:callbacks`: requests/s and p50/p99 of the ticket push and of a message push
 * through openwx's full path, against a bare node:http server, on PGlite and PostgreSQL; plus the
 * rungs between (Fastify, Fastify + openPush) and the in-process pieces, so that a miss says
 * where the time goes. Never fails on a time: prints tables, writes bench/results/*.json.
 */
const settings: RunSettings = {
  seconds: Number(process.env['BENCH_SECONDS'] ?? 10),
  warmupSeconds: 2,
  connections: 20,
  poolMax: Number(process.env['BENCH_POOL_MAX'] ?? 150_000),
};
/** BENCH_ONLY=postgres: the yardstick and the PostgreSQL rows alone (a quicker re-measure). */
const only = process.env['BENCH_ONLY'];
if (only !== undefined && only !== 'postgres') {
  console.error(`BENCH_ONLY must be "postgres" (or unset), not ${JSON.stringify(only)}`);
  process.exit(2);
}
const onlyPostgres = only === 'postgres';
const say = (msg: string) => console.error(`· ${msg}`);
const platform = fakePlatform();
const gen = (kind: PushKind) => pushGenerator(platform, kind);
const children = new Set<RunningChild>();
const cleanups: (() => Promise<void> | void)[] = [];
const results: Results = {
  runs: [],
  fastifyOpen: {},
  full: [],
  crypto: {},
  db: {},
  connections: settings.connections,
};

async function withChild<T>(
  script: Parameters<typeof startChild>[0],
  env: Record<string, string | undefined>,
  fn: (c: RunningChild) => Promise<T>,
): Promise<T> {
  const child = await startChild(script, env);
  children.add(child);
  try {
    return await fn(child);
  } finally {
    await child.stop();
    children.delete(child);
  }
}

async function cleanup(): Promise<void> {
  for (const c of children) await c.stop().catch(() => {});
  for (const f of cleanups.reverse()) await f();
}
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

function record(m: Measured): Measured {
  results.runs.push(m);
  say(`${m.label.trim()}: ${Math.round(m.reqPerSec)} req/s, p99 ${m.p99Ms.toFixed(2)} ms`);
  return m;
}

/** node:http answering `success`; run first and last, the faster one is the yardstick. */
async function bare(env: Record<string, string>, label: string): Promise<void> {
  await withChild('bare-child.ts', env, async (child) => {
    const m = record(await measure({ label, child, load: { fixed: gen('message') } }, settings));
    if (!results.bare || m.reqPerSec > results.bare.reqPerSec) results.bare = m;
  });
}

/** Fastify alone, then Fastify + openPush: the framework's and the crypto's share. */
async function rungs(env: Record<string, string>): Promise<void> {
  await withChild('fastify-child.ts', env, async (child) => {
    const load = { fixed: gen('message') };
    results.fastify = record(
      await measure({ label: 'Fastify, empty route', child, load }, settings),
    );
  });
  await withChild('fastify-child.ts', { ...env, BENCH_OPEN: '1' }, async (child) => {
    for (const kind of ['ticket', 'message'] as const) {
      const target = { label: `Fastify + openPush (${kind})`, child, load: { fixed: gen(kind) } };
      results.fastifyOpen[kind] = record(await measure(target, settings));
    }
  });
}

/** openwx itself, distinct pushes only, rows counted in its database afterwards. */
async function fullPath(
  db: 'PGlite' | 'PostgreSQL',
  env: Record<string, string>,
  pg?: BenchDatabase,
) {
  // The authorizer of the message URL, known as on a running platform (server-child.ts).
  const seeded = {
    ...env,
    BENCH_AUTHORIZER_APPID: platform.authorizerAppid,
    BENCH_AUTHORIZER_USER_NAME: platform.originalId,
  };
  await withChild('server-child.ts', seeded, async (child) => {
    say(`openwx on ${db} started (${JSON.stringify(child.info)})`);
    for (const kind of ['ticket', 'message'] as const) {
      const label = `${kind === 'ticket' ? 'ticket push ' : 'message push'} (${db})`;
      const target: Target = {
        label,
        child,
        load: { unique: gen(kind) },
        rows: (s) => (kind === 'ticket' ? s.rows?.auth : s.rows?.message) ?? 0,
        metricsKind: kind === 'ticket' ? 'auth' : 'message',
        ...(pg ? { pgPids: () => pg.backendPids() } : {}),
      };
      results.full.push({ label, db, kind, run: record(await measure(target, settings)) });
    }
  });
}

/** The CPU pieces, in this process, first (before the load runs leave garbage behind). */
function cryptoPieces(): void {
  say('in-process pieces: crypto and XML');
  for (const kind of ['message', 'ticket'] as const) {
    results.crypto[kind] = measureCryptoPieces(platform, kind);
  }
}

/** The database pieces, in this process; PGlite reuses the stopped server's data dir. */
async function dbPieces(pg: BenchDatabase | undefined, pgliteDir: string): Promise<void> {
  say('in-process pieces: PGlite');
  const lite = await openPglite(join(pgliteDir, 'pglite'));
  await migrate(lite);
  results.db.PGlite = await measureDbPieces(lite, platform);
  await lite.close();
  if (!pg) return;
  say('in-process pieces: PostgreSQL');
  const db = postgresDb(pg.url);
  const backendCpu = async () => {
    let sum = 0;
    for (const us of readPids(await pg.backendPids()).values()) sum += us;
    return sum;
  };
  results.db.PostgreSQL = await measureDbPieces(db, platform, backendCpu);
  await db.close();
}

/** Busy cores over one second, before anything of ours runs. */
async function busyCores(): Promise<number | undefined> {
  const a = machineCpu();
  await new Promise((ok) => setTimeout(ok, 1000));
  const b = machineCpu();
  return a && b ? (b.busyUs - a.busyUs) / 1e6 : undefined;
}

async function main(): Promise<void> {
  const pinned = pinSelf(1);
  const where = pinned ? 'load generator on CPU 1, servers on CPU 0' : 'not pinned (no taskset)';
  say(
    `${where}; ${settings.seconds} s per run after ${settings.warmupSeconds} s warm-up, ${settings.connections} connections`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const created = await createBenchDatabase();
  const pg = typeof created === 'string' ? undefined : created;
  if (pg) cleanups.push(() => pg.drop());
  else {
    results.postgresSkipped = created as string;
    say(`${results.postgresSkipped}: PostgreSQL rows skipped`);
  }
  const busy = await busyCores();
  if (busy !== undefined) results.busyBefore = busy;

  const env = openwxEnv(platform, { dataDir });
  const pgliteDir = join(dataDir, 'pglite-server');
  if (onlyPostgres) say('BENCH_ONLY=postgres: bare node:http and the PostgreSQL push rows only');
  else cryptoPieces();
  await bare(env, 'bare node:http');
  if (!onlyPostgres) {
    await rungs(env);
    await fullPath('PGlite', openwxEnv(platform, { dataDir: pgliteDir }));
  }
  if (pg) {
    const pgEnv = openwxEnv(platform, { dataDir: join(dataDir, 'pg-server'), databaseUrl: pg.url });
    await fullPath('PostgreSQL', pgEnv, pg);
  }
  if (!onlyPostgres) {
    await bare(env, 'bare node:http (again)');
    await dbPieces(pg, pgliteDir);
  }

  printResults(results, pg);
  const file = writeJson(results, settings, pg, {
    taskset: hasTaskset,
    pinned,
    busyCoresBefore: busy,
  });
  console.log(`\nresults: ${file}`);
}

try {
  await main();
} finally {
  await cleanup();
}
