import { randomBytes } from 'node:crypto';
import { decodedForStorage, openPush } from '../../src/callbacks/envelope.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createSealer, parseMasterKey } from '../../src/crypto/seal.ts';
import type { Db } from '../../src/store/db.ts';
import { createJobQueue } from '../../src/jobs/queue.ts';
import { createEventQueries, insertEvents, type NewEvent } from '../../src/store/queries/events.ts';
import { insertTicketPush } from '../../src/store/queries/tickets.ts';
import type { FakePlatform } from './fakes.ts';
import { preparePushes } from './pieces-crypto.ts';
import { cryptFor } from './pushes.ts';
import { timeConcurrent, timeSequential, type Timing } from './timing.ts';

/**
 * The database pieces of one push, in this process, with the server's own queries: the event
 * INSERT (message path) alone, the ticket statement (event + ticket + prune in one statement),
 * the job-queue claim that a push which queues a job (authorized, registration results) wakes,
 * a bare round trip for scale, and the INSERT of 20 pushes in one statement (what the message
 * path's group commit sends under load). Each with the CPU it cost this process (driver; for
 * PGlite also the database) and, for PostgreSQL, its backends.
 */
export type DbPiece =
  | 'SELECT 1 round trip'
  | 'event INSERT (message path)'
  | 'event INSERT, 10 concurrent'
  | '20-row INSERT (group commit), per row'
  | 'ticket statement (ticket path)'
  | 'job claim (per queued job)';

export interface DbTiming extends Timing {
  /** This process's CPU per op, µs. */
  clientCpuUs: number;
  /** PostgreSQL backends' CPU per op, µs (PostgreSQL only). */
  dbCpuUs?: number;
}

const BATCH = 20;
export async function measureDbPieces(
  db: Db,
  p: FakePlatform,
  backendCpuUs?: () => Promise<number>,
): Promise<Map<DbPiece, DbTiming>> {
  const crypt = cryptFor(p);
  const sealer = createSealer(parseMasterKey(p.masterKey));
  const samples = preparePushes(p, 'message', 200).map((x) => ({ x, opened: openPush(crypt, x) }));
  const run = randomBytes(6).toString('hex');
  let seq = 0;
  const event = (source: 'auth' | 'message'): NewEvent => {
    const i = seq++;
    const s = samples[i % samples.length] as (typeof samples)[number];
    return {
      dedupeKey: `bench:${run}:${source}:${i}`,
      source,
      appid: source === 'message' ? p.authorizerAppid : null,
      type: source === 'message' ? 'text' : 'component_verify_ticket',
      raw: s.opened.raw,
      query: s.x.query,
      decoded: decodedForStorage(s.opened.fields),
      createTime: new Date(),
      receivedAt: new Date(),
    };
  };
  const out = new Map<DbPiece, DbTiming>();
  const budget = 1000;
  const events = createEventQueries(db);
  /** Runs `run` briefly to warm up, then measured for `budget` ms with the CPU it costs. */
  const timed = async (piece: DbPiece, run: (ms: number) => Promise<Timing>, perOp = 1) => {
    await run(150);
    const cpu = process.cpuUsage();
    const dbBefore = await backendCpuUs?.();
    const t = await run(budget);
    const used = process.cpuUsage(cpu);
    const dbAfter = await backendCpuUs?.();
    const ops = t.ops * perOp;
    const d: DbTiming = {
      meanUs: t.meanUs / perOp,
      ops,
      clientCpuUs: (used.user + used.system) / ops,
      ...(perOp === 1 && t.p50Us !== undefined ? { p50Us: t.p50Us } : {}),
      ...(perOp === 1 && t.p99Us !== undefined ? { p99Us: t.p99Us } : {}),
    };
    if (dbBefore !== undefined && dbAfter !== undefined) d.dbCpuUs = (dbAfter - dbBefore) / ops;
    out.set(piece, d);
  };
  const seqOf = (fn: () => Promise<unknown>) => (ms: number) => timeSequential(fn, ms, 5000, 0);
  // PGlite's WebAssembly tiers up over the first seconds of use: warm it (and the pool) first.
  await timeSequential(() => events.insert(event('message')), 1500, 100_000, 0);
  await timed(
    'SELECT 1 round trip',
    seqOf(() => db.query('SELECT 1')),
  );
  await timed(
    'event INSERT (message path)',
    seqOf(() => events.insert(event('message'))),
  );
  await timed('event INSERT, 10 concurrent', (ms) =>
    timeConcurrent(() => events.insert(event('message')), 10, ms),
  );
  await timed(
    '20-row INSERT (group commit), per row',
    seqOf(() =>
      insertEvents(
        db,
        Array.from({ length: BATCH }, () => event('message')),
      ),
    ),
    BATCH,
  );
  await timed(
    'ticket statement (ticket path)',
    seqOf(() =>
      insertTicketPush(
        db,
        event('auth'),
        sealer.seal(`ticket@@@${run}${seq}`, 'component_verify_ticket'),
        new Date(),
      ),
    ),
  );
  const jobs = createJobQueue({ db, clock: systemClock });
  await timed(
    'job claim (per queued job)',
    seqOf(() => jobs.runOnce()),
  );
  return out;
}
