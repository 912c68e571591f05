import type { RunningChild } from './child.ts';
import { cpuDelta, machineCpu, readPids } from './cpu.ts';
import { runLoad, type LoadResult, type Requests } from './load.ts';
import type { ChildStats } from './protocol.ts';
import { pushSource, type PushGenerator } from './pushes.ts';

/**
 * One row of the table: warm-up, then the measured run, with the CPU each party used during the
 * measured run (server child, load generator, PostgreSQL backends, everything else on the box).
 */
export interface RunSettings {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  poolMax: number;
}

export interface Measured extends LoadResult {
  label: string;
  /** Requests answered 2xx in warm-up and measured run together. */
  okTotal: number;
  rowsStored?: number;
  serverCpuUsPerReq: number;
  /** Share of one core the server used (can pass 100 with GC and libuv threads). */
  serverCorePct: number;
  loopUtilPct: number;
  loadGenCorePct: number;
  pgCpuUsPerReq?: number;
  /** CPU of everything else on the machine, in cores (other users' work = noise). */
  otherCores?: number;
  /** Mean time inside the callback service (openPush + store), from openwx's own metrics. */
  handlerMs?: number;
  pushesMadeDuringRun?: number;
}

export interface Target {
  label: string;
  child: RunningChild;
  /** What to send: one fixed push, or distinct pushes from a generator. */
  load: { fixed: PushGenerator } | { unique: PushGenerator };
  rows?: (s: ChildStats) => number;
  metricsKind?: 'auth' | 'message';
  pgPids?: () => Promise<number[]>;
}

async function handlerSeconds(url: string, kind: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = { sum: 0, count: 0 };
  const re = /^openwx_callback_duration_seconds_(sum|count)\{([^}]*)\}\s+(\S+)$/gm;
  for (const m of text.matchAll(re)) {
    if (!m[2]?.includes(`kind="${kind}"`) || !m[2].includes('outcome="stored"')) continue;
    out[m[1] === 'sum' ? 'sum' : 'count'] += Number(m[3]);
  }
  return out;
}

export async function measure(t: Target, s: RunSettings): Promise<Measured> {
  const load = t.load;
  const fixed = 'fixed' in load ? load.fixed.next() : undefined;
  const requests = (pool: number): Requests =>
    fixed
      ? { fixed }
      : { source: pushSource((load as { unique: PushGenerator }).unique, pool, false) };
  const opts = { connections: s.connections };
  const warm = await runLoad(t.child.url, requests(2000), { ...opts, seconds: s.warmupSeconds });
  // Distinct pushes made ahead for the measured run: twice the warm-up's pace (a cold server
  // warms up); should that run out, the rest are made during the run (and reported).
  const pool = Math.min(s.poolMax, Math.ceil(warm.reqPerSec * s.seconds * 2) + 2000);
  const measuredRequests = requests(pool);

  const pgPids = t.pgPids ? await t.pgPids() : [];
  const before = {
    child: await t.child.stats(),
    machine: machineCpu(),
    self: process.cpuUsage(),
    pg: readPids(pgPids),
    handler: t.metricsKind ? await handlerSeconds(t.child.url, t.metricsKind) : undefined,
  };
  const r = await runLoad(t.child.url, measuredRequests, { ...opts, seconds: s.seconds });
  const self = process.cpuUsage(before.self);
  const machine = machineCpu();
  const pgAfter = readPids(t.pgPids ? await t.pgPids() : []);
  const child = await t.child.stats();
  const handler = t.metricsKind ? await handlerSeconds(t.child.url, t.metricsKind) : undefined;

  const wallUs = r.durationS * 1e6;
  const serverUs = child.cpuUs - before.child.cpuUs;
  const selfUs = self.user + self.system;
  const pgUs = t.pgPids ? cpuDelta(before.pg, pgAfter) : 0;
  const active = child.loopActiveMs - before.child.loopActiveMs;
  const idle = child.loopIdleMs - before.child.loopIdleMs;
  const out: Measured = {
    label: t.label,
    ...r,
    okTotal: warm.ok + r.ok,
    serverCpuUsPerReq: serverUs / Math.max(1, r.ok),
    serverCorePct: (serverUs / wallUs) * 100,
    loopUtilPct: (active / Math.max(1e-9, active + idle)) * 100,
    loadGenCorePct: (selfUs / wallUs) * 100,
  };
  if (t.rows) out.rowsStored = t.rows(child);
  if (t.pgPids) out.pgCpuUsPerReq = pgUs / Math.max(1, r.ok);
  if (before.machine && machine) {
    const busy = machine.busyUs - before.machine.busyUs;
    out.otherCores = Math.max(0, busy - serverUs - selfUs - pgUs) / wallUs;
  }
  if (handler && before.handler && handler.count > before.handler.count) {
    out.handlerMs =
      ((handler.sum - before.handler.sum) / (handler.count - before.handler.count)) * 1000;
  }
  if ('source' in measuredRequests) out.pushesMadeDuringRun = measuredRequests.source.madeLive;
  return out;
}
