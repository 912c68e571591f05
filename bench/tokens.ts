import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulatorServer } from '../src/emulator/server.ts';
import { postgresDb } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { freePort } from '../test/support/processes.ts';
import { machineCpu, readPids } from './lib/cpu.ts';
import { fakePlatform, openwxEnv } from './lib/fakes.ts';
import { num, table } from './lib/format.ts';
import { createBenchDatabase } from './lib/postgres.ts';
import {
  checkWindows,
  holdOtherPeriodicTasks,
  rssMb,
  seedAuthorizers,
  startInstance,
  type Instance,
  type SeededAuthorization,
} from './lib/token-fleet.ts';

/**
 * `npm run bench:tokens -- --authorizers 100000 --instances 3 [--kill-one] [--lifetime 600]`:
 * the emulator (in this process) as WeChat with tokens living `--lifetime` seconds, N accounts
 * it created as authorized (their first tokens issued over the past 60% of a lifetime, as if
 * they had authorized one after another), openwx's database on the local PostgreSQL (a
 * temporary database, dropped after) seeded with them, and `--instances` openwx processes
 * refreshing their tokens for two lifetimes. Checks that every token was replaced before it
 * expired and that each authorizer had exactly one api_authorizer_token call per lifetime
 * (window); prints each instance's share, the wall time, PostgreSQL's CPU and the peak RSS.
 * `--kill-one` kills instance 1 with SIGKILL after one lifetime. Never fails on a time: writes
 * bench/results/tokens-<time>.json.
 */
const LIMITS = {
  authorizers: [1, 200_000],
  instances: [1, 8],
  lifetime: [120, 7200],
} as const;

function usage(message: string): never {
  console.error(`bench:tokens: ${message}`);
  console.error(
    'usage: npm run bench:tokens -- --authorizers <1-200000> --instances <1-8> [--kill-one] [--lifetime <300-7200 s>]',
  );
  process.exit(2);
}

function readFlags() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        authorizers: { type: 'string', default: '20000' },
        instances: { type: 'string', default: '3' },
        lifetime: { type: 'string', default: '600' },
        'kill-one': { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  const out: Record<keyof typeof LIMITS, number> = { authorizers: 0, instances: 0, lifetime: 0 };
  for (const name of Object.keys(LIMITS) as Array<keyof typeof LIMITS>) {
    const raw = String(parsed[name]);
    const v = Number(raw);
    const [min, max] = LIMITS[name];
    if (!/^\d+$/.test(raw) || v < min || v > max) {
      usage(`--${name} must be a whole number from ${min} to ${max} (got ${raw})`);
    }
    out[name] = v;
  }
  const killOne = parsed['kill-one'] === true;
  if (killOne && out.instances < 2) usage('--kill-one needs at least 2 instances');
  // A killed instance's claims are taken over after 90 s: they must still be before expiry.
  if (killOne && out.lifetime < 600) usage('--kill-one needs --lifetime of at least 600 s');
  return { ...out, killOne };
}

const flags = readFlags();
const say = (msg: string) => console.error(`· ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const lifetimeMs = flags.lifetime * 1000;
  // 20% of the lifetime ahead: refreshes fall between 70% and 80% of it (10% spread), so that a
  // claim of a killed instance (90 s lease) is still taken over before expiry.
  const aheadS = Math.round(flags.lifetime * 0.2);
  const pg = await createBenchDatabase();
  if (typeof pg === 'string') {
    console.error(`bench:tokens needs PostgreSQL: ${pg}`);
    process.exit(2);
  }
  const instances: Instance[] = [];
  let emulatorClose: (() => Promise<void>) | undefined;
  const db = postgresDb(pg.url, 4);
  const dataDir = mkdtempSync(join(tmpdir(), 'openwx-bench-tokens-'));
  try {
    await migrate(db);
    const platform = fakePlatform();
    const ports = await Promise.all(Array.from({ length: flags.instances }, () => freePort()));
    const emulator = await startEmulatorServer({
      host: '127.0.0.1',
      port: 0,
      pushTo: ports.map((p) => `http://127.0.0.1:${p}`),
      component: {
        appid: platform.componentAppid,
        appsecret: platform.appsecret,
        token: platform.token,
        aesKey: platform.aesKey,
      },
      ticketIntervalMs: 10 * 60_000,
      tokenTtlSeconds: flags.lifetime,
      defaultDailyLimit: 100_000_000,
      merchants: [],
    });
    emulatorClose = () => emulator.close();

    // The fleet: created as authorized, first tokens issued over the past 60% of a lifetime.
    const setupStart = performance.now();
    const auths: SeededAuthorization[] = [];
    for (let left = flags.authorizers; left > 0; left -= 20_000) {
      const res = await fetch(`${emulator.url}/control/fleet/authorized`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          count: Math.min(left, 20_000),
          issued_over_seconds: Math.floor(flags.lifetime * 0.6),
        }),
      });
      const body = (await res.json()) as { authorizations?: SeededAuthorization[]; error?: string };
      if (!res.ok || !body.authorizations) throw new Error(`fleet: ${body.error}`);
      auths.push(...body.authorizations);
    }
    const issuedAtMs = new Map<string, number>();
    for (const r of emulator.emulator.state.authorizerTokens.values()) {
      if (r.appid !== undefined) issuedAtMs.set(r.appid, r.issuedAt);
    }
    await seedAuthorizers(db, platform.masterKey, auths, issuedAtMs, aheadS * 1000);
    await holdOtherPeriodicTasks(db, Date.now() + 24 * 3600_000);
    say(
      `${num(auths.length)} authorizers seeded in ${num((performance.now() - setupStart) / 1000, 1)} s`,
    );

    const env = (port: number) => ({
      ...openwxEnv(platform, { dataDir: join(dataDir, `instance-${port}`), databaseUrl: pg.url }),
      PORT: String(port),
      OPENWX_WECHAT_API_BASE: emulator.url,
      OPENWX_TOKEN_REFRESH_AHEAD: String(aheadS),
      BENCH_SCHEDULER_MS: String(Math.min(10_000, Math.round(lifetimeMs / 30))),
    });
    for (let i = 0; i < flags.instances; i++) {
      instances.push(await startInstance(i + 1, env(ports[i] as number)));
    }
    // A ticket, so that the instances can get the component token.
    await emulator.emulator.pushTicket();
    say(`${flags.instances} openwx instances up; ticket pushed`);

    // The timed part: two windows after the newest first token.
    const started = performance.now();
    const startedAt = Date.now();
    const newest = Math.max(...issuedAtMs.values());
    const endAt = newest + 2 * lifetimeMs + 15_000;
    const machine0 = machineCpu();
    const pgBase = readPids(await pg.backendPids());
    const pgLatest = new Map(pgBase);
    let benchPeakMb = 0;
    let killedAt: number | undefined;
    let lastLog = 0;
    while (Date.now() < endAt) {
      await sleep(2000);
      for (const [pid, us] of readPids(await pg.backendPids())) pgLatest.set(pid, us);
      for (const inst of instances) {
        const mb = inst.killed ? undefined : rssMb(inst.pid);
        if (mb !== undefined) inst.peakRssMb = Math.max(inst.peakRssMb, mb);
      }
      benchPeakMb = Math.max(benchPeakMb, process.memoryUsage().rss / 2 ** 20);
      const s = (Date.now() - startedAt) / 1000;
      if (flags.killOne && killedAt === undefined && Date.now() >= startedAt + lifetimeMs) {
        instances[0]?.kill();
        killedAt = s;
        say(`${s.toFixed(0)} s: instance 1 killed (SIGKILL)`);
      }
      if (s - lastLog >= 30) {
        lastLog = s;
        const total = instances.reduce((a, i) => a + i.ok, 0);
        say(
          `${s.toFixed(0)} s of ${((endAt - startedAt) / 1000).toFixed(0)}: ${num(total)} refreshes (${instances.map((i) => num(i.ok)).join(' / ')})`,
        );
      }
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const machine1 = machineCpu();
    let pgCpuUs = 0;
    for (const [pid, us] of pgLatest) pgCpuUs += us - (pgBase.get(pid) ?? 0);

    for (const inst of instances) if (!inst.killed) await inst.stop();
    const res = await fetch(`${emulator.url}/control/fleet/authorizer-tokens`);
    const { issued } = (await res.json()) as { issued: Record<string, number[]> };
    const appids = auths.map((a) => a.authorizer_appid);
    const check = checkWindows(issued, appids, lifetimeMs);
    const emulatorCalls =
      emulator.emulator.state.calls.get('/cgi-bin/component/api_authorizer_token') ?? 0;
    const totalOk = instances.reduce((a, i) => a + i.ok, 0);
    // The killed instance's last report may be up to a second old: the emulator's count is exact.
    const killedShare = flags.killOne
      ? emulatorCalls - instances.filter((i) => !i.killed).reduce((a, i) => a + i.calls, 0)
      : undefined;
    const correct = check.passed === check.authorizers;

    const rows = [
      ['authorizers', num(flags.authorizers)],
      [
        'openwx instances',
        `${flags.instances}${flags.killOne ? ` (instance 1 killed at ${num(killedAt, 0)} s)` : ''}`,
      ],
      ['token lifetime (expires_in) / refresh ahead', `${flags.lifetime} s / ${aheadS} s`],
      ['wall time (two windows after the newest token)', `${num(wallSeconds, 0)} s`],
      ['api_authorizer_token calls (emulator)', num(emulatorCalls)],
      ['  answered with a token (instances)', num(totalOk)],
      [
        'refreshes per hour (the pace the schedule asked for)',
        num((emulatorCalls / wallSeconds) * 3600),
      ],
      [
        'PostgreSQL CPU (bench database backends)',
        `${num(pgCpuUs / 1e6, 1)} s (${num((pgCpuUs / 1e6 / wallSeconds) * 100, 1)}% of a core)`,
      ],
      [
        'machine CPU busy',
        machine0 && machine1
          ? `${num(((machine1.busyUs - machine0.busyUs) / (machine1.totalUs - machine0.totalUs)) * 100, 0)}% of ${cpus().length} cores`
          : '-',
      ],
      ['peak RSS, bench process (emulator)', `${num(benchPeakMb)} MiB`],
    ];
    console.log(`\n${table(['tokens', ''], rows)}\n`);
    console.log(
      table(
        ['instance', 'calls', 'with a token', 'share', 'peak RSS'],
        instances.map((i) => {
          const calls = i.killed && killedShare !== undefined ? killedShare : i.calls;
          return [
            `${i.index}${i.killed ? ' (killed)' : ''}`,
            num(calls),
            i.killed ? '-' : num(i.ok),
            `${num((calls / Math.max(1, emulatorCalls)) * 100, 1)}%`,
            `${num(i.peakRssMb)} MiB`,
          ];
        }),
      ),
    );
    console.log(
      `\n${table(
        ['window', '0 calls', 'exactly 1', '2 or more'],
        check.perWindow.map((w, i) => [String(i + 1), num(w.zero), num(w.one), num(w.more)]),
      )}`,
    );
    console.log(
      `\ncorrect: ${correct ? 'yes' : 'NO'} — ${num(check.passed)} of ${num(check.authorizers)} authorizers had every token replaced before expiry and exactly one refresh per window; ${num(check.late)} had a token expire first`,
    );
    if (check.examples.length > 0) console.log(`examples: ${check.examples.join('; ')}`);

    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `tokens-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      postgres: pg.settings,
      flags,
      refreshAheadSeconds: aheadS,
      wallSeconds,
      emulatorCalls,
      instances: instances.map((i) => ({
        index: i.index,
        killed: i.killed,
        calls: i.killed && killedShare !== undefined ? killedShare : i.calls,
        ok: i.ok,
        peakRssMb: i.peakRssMb,
      })),
      killedAtSeconds: killedAt,
      postgresCpuSeconds: pgCpuUs / 1e6,
      benchPeakRssMb: benchPeakMb,
      check,
      correct,
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nresults: ${file}`);
  } finally {
    for (const inst of instances) {
      if (!inst.killed) await inst.stop().catch(() => {});
    }
    await emulatorClose?.().catch(() => {});
    await db.close().catch(() => {});
    await pg.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
