import { num } from './format.ts';
import type { Measured } from './measure.ts';
import type { DbTiming } from './pieces-db.ts';
import {
  TARGET_MESSAGE_CPU_US,
  TARGET_P99_MS,
  TARGET_RATIO,
  TARGET_TICKET_CPU_US,
  type Results,
} from './report.ts';

/**
 * The verdict paragraph: is the target met with PostgreSQL, and if not, where the server's time
 * per request goes, split by the rungs measured over HTTP (bare → Fastify → openPush → openwx)
 * and cross-checked with the in-process pieces.
 */
type Full = Results['full'][number];

/** The message push: ratio, p99 and CPU per push; the ticket push: CPU per push only. */
function meets(r: Results, f: Full): boolean {
  const m = f.run;
  if (f.kind === 'ticket') return m.serverCpuUsPerReq <= TARGET_TICKET_CPU_US;
  return (
    !!r.bare &&
    m.reqPerSec >= TARGET_RATIO * r.bare.reqPerSec &&
    m.p99Ms < TARGET_P99_MS &&
    m.serverCpuUsPerReq <= TARGET_MESSAGE_CPU_US
  );
}

function split(r: Results, f: Full): { name: string; us: number }[] {
  const open = r.fastifyOpen[f.kind];
  if (!r.bare || !r.fastify || !open) return [];
  return [
    { name: 'node:http itself', us: r.bare.serverCpuUsPerReq },
    {
      name: 'Fastify (routing, body, reply)',
      us: r.fastify.serverCpuUsPerReq - r.bare.serverCpuUsPerReq,
    },
    {
      name: 'verify + decrypt + XML parse',
      us: open.serverCpuUsPerReq - r.fastify.serverCpuUsPerReq,
    },
    {
      name: `storing (${f.db === 'PGlite' ? 'PGlite executing the SQL in-process' : 'pg driver'}, queries, metrics)`,
      us: f.run.serverCpuUsPerReq - open.serverCpuUsPerReq,
    },
  ];
}

function inProcess(r: Results, f: Full): string {
  const crypto = r.crypto[f.kind];
  const open = crypto?.get('openPush (all of the above)')?.meanUs;
  const full = crypto?.get('XML parse: plaintext, full parser')?.meanUs;
  const db = r.db[f.db];
  const piece =
    f.kind === 'ticket' ? 'ticket statement (ticket path)' : 'event INSERT (message path)';
  const store = db?.get(piece);
  const conc = db?.get('event INSERT, 10 concurrent');
  const batch = db?.get('20-row INSERT (group commit), per row');
  const claim = db?.get('job claim (per queued job)');
  const cpu = (t: DbTiming | undefined) =>
    t
      ? `${num(t.clientCpuUs)} µs CPU here${t.dbCpuUs !== undefined ? ` + ${num(t.dbCpuUs)} µs in the backend` : ''}`
      : '-';
  const parts = [
    `openPush costs ${num(open)} µs (two XML parses; the full parser would take ~${num(full)} µs for the plaintext alone)`,
    `the ${f.kind === 'ticket' ? 'ticket statement (event, ticket, pruning)' : 'event INSERT'} ${num(store?.meanUs)} µs wall (p99 ${num(store?.p99Us)} µs), ${cpu(store)}`,
  ];
  if (f.kind === 'message' && conc)
    parts.push(`${num(conc.meanUs)} µs wall per INSERT with 10 in flight`);
  if (f.kind === 'message' && batch)
    parts.push(
      `${num(batch.meanUs)} µs wall and ${cpu(batch)} per row when 20 pushes share one INSERT`,
    );
  if (f.kind === 'ticket' && claim)
    parts.push(
      `a job claim (only for pushes that queue a job) ${num(claim.meanUs)} µs wall, ${cpu(claim)}`,
    );
  return `In-process: ${parts.join('; ')}.`;
}

function explain(r: Results, f: Full): string {
  const m = f.run;
  const bare = r.bare as Measured;
  const budget = 1e6 / (TARGET_RATIO * bare.reqPerSec);
  const parts = split(r, f);
  const total = m.serverCpuUsPerReq;
  const biggest = [...parts].sort((a, b) => b.us - a.us)[0];
  const share = (us: number) =>
    us <= 0
      ? `≈ 0 µs (measured ${num(us)}: within noise)`
      : `${num(us)} µs (${num((us / total) * 100)} %)`;
  const partsText = parts.map((p) => `${p.name} ${share(p.us)}`).join(', ');
  const head =
    `${f.label.trim()}: ${num(m.reqPerSec)} req/s = ${num(m.reqPerSec / bare.reqPerSec, 3)} × bare, p99 ${num(m.p99Ms, 1)} ms. ` +
    `Keeping ${TARGET_RATIO} × bare's ${num(bare.reqPerSec)} req/s on one core allows ${num(budget)} µs of server CPU per request (target ${f.kind === 'ticket' ? TARGET_TICKET_CPU_US : TARGET_MESSAGE_CPU_US} µs); it spent ${num(total)} µs` +
    (parts.length ? `: ${partsText}.` : '.');
  const held =
    m.serverCorePct < m.loopUtilPct - 15 ? '; other work held its core part of the time' : '';
  const loop = `its event loop was busy ${num(m.loopUtilPct)} % of the time (process CPU ${num(m.serverCorePct)} % of a core${held})`;
  const bound =
    m.loopUtilPct >= 90
      ? ` The server is CPU-bound: ${loop}, so it tops out near 1 s / ${num(total)} µs = ${num(1e6 / total)} req/s; the largest share is ${biggest?.name ?? '?'}.`
      : ` The server is not CPU-bound: ${loop}; requests wait on the database (mean ${num(m.handlerMs, 2)} ms inside the callback service).`;
  const pg =
    m.pgCpuUsPerReq !== undefined
      ? ` PostgreSQL backends used another ${num(m.pgCpuUsPerReq)} µs of CPU per request on the same 2 cores.`
      : '';
  return `${head}${bound}${pg} ${inProcess(r, f)}`;
}

/** How far the rungs without a database get: the ratio no storage change can beat. */
function ceiling(r: Results, bare: Measured): string {
  const open = Object.values(r.fastifyOpen).filter((m): m is Measured => !!m);
  if (open.length === 0) return '';
  const best = open.reduce((a, b) => (b.reqPerSec > a.reqPerSec ? b : a));
  const ratio = best.reqPerSec / bare.reqPerSec;
  const fastify = r.fastify
    ? `Fastify with an empty route already reaches only ${num(r.fastify.reqPerSec / bare.reqPerSec, 3)} × bare, and `
    : '';
  const verdictWord =
    ratio < TARGET_RATIO
      ? 'so the ratio target is out of reach of storage changes alone'
      : 'so the gap is in storing';
  return `Without any database, ${fastify}${best.label} reaches ${num(ratio, 3)} × bare (${num(best.reqPerSec)} req/s, ${num(best.serverCpuUsPerReq)} µs server CPU per request), ${verdictWord}.`;
}

/** Whether the target holds with PostgreSQL (undefined: not checked), and the paragraph. */
export function verdict(r: Results): { met: boolean | undefined; text: string } {
  const pg = r.full.filter((f) => f.db === 'PostgreSQL');
  const target =
    `message push with PostgreSQL: at least ${TARGET_RATIO} × bare req/s, p99 under ${TARGET_P99_MS} ms, ` +
    `at most ${TARGET_MESSAGE_CPU_US} µs server CPU per push; ticket push: at most ${TARGET_TICKET_CPU_US} µs`;
  const bare = r.bare;
  if (!bare) return { met: undefined, text: 'No bare baseline was measured: no verdict.' };
  if (pg.length === 0) {
    const why = r.postgresSkipped ?? 'no PostgreSQL rows';
    return { met: undefined, text: `Target (${target}) NOT CHECKED: ${why}.` };
  }
  const failed = pg.filter((f) => !meets(r, f));
  if (failed.length === 0) {
    const each = pg.map(
      (f) =>
        `${f.label.trim()} ${num(f.run.reqPerSec / bare.reqPerSec, 3)} × bare, p99 ${num(f.run.p99Ms, 1)} ms, ${num(f.run.serverCpuUsPerReq)} µs CPU`,
    );
    return { met: true, text: `Target (${target}) MET: ${each.join('; ')}.` };
  }
  const names = failed.map((f) => f.label.trim()).join(' and ');
  const why = [ceiling(r, bare), ...failed.map((f) => explain(r, f))].join(' ');
  return { met: false, text: `Target (${target}) NOT MET for ${names}. ${why}` };
}

/** The same account for the PGlite rows (no target applies to them). */
export function pgliteNotes(r: Results): string[] {
  return r.bare ? r.full.filter((f) => f.db === 'PGlite').map((f) => explain(r, f)) : [];
}
