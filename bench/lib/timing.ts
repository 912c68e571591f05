import { percentile } from './load.ts';

/** Small in-process timers: µs per operation, after a warm-up. */
export interface Timing {
  meanUs: number;
  p50Us?: number;
  p99Us?: number;
  ops: number;
}

/**
 * Mean CPU µs per call of `fn` (process CPU time, so time spent descheduled by other work does
 * not count): `warm` calls first, then the best of `rounds` rounds of `roundMs` each, since noise
 * (GC of earlier garbage, other processes) only ever adds.
 */
export function timeSync(fn: (i: number) => void, roundMs = 150, rounds = 3, warm = 2000): Timing {
  let i = 0;
  while (i < warm) fn(i++);
  let best = Number.POSITIVE_INFINITY;
  let total = 0;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    let ops = 0;
    while (performance.now() - start < roundMs) {
      for (let k = 0; k < 100; k++, ops++) fn(i++);
    }
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / ops);
    total += ops;
  }
  return { meanUs: best, ops: total };
}

/** One call at a time, each timed, until `budgetMs` or `maxOps`. */
export async function timeSequential(
  fn: (i: number) => Promise<unknown>,
  budgetMs = 1000,
  maxOps = 5000,
  warm = 20,
): Promise<Timing> {
  for (let i = 0; i < warm; i++) await fn(i);
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < maxOps && performance.now() - start < budgetMs) {
    const t = performance.now();
    await fn(warm + samples.length);
    samples.push((performance.now() - t) * 1000);
  }
  const sorted = Float64Array.from(samples).sort();
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    meanUs: sum / samples.length,
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
    ops: samples.length,
  };
}

/** `concurrency` callers in a loop until `budgetMs`; wall time per completed call (1/throughput). */
export async function timeConcurrent(
  fn: (i: number) => Promise<unknown>,
  concurrency: number,
  budgetMs = 1500,
): Promise<Timing> {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < budgetMs) await fn(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  return { meanUs: (elapsed * 1000) / next, ops: next };
}
