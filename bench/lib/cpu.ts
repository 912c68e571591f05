import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time from /proc (Linux): the whole machine, and single processes that are not ours to ask
 * (PostgreSQL backends). Elsewhere every reading is undefined and the tables show "-".
 */
const TICK_US = (() => {
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return 1e6 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
})();

export interface MachineCpu {
  busyUs: number;
  totalUs: number;
}

export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busyUs: (total - idle) * TICK_US, totalUs: total * TICK_US };
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, µs; undefined when it is gone. */
export function processCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5); the slice starts at field 3.
    return (Number(f[11]) + Number(f[12])) * TICK_US;
  } catch {
    return undefined;
  }
}

/** CPU used by a changing set of processes between two readings (new ones count from zero). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, us] of after) sum += us - (before.get(pid) ?? 0);
  return sum;
}

export function readPids(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const us = processCpuUs(pid);
    if (us !== undefined) out.set(pid, us);
  }
  return out;
}
