import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { createJobQueue, type Job } from '../../src/jobs/queue.ts';
import type { Db } from '../../src/store/db.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';

/**
 * The durable job queue on both databases: runs a job once, retries with backoff, dead-letters,
 * singleton keys, several workers on one database, lease takeover, transactional enqueue.
 */

interface JobRow {
  id: number;
  status: string;
  attempts: number;
  last_error: string | null;
  locked_by: string | null;
}

async function jobRows(db: Db): Promise<JobRow[]> {
  const res = await db.query<JobRow>(
    'SELECT id, status, attempts, last_error, locked_by FROM jobs ORDER BY id',
  );
  return res.rows;
}

async function jobRow(db: Db, id: number): Promise<JobRow> {
  const row = (await jobRows(db)).find((r) => r.id === id);
  assert.ok(row, `job ${id} not found`);
  return row;
}

/** Polls the database until `check` holds (for work started without awaiting it). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`gave up waiting for ${what}`);
}

for (const kind of DB_KINDS) {
  describe(`job queue on ${kind}`, () => {
    it('runs an enqueued job once with its payload and marks it done', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock });
        const seen: { payload: Record<string, unknown>; job: Job }[] = [];
        queue.register('greet', async (payload, job) => {
          seen.push({ payload, job });
        });
        const id = await queue.enqueue('greet', { name: '小明', n: 1 });
        assert.equal(typeof id, 'number');
        assert.equal(await queue.runOnce(), 1);
        assert.equal(seen.length, 1);
        assert.deepEqual(seen[0]?.payload, { name: '小明', n: 1 });
        assert.equal(seen[0]?.job.attempts, 1);
        const row = await jobRow(db, id as number);
        assert.equal(row.status, 'done');
        assert.equal(row.locked_by, null);
        assert.equal(await queue.runOnce(), 0);
        clock.advance(24 * 3600_000);
        assert.equal(await queue.runOnce(), 0);
        assert.equal(seen.length, 1, 'a done job never runs again');
        assert.deepEqual(await queue.depth(), { queued: 0, running: 0, done: 1, dead: 0 });
      }));

    it('does not run a job before its run_at', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock });
        let runs = 0;
        queue.register('later', async () => {
          runs++;
        });
        await queue.enqueue('later', {}, { runAt: new Date(clock.now() + 60_000) });
        assert.equal(await queue.runOnce(), 0);
        clock.advance(59_999);
        assert.equal(await queue.runOnce(), 0);
        clock.advance(1);
        assert.equal(await queue.runOnce(), 1);
        assert.equal(runs, 1);
      }));

    it('retries a failing job after the backoff (not before) and dead-letters it after max_attempts', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock, backoffMs: (n) => n * 10_000 });
        let runs = 0;
        queue.register('flaky', async () => {
          runs++;
          throw new Error(`boom ${runs}`);
        });
        const id = (await queue.enqueue('flaky', {}, { maxAttempts: 3 })) as number;

        assert.equal(await queue.runOnce(), 1);
        let row = await jobRow(db, id);
        assert.equal(row.status, 'queued');
        assert.equal(row.attempts, 1);
        assert.equal(row.last_error, 'boom 1');

        // Backoff after attempt 1 is 10 s.
        clock.advance(9_999);
        assert.equal(await queue.runOnce(), 0, 'not retried before the backoff');
        clock.advance(1);
        assert.equal(await queue.runOnce(), 1, 'retried once the backoff has passed');
        row = await jobRow(db, id);
        assert.equal(row.status, 'queued');
        assert.equal(row.attempts, 2);

        // Backoff after attempt 2 is 20 s.
        clock.advance(19_999);
        assert.equal(await queue.runOnce(), 0);
        clock.advance(1);
        assert.equal(await queue.runOnce(), 1);
        row = await jobRow(db, id);
        assert.equal(row.status, 'dead');
        assert.equal(row.attempts, 3);
        assert.equal(row.last_error, 'boom 3');

        clock.advance(24 * 3600_000);
        assert.equal(await queue.runOnce(), 0, 'a dead job is not retried');
        assert.equal(runs, 3);
      }));

    it('uses the default exponential backoff and finishes a job that succeeds on a retry', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock });
        let runs = 0;
        queue.register('second-time-lucky', async () => {
          runs++;
          if (runs === 1) throw new Error('first attempt fails');
        });
        const id = (await queue.enqueue('second-time-lucky', {})) as number;
        assert.equal(await queue.runOnce(), 1);
        clock.advance(1_999);
        assert.equal(await queue.runOnce(), 0, 'default backoff after attempt 1 is 2 s');
        clock.advance(1);
        assert.equal(await queue.runOnce(), 1);
        assert.equal((await jobRow(db, id)).status, 'done');
        assert.equal(runs, 2);
      }));

    it('fails a job of a type without a handler instead of losing it', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock });
        const id = (await queue.enqueue('nobody-handles-this', {}, { maxAttempts: 1 })) as number;
        assert.equal(await queue.runOnce(), 1);
        const row = await jobRow(db, id);
        assert.equal(row.status, 'dead');
        assert.match(row.last_error ?? '', /no handler/);
      }));

    it('keeps one queued job per singleton key', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock });
        const runs: unknown[] = [];
        queue.register('sync', async (payload) => {
          runs.push(payload['n']);
        });
        const first = await queue.enqueue(
          'sync',
          { n: 1 },
          { singletonKey: 'sync:wx0123456789abcdef' },
        );
        const second = await queue.enqueue(
          'sync',
          { n: 2 },
          { singletonKey: 'sync:wx0123456789abcdef' },
        );
        const other = await queue.enqueue(
          'sync',
          { n: 3 },
          { singletonKey: 'sync:wxfedcba9876543210' },
        );
        assert.equal(typeof first, 'number');
        assert.equal(second, null, 'the duplicate is not enqueued');
        assert.equal(typeof other, 'number');
        assert.equal((await jobRows(db)).length, 2);
        assert.equal(await queue.runOnce(), 2);
        assert.deepEqual(runs.sort(), [1, 3]);
        // Once the job is done, the key is free again.
        const again = await queue.enqueue(
          'sync',
          { n: 4 },
          { singletonKey: 'sync:wx0123456789abcdef' },
        );
        assert.equal(typeof again, 'number');
      }));

    it('two workers on one database never run the same job twice', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const workers = ['worker-a', 'worker-b'].map((workerId) =>
          createJobQueue({ db, clock, workerId, batch: 3 }),
        );
        const runs = new Map<number, string[]>();
        for (const q of workers) {
          q.register('work', async (_payload, job) => {
            runs.set(job.id, [...(runs.get(job.id) ?? []), q.workerId]);
            // Let the other worker's claim interleave with this run.
            await new Promise((r) => setTimeout(r, 2));
          });
        }
        const ids: number[] = [];
        for (let i = 0; i < 20; i++) ids.push((await workers[0]!.enqueue('work', { i })) as number);

        let rounds = 0;
        for (;;) {
          const ran = await Promise.all(workers.map((q) => q.runOnce()));
          if (ran.every((n) => n === 0)) break;
          assert.ok(++rounds < 100, 'the workers never drained the queue');
        }
        assert.deepEqual(
          [...runs.keys()].sort((a, b) => a - b),
          ids,
        );
        for (const [id, by] of runs) assert.equal(by.length, 1, `job ${id} ran ${by.length} times`);
        assert.deepEqual(await workers[0]!.depth(), { queued: 0, running: 0, done: 20, dead: 0 });
      }));

    it('takes over a running job whose worker died once its lease has run out', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const leaseMs = 60_000;
        const dying = createJobQueue({ db, clock, workerId: 'dying', leaseMs });
        const healthy = createJobQueue({ db, clock, workerId: 'healthy', leaseMs });
        dying.register('long', () => new Promise<void>(() => {})); // never finishes
        const ran: number[] = [];
        healthy.register('long', async (_p, job) => {
          ran.push(job.attempts);
        });
        const id = (await dying.enqueue('long', {})) as number;
        void dying.runOnce();
        await until(
          async () => (await jobRow(db, id)).status === 'running',
          'the job to be claimed',
        );
        assert.equal((await jobRow(db, id)).locked_by, 'dying');

        clock.advance(leaseMs - 1);
        assert.equal(await healthy.runOnce(), 0, 'not taken over while the lease holds');
        clock.advance(2);
        assert.equal(await healthy.runOnce(), 1);
        assert.deepEqual(ran, [2]);
        const row = await jobRow(db, id);
        assert.equal(row.status, 'done');
        assert.equal(row.attempts, 2);
      }));

    it('a worker that comes back after its lease ran out does not overwrite the new owner’s result', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const leaseMs = 60_000;
        const slow = createJobQueue({ db, clock, workerId: 'slow', leaseMs });
        const fast = createJobQueue({ db, clock, workerId: 'fast', leaseMs });
        let failSlow: (err: Error) => void = () => {};
        slow.register('step', () => new Promise<void>((_resolve, reject) => (failSlow = reject)));
        let fastRuns = 0;
        fast.register('step', async () => {
          fastRuns++;
        });
        const id = (await slow.enqueue('step', {})) as number;
        const slowRun = slow.runOnce();
        await until(
          async () => (await jobRow(db, id)).status === 'running',
          'the job to be claimed',
        );
        clock.advance(leaseMs + 1);
        assert.equal(await fast.runOnce(), 1);
        assert.equal((await jobRow(db, id)).status, 'done');
        // The slow worker's run now fails: the job is done and must stay done.
        failSlow(new Error('late failure'));
        await slowRun;
        assert.equal((await jobRow(db, id)).status, 'done');
        clock.advance(3600_000);
        assert.equal(await fast.runOnce(), 0, 'the step is not run a second time');
        assert.equal(fastRuns, 1);
      }));

    it('an enqueue inside a rolled-back transaction leaves no job', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock });
        let runs = 0;
        queue.register('tx', async () => {
          runs++;
        });
        await assert.rejects(
          db.transaction(async (tx) => {
            await queue.enqueue('tx', { n: 1 }, { tx });
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.equal((await jobRows(db)).length, 0);
        assert.equal(await queue.runOnce(), 0);
        // Control: the same enqueue in a committed transaction is kept and runs.
        await db.transaction(async (tx) => {
          await queue.enqueue('tx', { n: 2 }, { tx });
        });
        assert.equal(await queue.runOnce(), 1);
        assert.equal(runs, 1);
      }));

    it('the background loop keeps working past a long job', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock, batch: 2, pollMs: 20 });
        let release: () => void = () => {};
        const held = new Promise<void>((r) => (release = r));
        let longDone = false;
        let shorts = 0;
        queue.register('long', async () => {
          await held;
          longDone = true;
        });
        queue.register('short', async () => {
          shorts++;
        });
        await queue.enqueue('long', {});
        queue.start();
        for (let i = 0; i < 4; i++) await queue.enqueue('short', { i });
        await until(async () => shorts === 4, 'the short jobs, while the long one runs');
        assert.equal(longDone, false);
        release();
        await until(async () => longDone, 'the long job');
        await queue.stop();
        assert.deepEqual(await queue.depth(), { queued: 0, running: 0, done: 5, dead: 0 });
      }));

    it('a job done in slices runs again when it asks, sooner when woken meanwhile', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const queue = createJobQueue({ db, clock });
        const slices: number[] = [];
        let wakeDuringRun = false;
        queue.register('slices', async (payload) => {
          slices.push(clock.now());
          if (wakeDuringRun) {
            wakeDuringRun = false;
            await queue.wake('slices', 'key', String(payload['key']));
          }
          return slices.length < 3 ? { rerunAt: new Date(clock.now() + 60_000) } : undefined;
        });
        await queue.enqueue('slices', { key: 'a' }, { singletonKey: 'slices:a' });
        assert.equal(await queue.runOnce(), 1);
        assert.equal(await queue.runOnce(), 0, 'not before the time it asked for');
        const row = (await jobRows(db))[0];
        assert.equal(row?.status, 'queued');
        assert.equal(row?.attempts, 0, 'a slice is not a failed attempt');
        // A second enqueue with the same key is still refused while the job waits.
        assert.equal(
          await queue.enqueue('slices', { key: 'a' }, { singletonKey: 'slices:a' }),
          null,
        );
        // Woken while queued: runs now; woken while running: its next slice is immediate.
        await queue.wake('slices', 'key', 'a');
        wakeDuringRun = true;
        assert.equal(await queue.runOnce(), 1);
        assert.equal(await queue.runOnce(), 1, 'woken while running: runs again at once');
        assert.equal(slices.length, 3);
        assert.equal((await jobRows(db))[0]?.status, 'done');
        await queue.wake('slices', 'key', 'a');
        assert.equal(await queue.runOnce(), 0, 'a done job is not woken');
      }));
  });
}
