import autocannon from 'autocannon';
import type { Push, PushSource } from './pushes.ts';

/**
 * One autocannon run against a URL: every request the same push (`fixed`, for targets that store
 * nothing: the cheapest load to generate), or each the next one from `source`. Latency is kept
 * per response in full precision (autocannon's own histogram has 1 ms steps).
 */
export type Requests = { fixed: Push } | { source: PushSource };

export interface LoadOptions {
  seconds: number;
  connections: number;
}

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
}

class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export async function runLoad(
  url: string,
  requests: Requests,
  opts: LoadOptions,
): Promise<LoadResult> {
  const samples = new Samples();
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        connections: opts.connections,
        duration: opts.seconds,
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        requests: [
          'fixed' in requests
            ? { path: requests.fixed.path, body: requests.fixed.body }
            : {
                setupRequest: (req) => {
                  const push = requests.source.next();
                  return { ...req, path: push.path, body: push.body };
                },
              },
        ],
      },
      (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result)),
    );
  });
  instance?.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) samples.push(ms);
  });
  const r = await done;
  const sorted = samples.sorted();
  return {
    reqPerSec: r['2xx'] / r.duration,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] ?? 0) : Number.NaN,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
  };
}
