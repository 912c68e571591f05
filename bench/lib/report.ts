import type { DbTiming } from './pieces-db.ts';
import type { Timing } from './timing.ts';
import { num, table } from './format.ts';
import type { Measured } from './measure.ts';

/** The printed tables and the verdict, from the measured numbers only. */
export interface Results {
  runs: Measured[];
  /** The faster of the bare runs (one first, one last): other load only ever slows it down. */
  bare?: Measured;
  /** Busy cores on the machine in the second before the bench started. */
  busyBefore?: number;
  fastify?: Measured;
  fastifyOpen: Partial<Record<'ticket' | 'message', Measured>>;
  full: { label: string; db: 'PGlite' | 'PostgreSQL'; kind: 'ticket' | 'message'; run: Measured }[];
  crypto: Partial<Record<'ticket' | 'message', Map<string, Timing>>>;
  db: Partial<Record<'PGlite' | 'PostgreSQL', Map<string, DbTiming>>>;
  postgresSkipped?: string;
  connections: number;
}

/** Issue 13 §3: the message push with PostgreSQL, against bare node:http on the same core. */
export const TARGET_RATIO = 0.35;
export const TARGET_P99_MS = 20;
/** Server CPU per message push (µs), and per ticket push. */
export const TARGET_MESSAGE_CPU_US = 120;
export const TARGET_TICKET_CPU_US = 1000;

export function httpTable(r: Results): string {
  const bare = r.bare?.reqPerSec;
  return table(
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'ratio vs bare', 'rows stored'],
    r.runs.map((m) => [
      m.label,
      num(m.reqPerSec),
      num(m.p50Ms, 2),
      num(m.p99Ms, 2),
      bare ? num(m.reqPerSec / bare, 3) : '-',
      num(m.rowsStored),
    ]),
  );
}

export function costTable(r: Results): string {
  return table(
    [
      'target',
      'server CPU µs/req',
      'server core %',
      'loop busy %',
      'handler ms',
      'PG CPU µs/req',
      'load-gen core %',
      'other cores',
    ],
    r.runs.map((m) => [
      m.label,
      num(m.serverCpuUsPerReq),
      num(m.serverCorePct),
      num(m.loopUtilPct),
      num(m.handlerMs, 2),
      num(m.pgCpuUsPerReq),
      num(m.loadGenCorePct),
      num(m.otherCores, 2),
    ]),
  );
}

export function cryptoTable(r: Results): string {
  const names = [
    ...new Set([...(r.crypto.message?.keys() ?? []), ...(r.crypto.ticket?.keys() ?? [])]),
  ];
  return table(
    ['in-process, CPU per op', 'message µs', 'ticket µs'],
    names.map((n) => [
      n,
      num(r.crypto.message?.get(n)?.meanUs, 1),
      num(r.crypto.ticket?.get(n)?.meanUs, 1),
    ]),
  );
}

export function dbTable(r: Results): string {
  const lite = r.db.PGlite;
  const pg = r.db.PostgreSQL;
  const names = [...new Set([...(lite?.keys() ?? []), ...(pg?.keys() ?? [])])];
  const wall = (t: DbTiming | undefined) =>
    t ? (t.p99Us === undefined ? num(t.meanUs) : `${num(t.meanUs)} / ${num(t.p99Us)}`) : '-';
  return table(
    [
      'in-process, µs per op',
      'PGlite wall (mean / p99)',
      'PGlite CPU',
      'PostgreSQL wall (mean / p99)',
      'client CPU',
      'backend CPU',
    ],
    names.map((n) => {
      const a = lite?.get(n);
      const b = pg?.get(n);
      return [n, wall(a), num(a?.clientCpuUs), wall(b), num(b?.clientCpuUs), num(b?.dbCpuUs)];
    }),
  );
}

/** Checks that every distinct push answered 2xx became exactly one row. */
/**
 * A replayed push is answered 2xx but not stored, so rows ≥ pushes answered proves they were all
 * distinct; up to one in-flight push per connection and run (warm-up, run) is stored unanswered.
 */
export function uniquenessNotes(r: Results): string[] {
  return r.full.map(({ label, run }) => {
    const rows = run.rowsStored ?? 0;
    const extra = rows - run.okTotal;
    const inFlight = extra ? `, plus ${extra} in flight when the load stopped` : '';
    return extra >= 0 && extra <= 2 * r.connections
      ? `${label.trim()}: ${num(rows)} rows = every one of the ${num(run.okTotal)} pushes answered 2xx (warm-up + run)${inFlight}: all distinct`
      : `${label.trim()}: ${num(rows)} rows for ${num(run.okTotal)} pushes answered 2xx: NOT one row per push (duplicates sent?)`;
  });
}

export function qualityNotes(r: Results): string[] {
  const notes: string[] = [];
  const bare = r.bare;
  if (bare && bare.serverCorePct < 85) {
    const by =
      bare.loadGenCorePct >= 85
        ? `the load generator (${num(bare.loadGenCorePct)} % of its core)`
        : `other work on the machine (${num(bare.otherCores, 2)} cores)`;
    notes.push(
      `the bare server used only ${num(bare.serverCorePct)} % of its core, held back by ${by}: ratios vs bare are optimistic`,
    );
  }
  if ((r.busyBefore ?? 0) > 0.3) {
    notes.push(
      `the machine was already ${num(r.busyBefore, 2)} cores busy before the bench started: expect noise`,
    );
  }
  const noisy = r.runs.filter((m) => (m.otherCores ?? 0) > 0.3);
  if (noisy.length) {
    notes.push(
      `other work used ${noisy.map((m) => `${num(m.otherCores, 2)} cores during "${m.label.trim()}"`).join(', ')} (other processes, kernel network time): those rows are noisy, the in-process pieces less so`,
    );
  }
  for (const m of r.runs) {
    if (m.non2xx || m.errors)
      notes.push(`${m.label.trim()}: ${m.non2xx} non-2xx answers, ${m.errors} errors`);
    if (m.pushesMadeDuringRun)
      notes.push(
        `${m.label.trim()}: ${m.pushesMadeDuringRun} pushes were made during the run (pool ran out)`,
      );
  }
  return notes;
}
