import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { num, table } from './lib/format.ts';
import { profiledDb, profileTable, type QueryProfile } from './lib/query-profile.ts';
import {
  addTemplate,
  authorizeFleet,
  componentToken,
  defaultDbKind,
  startFleet,
  type DbKind,
  type Fleet,
} from './lib/rollout-fleet.ts';

/**
 * `npm run bench:rollout`: one fleet rollout (commit → pre-flight → submit_audit → audit pass
 * pushed → release) to N emulated mini programs with the emulator refusing more than R calls/s
 * (45011) and openwx's rollout token bucket set to R. Prints the wall time against the lower
 * bound (calls needed ÷ R), the calls made, the 45011 refusals and the memory used; checks that
 * every mini program was released and committed, submitted and released once. Never fails on a
 * time: writes bench/results/rollout-<time>.json.
 */
const { values: flags } = parseArgs({
  options: {
    apps: { type: 'string' },
    rate: { type: 'string' },
    db: { type: 'string' },
    workers: { type: 'string' },
    'auth-concurrency': { type: 'string' },
    profile: { type: 'boolean' },
  },
});
const env = process.env;
const apps = Number(flags.apps ?? env['BENCH_APPS'] ?? 10_000);
const rate = Number(flags.rate ?? env['BENCH_RATE'] ?? 500);
const workers = Number(flags.workers ?? env['BENCH_ROLLOUT_WORKERS'] ?? 4);
const authConcurrency = Number(flags['auth-concurrency'] ?? env['BENCH_AUTH_CONCURRENCY'] ?? 16);
const dbFlag = flags.db ?? env['BENCH_DB'];
const profile = flags.profile === true || env['BENCH_PROFILE'] === '1';
for (const [name, v] of Object.entries({ apps, rate, workers, authConcurrency })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
}
if (dbFlag !== undefined && dbFlag !== 'pglite' && dbFlag !== 'postgres') {
  throw new Error('--db must be pglite or postgres');
}

/** The WeChat calls one mini program costs a rollout that meets no error. */
const PER_APP: Record<string, number> = {
  '/wxa/commit': 1,
  '/cgi-bin/component/getprivacysetting': 1,
  '/wxa/get_category': 1,
  '/wxa/submit_audit': 1,
  '/wxa/release': 1,
};
const CALLS_PER_APP = Object.values(PER_APP).reduce((a, b) => a + b, 0);
const QUOTA_PATH = '/wxa/queryquota';

const say = (msg: string) => console.error(`· ${msg}`);

interface Memory {
  rssMb: number;
  heapUsedMb: number;
}
/** Peak RSS and heap of this process (openwx, the emulator and PGlite all live in it). */
function memorySampler() {
  const peak: Memory = { rssMb: 0, heapUsedMb: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rssMb = Math.max(peak.rssMb, m.rss / 2 ** 20);
    peak.heapUsedMb = Math.max(peak.heapUsedMb, m.heapUsed / 2 ** 20);
  };
  sample();
  const timer = setInterval(sample, 200);
  return {
    stop(): Memory {
      clearInterval(timer);
      sample();
      return { ...peak };
    },
  };
}

/** PostgreSQL backends of the bench database: their summed RSS (MiB), shared pages included. */
async function backendRssMb(f: Fleet): Promise<number | undefined> {
  if (f.dbKind !== 'postgres') return undefined;
  const res = await f.db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  let kb = 0;
  for (const { pid } of res.rows) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      return undefined; // not on this machine (or not ours to read)
    }
  }
  return kb / 1024;
}

type Rollout = {
  id: number;
  status: string;
  total: number;
  counts: Record<string, number>;
  halted_reason: string | null;
  errors: Array<{ reason: string; count: number }>;
};
type Stats = { calls: Record<string, number>; by_appid: Record<string, Record<string, number>> };

async function main(): Promise<void> {
  const dbKind: DbKind = (dbFlag as DbKind | undefined) ?? (await defaultDbKind());
  say(
    `${apps} mini programs, R = ${rate} calls/s, ${workers} rollout jobs, ${dbKind}; openwx and the emulator in this process`,
  );
  const setupStart = performance.now();
  let prof: QueryProfile | undefined;
  const fleet = await startFleet({
    dbKind,
    env: {
      OPENWX_ROLLOUT_CALLS_PER_SECOND: String(rate),
      OPENWX_ROLLOUT_WORKERS: String(workers),
    },
    ...(profile
      ? {
          wrapDb: (db) => {
            prof = profiledDb(db);
            return prof.db;
          },
        }
      : {}),
  });
  try {
    await run(fleet, dbKind, setupStart, prof);
  } finally {
    await fleet.stop();
  }
}

async function run(
  f: Fleet,
  dbKind: DbKind,
  setupStart: number,
  prof: QueryProfile | undefined,
): Promise<void> {
  const setupMem = memorySampler();
  await componentToken(f);
  const templateId = await addTemplate(f, '2.0.0');
  const appids = await authorizeFleet(f, apps, authConcurrency, say);
  await f.control('/audit-quota', { limit: Math.max(20_000, apps * 2), used: 0 });
  await f.control('/audit-policy', { auto_pass_after_seconds: 0 });
  await f.control('/rate-limit', { calls_per_second: rate });
  await f.control('/stats/reset', {});
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const setupPeak = setupMem.stop();
  say(`setup done in ${setupSeconds.toFixed(1)} s; rollout starts`);

  if (prof) {
    console.log(`\nsetup, openwx's statements:\n${profileTable(prof, 8)}`);
    prof.reset();
  }
  global.gc?.();
  const mem = memorySampler();
  const started = performance.now();
  const created = await f.admin<Rollout>('/api/admin/rollouts', 'POST', {
    template_id: templateId,
    target: { all: true },
  });
  if (created.status !== 201) throw new Error(`rollout: ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  let r = created.body;
  let lastLog = 0;
  const progress: Array<{ s: number; released: number }> = [];
  while (r.status === 'running') {
    await new Promise((ok) => setTimeout(ok, 500));
    r = (await f.admin<Rollout>(`/api/admin/rollouts/${id}`)).body;
    const s = (performance.now() - started) / 1000;
    progress.push({ s: Math.round(s * 10) / 10, released: r.counts['released'] ?? 0 });
    if (s - lastLog >= 10) {
      lastLog = s;
      const busy = Object.entries(r.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      say(`${s.toFixed(0)} s: ${busy}`);
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const peak = mem.stop();
  const pgRss = await backendRssMb(f);
  say(`rollout ${r.status} after ${wallSeconds.toFixed(1)} s`);

  const stats = await f.control<Stats>('/stats');
  const limit = await f.control<{ refused: number }>('/rate-limit');
  await f.control('/rate-limit', { calls_per_second: null });

  // Correctness: every mini program released, and committed, submitted, released exactly once.
  const bad = { commit: 0, submit: 0, release: 0 };
  for (const appid of appids) {
    const s = stats.by_appid[appid] ?? {};
    if (s['/wxa/commit'] !== 1) bad.commit++;
    if (s['/wxa/submit_audit'] !== 1) bad.submit++;
    if (s['/wxa/release'] !== 1) bad.release++;
  }
  const released = r.counts['released'] ?? 0;
  const online = await f.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rollout_items WHERE rollout_id = $1 AND state = 'released'`,
    [id],
  );
  const correct =
    r.status === 'completed' &&
    released === apps &&
    Number(online.rows[0]?.n) === apps &&
    bad.commit + bad.submit + bad.release === 0;

  // The lower bound: the calls the rollout must make, at R calls/s.
  const quotaReads = stats.calls[QUOTA_PATH] ?? 0;
  const callsNeeded = CALLS_PER_APP * apps + quotaReads;
  const callsMade = Object.values(stats.calls).reduce((a, b) => a + b, 0);
  const lowerBound = callsNeeded / rate;
  const result = {
    apps,
    rate,
    workers,
    db: dbKind,
    processes: 'one: openwx + emulator (sandbox mode) + the bench driver',
    setupSeconds,
    wallSeconds,
    lowerBoundSeconds: lowerBound,
    ratio: wallSeconds / lowerBound,
    callsNeeded,
    callsPerApp: CALLS_PER_APP,
    quotaReads,
    callsMade,
    callsAnswered45011: limit.refused,
    callsByPath: stats.calls,
    achievedCallsPerSecond: callsMade / wallSeconds,
    peak: { ...peak, postgresBackendsRssMb: pgRss },
    setupPeak,
    rollout: { id, status: r.status, counts: r.counts, errors: r.errors, halted: r.halted_reason },
    correct,
    notOnce: bad,
    progress,
    ...(prof ? { statements: prof.top(30) } : {}),
  };

  const rows = [
    ['apps', num(apps)],
    ['R (calls/s, emulator and openwx)', num(rate)],
    ['rollout jobs (OPENWX_ROLLOUT_WORKERS)', num(workers)],
    ['database', dbKind],
    ['setup (not timed)', `${num(setupSeconds, 1)} s`],
    ['WeChat calls made', num(callsMade)],
    ['  of which answered 45011', num(limit.refused)],
    ['calls needed', `${num(callsNeeded)} (${CALLS_PER_APP} × ${apps} + ${quotaReads} quota)`],
    ['wall time', `${num(wallSeconds, 1)} s`],
    ['lower bound (needed ÷ R)', `${num(lowerBound, 1)} s`],
    ['ratio', num(wallSeconds / lowerBound, 2)],
    ['calls/s achieved', num(callsMade / wallSeconds, 0)],
    ['peak RSS / heap (process)', `${num(peak.rssMb)} / ${num(peak.heapUsedMb)} MiB`],
    ...(pgRss === undefined ? [] : [['PostgreSQL backends RSS', `${num(pgRss)} MiB`]]),
    ['peak RSS / heap during setup', `${num(setupPeak.rssMb)} / ${num(setupPeak.heapUsedMb)} MiB`],
  ];
  console.log(`\n${table(['rollout', ''], rows)}\n`);
  console.log(
    table(
      ['calls by path', 'made', 'needed'],
      Object.entries(stats.calls)
        .sort(([, a], [, b]) => b - a)
        .map(([p, n]) => [
          p,
          num(n),
          p === QUOTA_PATH ? num(quotaReads) : PER_APP[p] ? num(PER_APP[p] * apps) : '0',
        ]),
    ),
  );
  console.log(
    `\ncorrect: ${correct ? 'yes' : 'NO'} — ${released} of ${apps} released (${r.status}); ` +
      `not exactly once: commit ${bad.commit}, submit_audit ${bad.submit}, release ${bad.release}`,
  );
  if (r.errors.length > 0) {
    console.log(`errors: ${r.errors.map((e) => `${e.count} × ${e.reason}`).join('; ')}`);
  }

  if (prof) console.log(`\nrollout, openwx's statements:\n${profileTable(prof)}`);

  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `rollout-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version };
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), machine, ...result }, null, 2)}\n`,
  );
  console.log(`\nresults: ${file}`);
}

await main();
