import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { machineCpu, processCpuUs, readPids } from './lib/cpu.ts';
import { readCountFlags } from './lib/flags.ts';
import { num, table } from './lib/format.ts';
import {
  addTemplate,
  defaultDbKind,
  startFleet,
  type DbKind,
  type Fleet,
} from './lib/rollout-fleet.ts';

/**
 * `npm run bench:rollout`: one fleet rollout (commit → pre-flight → submit_audit → audit pass
 * pushed → release) to N emulated mini programs with the emulator refusing more than R calls/s
 * (45011) and openwx's rollout token bucket set to R. openwx runs in its own process (live mode,
 * the emulator in the bench process as WeChat), so its memory is its own. Prints the wall time
 * against the lower bound (calls needed ÷ R), the calls made, the 45011 refusals, openwx's peak
 * RSS and heap apart from the emulator's, and the load average; checks that every mini program
 * was released and committed, submitted and released once. Never fails on a time: writes
 * bench/results/rollout-<time>.json.
 */
function usage(message: string): never {
  console.error(`bench:rollout: ${message}`);
  process.exit(2);
}

/** --db and --profile are taken out of argv here; the counts are read by readCountFlags. */
function readFlags() {
  const env = process.env;
  const argv = process.argv.slice(2);
  let db = env['BENCH_DB'];
  let profile = env['BENCH_PROFILE'] === '1';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--profile') profile = true;
    else if (a === '--db') db = argv[++i];
    else if (a.startsWith('--db=')) db = a.slice(5);
    else rest.push(a);
  }
  if (db !== undefined && db !== 'pglite' && db !== 'postgres')
    usage(`--db must be pglite or postgres (got "${db}")`);
  // The environment's defaults, given as flags so that they are checked the same way.
  const fromEnv: Record<string, string | undefined> = {
    apps: env['BENCH_APPS'],
    rate: env['BENCH_RATE'],
    workers: env['BENCH_ROLLOUT_WORKERS'],
  };
  for (const [k, v] of Object.entries(fromEnv)) {
    if (v !== undefined && !rest.some((a) => a === `--${k}` || a.startsWith(`--${k}=`)))
      rest.push(`--${k}`, v);
  }
  process.argv = [...process.argv.slice(0, 2), ...rest];
  const counts = readCountFlags('rollout', {
    apps: { min: 1, max: 200_000, def: 10_000 },
    // openwx takes OPENWX_ROLLOUT_CALLS_PER_SECOND up to 100,000.
    rate: { min: 1, max: 100_000, def: 500 },
    // OPENWX_ROLLOUT_WORKERS: 1 to 64.
    workers: { min: 1, max: 64, def: 4 },
    // Stop the timed part after this long and report how far it got (0: run to the end).
    'max-seconds': { min: 0, max: 86_400, def: 0 },
  });
  return { ...counts, db: db as DbKind | undefined, profile };
}

const flags = readFlags();
const { apps, rate, workers, profile } = flags;
const maxSeconds = flags['max-seconds'];

/**
 * The WeChat calls one never-released mini program costs a rollout that meets no error: commit;
 * the pre-flight's privacy guide, the code's privacy interfaces, categories and ICP filing
 * (src/services/code/code-preflight.ts); submit_audit; release.
 */
const PER_APP: Record<string, number> = {
  '/wxa/commit': 1,
  '/cgi-bin/component/getprivacysetting': 1,
  '/wxa/security/get_code_privacy_info': 1,
  '/wxa/get_category': 1,
  '/wxa/icp/get_icp_entrance_info': 1,
  '/wxa/submit_audit': 1,
  '/wxa/release': 1,
};
const CALLS_PER_APP = Object.values(PER_APP).reduce((a, b) => a + b, 0);
const QUOTA_PATH = '/wxa/queryquota';

const say = (msg: string) => console.error(`· ${msg}`);

/** PostgreSQL backends of the bench database: their summed RSS (MiB), shared pages included. */
async function backendRssMb(f: Fleet): Promise<number | undefined> {
  if (!f.pg) return undefined;
  let kb = 0;
  for (const pid of await f.pg.backendPids()) {
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

/** The items by state, those with any. */
const busy = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

async function main(): Promise<void> {
  const dbKind: DbKind = flags.db ?? (await defaultDbKind());
  say(
    `${num(apps)} mini programs, R = ${num(rate)} calls/s, ${workers} rollout jobs, ${dbKind}; ` +
      'openwx in its own process, the emulator in this one',
  );
  const setupStart = performance.now();
  const fleet = await startFleet({
    dbKind,
    apps,
    env: {
      OPENWX_ROLLOUT_CALLS_PER_SECOND: String(rate),
      OPENWX_ROLLOUT_WORKERS: String(workers),
      ...(profile ? { BENCH_PROFILE: '1' } : {}),
    },
    progress: say,
  });
  try {
    await run(fleet, dbKind, setupStart);
  } finally {
    await fleet.stop();
  }
}

async function run(f: Fleet, dbKind: DbKind, setupStart: number): Promise<void> {
  const templateId = await addTemplate(f, '2.0.0');
  await f.control('/audit-quota', { limit: Math.max(20_000, apps * 2), used: 0 });
  await f.control('/audit-policy', { auto_pass_after_seconds: 0 });
  await f.control('/rate-limit', { calls_per_second: rate });
  await f.control('/stats/reset', {});
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const setupOpenwx = f.openwx.peak();
  const setupBench = f.benchMemory.peak();
  say(
    `setup done in ${setupSeconds.toFixed(1)} s (openwx RSS ${num(setupOpenwx.rssMb)} MiB); rollout starts`,
  );

  if (profile) {
    console.log(`\nsetup, openwx's statements:\n${(await f.openwx.profile(8)).text}`);
    await f.openwx.profileReset();
  }
  global.gc?.();
  f.openwx.reset();
  f.benchMemory.reset();
  const load: number[] = [loadavg()[0] as number];
  // CPU time of each party over the timed part (/proc; "-" elsewhere).
  const cpu0 = {
    openwx: processCpuUs(f.openwx.pid),
    bench: process.cpuUsage(),
    machine: machineCpu(),
  };
  const pgCpu0 = f.pg ? readPids(await f.pg.backendPids()) : new Map<number, number>();
  const pgCpuLatest = new Map(pgCpu0);
  const started = performance.now();
  const created = await f.admin<Rollout>('/api/admin/rollouts', 'POST', {
    template_id: templateId,
    target: { all: true },
  });
  if (created.status !== 201) throw new Error(`rollout: ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  const createSeconds = (performance.now() - started) / 1000;
  let r = created.body;
  let lastLog = 0;
  let lastLoad = 0;
  // Per read: released so far, openwx's RSS and heap now, and its peak RSS so far (MiB).
  const progress: Array<{
    s: number;
    released: number;
    rssMb: number;
    heapMb: number;
    peakRssMb: number;
  }> = [];
  // Reading the rollout counts its items (a scan of N rows): every 0.5 s, or less often above
  // 25,000 mini programs (2 s at 100,000), so that the bench's own reads stay small.
  const pollMs = Math.max(500, Math.round(apps / 50));
  let stoppedEarly = false;
  while (r.status === 'running') {
    await new Promise((ok) => setTimeout(ok, pollMs));
    r = (await f.admin<Rollout>(`/api/admin/rollouts/${id}`)).body;
    const s = (performance.now() - started) / 1000;
    if (maxSeconds > 0 && s >= maxSeconds && r.status === 'running') {
      stoppedEarly = true;
      say(`stopping after ${maxSeconds} s (--max-seconds), the rollout still running`);
      break;
    }
    const rssMb = Math.round(f.openwx.peak().rssMb);
    const now = f.openwx.current();
    progress.push({
      s: Math.round(s * 10) / 10,
      released: r.counts['released'] ?? 0,
      rssMb: Math.round(now.rssMb),
      heapMb: Math.round(now.heapUsedMb),
      peakRssMb: rssMb,
    });
    if (s - lastLoad >= 5) {
      lastLoad = s;
      load.push(loadavg()[0] as number);
      if (f.pg)
        for (const [pid, us] of readPids(await f.pg.backendPids())) pgCpuLatest.set(pid, us);
    }
    if (s - lastLog >= 10) {
      lastLog = s;
      say(
        `${s.toFixed(0)} s: ${busy(r.counts)} (openwx RSS ${Math.round(now.rssMb)} MiB, peak ${rssMb} MiB, load ${(loadavg()[0] as number).toFixed(1)})`,
      );
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  load.push(loadavg()[0] as number);
  if (f.pg) for (const [pid, us] of readPids(await f.pg.backendPids())) pgCpuLatest.set(pid, us);
  const openwxCpu1 = processCpuUs(f.openwx.pid);
  const benchCpu = process.cpuUsage(cpu0.bench);
  const machine1 = machineCpu();
  let pgCpuUs = 0;
  for (const [pid, us] of pgCpuLatest) pgCpuUs += us - (pgCpu0.get(pid) ?? 0);
  const cpuSeconds = {
    openwx:
      openwxCpu1 !== undefined && cpu0.openwx !== undefined
        ? (openwxCpu1 - cpu0.openwx) / 1e6
        : undefined,
    emulatorAndDriver: (benchCpu.user + benchCpu.system) / 1e6,
    postgres: f.pg ? pgCpuUs / 1e6 : undefined,
    machineBusyPercent:
      cpu0.machine && machine1
        ? ((machine1.busyUs - cpu0.machine.busyUs) / (machine1.totalUs - cpu0.machine.totalUs)) *
          100
        : undefined,
  };
  const openwxPeak = f.openwx.peak();
  const openwxHwm = f.openwx.highWaterMb();
  const benchPeak = f.benchMemory.peak();
  const pgRss = await backendRssMb(f);
  say(`rollout ${r.status} after ${wallSeconds.toFixed(1)} s`);
  if (process.env['BENCH_HEAP_SNAPSHOT'] === '1') {
    const file = join(import.meta.dirname, 'results', `rollout-openwx-${Date.now()}.heapsnapshot`);
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    say(`openwx's heap snapshot: ${await f.openwx.heapSnapshot(file)}`);
  }

  const stats = await f.control<Stats>('/stats');
  const limit = await f.control<{ refused: number }>('/rate-limit');
  await f.control('/rate-limit', { calls_per_second: null });

  // Correctness: every mini program released, and committed, submitted, released exactly once.
  // A run stopped early checks that none was committed, submitted or released twice.
  const bad = { commit: 0, submit: 0, release: 0 };
  const wrong = (n: number | undefined) => (stoppedEarly ? (n ?? 0) > 1 : n !== 1);
  for (const appid of f.appids) {
    const s = stats.by_appid[appid] ?? {};
    if (wrong(s['/wxa/commit'])) bad.commit++;
    if (wrong(s['/wxa/submit_audit'])) bad.submit++;
    if (wrong(s['/wxa/release'])) bad.release++;
  }
  const released = r.counts['released'] ?? 0;
  // On PostgreSQL the items' rows are counted too (PGlite is openwx's alone while it runs).
  let online: number | undefined;
  if (f.db) {
    const res = await f.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM rollout_items WHERE rollout_id = $1 AND state = 'released'`,
      [id],
    );
    online = Number(res.rows[0]?.n);
  }
  const correct =
    !stoppedEarly &&
    r.status === 'completed' &&
    released === apps &&
    (online === undefined || online === apps) &&
    bad.commit + bad.submit + bad.release === 0;

  // The lower bound: the calls the rollout must make, at R calls/s.
  const quotaReads = stats.calls[QUOTA_PATH] ?? 0;
  const callsNeeded = CALLS_PER_APP * apps + quotaReads;
  const callsMade = Object.values(stats.calls).reduce((a, b) => a + b, 0);
  const lowerBound = callsNeeded / rate;
  const loadMean = load.reduce((a, b) => a + b, 0) / load.length;
  const loadMax = Math.max(...load);
  const result = {
    apps,
    rate,
    workers,
    db: dbKind,
    processes:
      'openwx (live mode) in its own process; the emulator and the bench driver in another',
    setupSeconds,
    createSeconds,
    stoppedEarlyAfterSeconds: stoppedEarly ? maxSeconds : null,
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
    openwx: { peak: openwxPeak, highWaterRssMb: openwxHwm, setupPeak: setupOpenwx },
    emulatorAndDriver: { peak: benchPeak, setupPeak: setupBench },
    postgresBackendsRssMb: pgRss,
    loadAverage1m: { mean: loadMean, max: loadMax, samples: load },
    cpuSeconds,
    rollout: { id, status: r.status, counts: r.counts, errors: r.errors, halted: r.halted_reason },
    correct,
    notOnce: bad,
    progress,
    ...(profile ? { statements: (await f.openwx.profile(30)).top } : {}),
  };

  const rows = [
    ['apps', num(apps)],
    ['R (calls/s, emulator and openwx)', num(rate)],
    ['rollout jobs (OPENWX_ROLLOUT_WORKERS)', num(workers)],
    ['database', dbKind],
    ['setup (not timed)', `${num(setupSeconds, 1)} s`],
    ['POST /api/admin/rollouts answered after', `${num(createSeconds, 1)} s`],
    ['WeChat calls made', num(callsMade)],
    ['  of which answered 45011', num(limit.refused)],
    ['calls needed', `${num(callsNeeded)} (${CALLS_PER_APP} × ${num(apps)} + ${quotaReads} quota)`],
    [
      'wall time',
      `${num(wallSeconds, 1)} s${stoppedEarly ? ' (stopped early: --max-seconds)' : ''}`,
    ],
    ['lower bound (needed ÷ R)', `${num(lowerBound, 1)} s`],
    ['ratio', num(wallSeconds / lowerBound, 2)],
    ['calls/s achieved', num(callsMade / wallSeconds, 0)],
    [
      'openwx peak RSS / heap (its process)',
      `${num(openwxPeak.rssMb)} / ${num(openwxPeak.heapUsedMb)} MiB`,
    ],
    ['openwx VmHWM (whole life)', openwxHwm === undefined ? '-' : `${num(openwxHwm)} MiB`],
    [
      'openwx peak RSS / heap during setup',
      `${num(setupOpenwx.rssMb)} / ${num(setupOpenwx.heapUsedMb)} MiB`,
    ],
    [
      'emulator + driver peak RSS / heap',
      `${num(benchPeak.rssMb)} / ${num(benchPeak.heapUsedMb)} MiB`,
    ],
    ...(pgRss === undefined ? [] : [['PostgreSQL backends RSS (end)', `${num(pgRss)} MiB`]]),
    [
      'CPU s: openwx / emulator + driver / PostgreSQL',
      [cpuSeconds.openwx, cpuSeconds.emulatorAndDriver, cpuSeconds.postgres]
        .map((v) => (v === undefined ? '-' : num(v, 0)))
        .join(' / '),
    ],
    [
      'machine CPU busy (all processes, shared machine)',
      cpuSeconds.machineBusyPercent === undefined
        ? '-'
        : `${num(cpuSeconds.machineBusyPercent, 0)}% of ${cpus().length} cores`,
    ],
    [
      'load average (1 min) during the rollout',
      `mean ${num(loadMean, 1)}, max ${num(loadMax, 1)} on ${cpus().length} cores`,
    ],
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
    stoppedEarly
      ? `\nstopped early: ${released} of ${apps} released (${busy(r.counts)}); ` +
          `more than once: commit ${bad.commit}, submit_audit ${bad.submit}, release ${bad.release}`
      : `\ncorrect: ${correct ? 'yes' : 'NO'} — ${released} of ${apps} released (${r.status}); ` +
          `not exactly once: commit ${bad.commit}, submit_audit ${bad.submit}, release ${bad.release}`,
  );
  if (r.errors.length > 0) {
    console.log(`errors: ${r.errors.map((e) => `${e.count} × ${e.reason}`).join('; ')}`);
  }

  if (profile) console.log(`\nrollout, openwx's statements:\n${(await f.openwx.profile(15)).text}`);

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
