import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/processes.ts';
import pg from 'pg';
import { fakePlatform } from './lib/fakes.ts';
import { num, table } from './lib/format.ts';
import { createBenchDatabase } from './lib/postgres.ts';

/**
 * `npm run bench:startup`: how long openwx takes from the process starting to its first 200 from
 * /readyz (/healthz on a server without /readyz), and its resident memory at that moment, run
 * from the compiled build (dist/, as `npm start` and the container run it) and from the sources
 * through tsx (as `npm run dev` and the tests), in sandbox mode (the emulator inside) and in live
 * mode (fake credentials, the WeChat API a standalone emulator). Each start after the first uses
 * the database the first one made (a restart); the first start, which creates and migrates the
 * embedded database, is shown on its own. Never fails on a time: prints a table, writes
 * bench/results/startup-<time>.json.
 */
const { values: flags } = parseArgs({
  options: { runs: { type: 'string' }, node: { type: 'string' } },
});
const runs = Number(flags.runs ?? process.env['BENCH_RUNS'] ?? 5);
const node = flags.node ?? process.env['BENCH_NODE'] ?? process.execPath;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');

const ROOT = join(import.meta.dirname, '..');
const COMPILED = join(ROOT, 'dist', 'server', 'app', 'main.js');
const SOURCES = join(ROOT, 'src', 'app', 'main.ts');
const say = (msg: string) => console.error(`· ${msg}`);
const children = new Set<ChildProcess>();

type Variant = 'compiled' | 'tsx';
type Mode = 'sandbox' | 'live' | 'live, PostgreSQL';
interface Start {
  readyMs: number;
  rssMib: number;
  path: string;
}

const argv = (variant: Variant, command: string[]) =>
  variant === 'compiled' ? [COMPILED, ...command] : ['--import', 'tsx', SOURCES, ...command];

/** A clean environment: PATH and HOME from here, nothing else inherited. */
function baseEnv(): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    NODE_ENV: 'production',
  };
}

function rssMib(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

/** One start: spawn, poll every 10 ms until the first 200, read RSS, stop. */
async function start(variant: Variant, env: Record<string, string>, port: number): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(node, argv(variant, ['serve']), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`openwx exited (${child.exitCode}):\n${err}`);
      for (const path of ['/readyz', '/healthz']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
        if (res?.status === 200) {
          const readyMs = performance.now() - t0;
          return { readyMs, rssMib: rssMib(child.pid as number), path };
        }
        if (res?.status !== 404) break;
      }
      if (performance.now() - t0 > 120_000) throw new Error(`not ready after 120 s:\n${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await stop(child);
    children.delete(child);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-build.js')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) throw new Error('the build failed; see above');

const work = mkdtempSync(join(tmpdir(), 'openwx-bench-startup-'));
let dropDatabase: () => Promise<void> = async () => {};
process.on('SIGINT', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  void dropDatabase().finally(() => process.exit(130));
});

const port = await freePort();
const emulatorPort = await freePort();
const platform = fakePlatform();
const component = {
  OPENWX_COMPONENT_APPID: platform.componentAppid,
  OPENWX_COMPONENT_APPSECRET: platform.appsecret,
  OPENWX_COMPONENT_TOKEN: platform.token,
  OPENWX_COMPONENT_AES_KEY: platform.aesKey,
};
const common = { ...baseEnv(), PORT: String(port), HOST: '127.0.0.1' };
const live = (dataDir: string) => ({
  ...common,
  ...component,
  OPENWX_DATA_DIR: dataDir,
  OPENWX_MODE: 'live',
  OPENWX_MASTER_KEY: platform.masterKey,
  OPENWX_ADMIN_TOKEN: platform.adminToken,
  OPENWX_PUBLIC_URL: `http://127.0.0.1:${port}`,
  OPENWX_WECHAT_API_BASE: `http://127.0.0.1:${emulatorPort}`,
});
// PostgreSQL (as in production) when it answers: a fresh database, its schema emptied before
// each variant's first start so that both first starts apply the migrations.
const pgdb = await createBenchDatabase();
if (typeof pgdb === 'string') say(`${pgdb}: no PostgreSQL rows`);
const database = typeof pgdb === 'string' ? undefined : pgdb;
if (database) dropDatabase = () => database.drop();
const envs: Record<Mode, (dataDir: string) => Record<string, string>> = {
  sandbox: (dataDir) => ({ ...common, OPENWX_DATA_DIR: dataDir }),
  live,
  'live, PostgreSQL': (dataDir) => ({ ...live(dataDir), DATABASE_URL: database?.url ?? '' }),
};
async function emptySchema(): Promise<void> {
  const client = new pg.Client({ connectionString: database?.url });
  await client.connect();
  await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await client.end();
}

// Live mode talks to a standalone emulator (tickets only on demand: nothing arrives mid-start).
const emulator = spawn(
  node,
  argv('compiled', [
    'emulator',
    '--port',
    String(emulatorPort),
    '--push-to',
    `http://127.0.0.1:${port}`,
    '--ticket-interval',
    '0',
  ]),
  { env: { ...baseEnv(), ...component }, stdio: 'ignore' },
);
children.add(emulator);

const variants: Variant[] = ['compiled', 'tsx'];
const modes: Mode[] = ['sandbox', 'live', ...(database ? (['live, PostgreSQL'] as const) : [])];
const rows = variants.flatMap((variant) => modes.map((mode) => ({ variant, mode })));
const results = rows.map((r) => ({
  ...r,
  dataDir: join(work, `${r.variant}-${r.mode}`),
  first: undefined as Start | undefined,
  starts: [] as Start[],
}));
const load0 = loadavg()[0] ?? 0;
try {
  for (const r of results) {
    mkdirSync(r.dataDir);
    if (r.mode === 'live, PostgreSQL') await emptySchema();
    r.first = await start(r.variant, envs[r.mode](r.dataDir), port);
    say(`${r.variant} ${r.mode}: first start ${num(r.first.readyMs)} ms`);
  }
  // Interleaved, so that a busy moment on the machine touches every row alike.
  for (let i = 0; i < runs; i++) {
    for (const r of results) r.starts.push(await start(r.variant, envs[r.mode](r.dataDir), port));
    say(`run ${i + 1}/${runs} done`);
  }
} finally {
  await stop(emulator);
  await dropDatabase();
  rmSync(work, { recursive: true, force: true });
}
const load1 = loadavg()[0] ?? 0;

const head = ['', 'mode', 'ready (median)', 'min – max', 'first start', 'RSS at ready'];
const body = results.map((r) => {
  const ready = r.starts.map((s) => s.readyMs);
  return [
    r.variant,
    r.mode,
    `${num(median(ready))} ms`,
    `${num(Math.min(...ready))} – ${num(Math.max(...ready))} ms`,
    `${num(r.first?.readyMs)} ms`,
    `${num(median(r.starts.map((s) => s.rssMib)))} MiB`,
  ];
});
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const probed = results[0]?.starts[0]?.path ?? '/readyz';
console.log(
  [
    '',
    `Start-up to the first 200 from ${probed}, ${runs} restart${runs === 1 ? '' : 's'} each (median), node ${version}:`,
    '',
    table(head, body),
    '',
    `load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${cpus().length} cores` +
      (Math.max(load0, load1) > cpus().length / 2 ? ' (busy machine: figures are noisy)' : ''),
  ].join('\n'),
);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `startup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      node: version,
      runs,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, load: [load0, load1] },
      rows: results.map(({ variant, mode, first, starts }) => ({ variant, mode, first, starts })),
    },
    null,
    2,
  )}\n`,
);
say(`wrote ${file}`);
