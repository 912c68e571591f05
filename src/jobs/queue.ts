import type { Clock } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/metrics.ts';
import { newId } from '../core/random.ts';
import type { Db, Queryable } from '../store/db.ts';

/**
 * A durable job queue in the same database as everything else (works the same on PGlite and
 * PostgreSQL): jobs are claimed with FOR UPDATE SKIP LOCKED, retried with exponential backoff,
 * dead-lettered after `max_attempts`, and a singleton key keeps one queued/running job per key.
 * A job whose worker died is taken over when its lease (`locked_until`) runs out.
 */
export interface Job<P = Record<string, unknown>> {
  id: number;
  type: string;
  payload: P;
  attempts: number;
  max_attempts: number;
}

/**
 * A handler either finishes its job or asks to run again later (`{ rerunAt }`): a long task
 * done in slices keeps one job row, and its attempts start over with each slice.
 */
export type JobHandler = (
  payload: Record<string, unknown>,
  job: Job,
) => Promise<void | { rerunAt: Date }>;

export interface EnqueueOptions {
  singletonKey?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** Enqueue inside this transaction (so the job exists only if the transaction commits). */
  tx?: Queryable;
}

export interface JobQueueOptions {
  db: Db;
  clock: Clock;
  log?: Logger;
  pollMs?: number;
  batch?: number;
  leaseMs?: number;
  workerId?: string;
  /** Backoff before retry n (1-based); default min(2^n s, 1 h). */
  backoffMs?: (attempt: number) => number;
}

export type JobQueue = ReturnType<typeof createJobQueue>;

export function createJobQueue(opts: JobQueueOptions) {
  const { db, clock } = opts;
  const log = opts.log ?? silentLogger;
  const pollMs = opts.pollMs ?? 500;
  const batch = opts.batch ?? 10;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const workerId = opts.workerId ?? newId();
  const backoff = opts.backoffMs ?? ((n: number) => Math.min(2 ** n * 1000, 3600_000));
  const handlers = new Map<string, JobHandler>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let kickPending = false;

  async function enqueue(
    type: string,
    payload: Record<string, unknown>,
    o: EnqueueOptions = {},
  ): Promise<number | null> {
    const q = o.tx ?? db;
    const res = await q.query<{ id: number }>(
      `INSERT INTO jobs (type, payload, singleton_key, run_at, max_attempts, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (singleton_key) WHERE singleton_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING
       RETURNING id`,
      [
        type,
        payload,
        o.singletonKey ?? null,
        o.runAt ?? new Date(clock.now()),
        o.maxAttempts ?? 8,
        new Date(clock.now()),
      ],
    );
    if (!o.tx) kick();
    return res.rows[0]?.id ?? null;
  }

  async function claim(limit = batch): Promise<Job[]> {
    const now = new Date(clock.now());
    // The picked ids are materialised once: as an `IN (subquery)` the planner may run the
    // subquery again (e.g. per row of a nested loop), and each run can lock other rows, so a
    // claim could take more than `limit` jobs.
    const res = await db.query<Job>(
      `WITH picked AS MATERIALIZED (
         SELECT id FROM jobs
         WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)
         ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED)
       UPDATE jobs SET status = 'running', attempts = attempts + 1, woken = false, locked_by = $1, locked_until = $2, updated_at = $3
       FROM picked WHERE jobs.id = picked.id
       RETURNING jobs.id, jobs.type, jobs.payload, jobs.attempts, jobs.max_attempts`,
      [workerId, new Date(clock.now() + leaseMs), now, limit],
    );
    return res.rows;
  }

  async function finish(job: Job, err: unknown, rerunAt?: Date): Promise<void> {
    const now = new Date(clock.now());
    if (err === undefined && rerunAt) {
      await db.query(
        `UPDATE jobs SET status = 'queued', run_at = CASE WHEN woken THEN $3::timestamptz ELSE $2::timestamptz END,
           woken = false, attempts = 0, last_error = NULL, locked_by = NULL, locked_until = NULL,
           updated_at = $3::timestamptz
         WHERE id = $1 AND locked_by = $4 AND status = 'running'`,
        [job.id, rerunAt, now, workerId],
      );
      return;
    }
    if (err === undefined) {
      await db.query(
        `UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, updated_at = $2
         WHERE id = $1 AND locked_by = $3 AND status = 'running'`,
        [job.id, now, workerId],
      );
      return;
    }
    const dead = job.attempts >= job.max_attempts;
    await db.query(
      `UPDATE jobs SET status = $2, run_at = $3, last_error = $4, locked_by = NULL, locked_until = NULL, updated_at = $5
       WHERE id = $1 AND locked_by = $6 AND status = 'running'`,
      [
        job.id,
        dead ? 'dead' : 'queued',
        new Date(clock.now() + backoff(job.attempts)),
        errorMessage(err).slice(0, 2000),
        now,
        workerId,
      ],
    );
    log.warn({ job: job.type, id: job.id, attempt: job.attempts, dead, err }, 'job failed');
  }

  /** Keeps the leases of running jobs alive, so that a short lease only expires on a crash. */
  function heartbeat(ids: number[]): NodeJS.Timeout {
    const beat = setInterval(
      () =>
        void db
          .query(
            `UPDATE jobs SET locked_until = $3 WHERE id = ANY($1::bigint[]) AND locked_by = $2
               AND status = 'running'`,
            [ids, workerId, new Date(clock.now() + leaseMs)],
          )
          .catch((err: unknown) => log.warn({ err }, 'job heartbeat failed')),
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    beat.unref();
    return beat;
  }

  /** Claims and runs the jobs that are ready now; returns how many ran. */
  async function runOnce(): Promise<number> {
    const jobs = await claim();
    if (jobs.length === 0) return 0;
    const beat = heartbeat(jobs.map((j) => j.id));
    try {
      await runClaimed(jobs);
    } finally {
      clearInterval(beat);
    }
    return jobs.length;
  }

  async function runClaimed(jobs: Job[]): Promise<void> {
    await Promise.all(
      jobs.map(async (job) => {
        const handler = handlers.get(job.type);
        if (!handler) return finish(job, new Error(`no handler for job type ${job.type}`));
        try {
          const outcome = await handler(job.payload, job);
          await finish(job, undefined, outcome ? outcome.rerunAt : undefined);
        } catch (err) {
          await finish(job, err);
        }
      }),
    );
  }

  /**
   * The background loop keeps up to `batch` jobs running: whenever one finishes, another is
   * claimed, so a long job (a rollout's slice) never holds the others back.
   */
  const active = new Map<number, Promise<void>>();
  let claiming: Promise<void> | undefined;
  let beat: NodeJS.Timeout | undefined;

  async function loop(): Promise<void> {
    if (stopped || claiming) return;
    kickPending = false;
    let claimed = 0;
    claiming = (async () => {
      const free = batch - active.size;
      if (free <= 0) return;
      const jobs = await claim(free);
      claimed = jobs.length;
      for (const job of jobs) {
        const run = runClaimed([job])
          .catch((err: unknown) =>
            log.error({ job: job.type, id: job.id, err }, 'job bookkeeping failed'),
          )
          .finally(() => {
            active.delete(job.id);
            kick();
          });
        active.set(job.id, run);
      }
    })();
    try {
      await claiming;
    } catch (err) {
      log.error({ err }, 'job loop failed');
    } finally {
      claiming = undefined;
    }
    if (stopped) return;
    const again = kickPending || (claimed > 0 && active.size < batch);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void loop(), again ? 0 : pollMs);
  }

  function kick(): void {
    if (stopped) return;
    if (claiming) {
      kickPending = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void loop(), 0);
  }

  return {
    workerId,
    enqueue,
    runOnce,
    kick,
    register(type: string, handler: JobHandler): void {
      handlers.set(type, handler);
    },
    start(): void {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(() => void loop(), 0);
      // One heartbeat keeps the leases of all of this worker's running jobs alive.
      beat = setInterval(
        () => {
          if (active.size === 0) return;
          void db
            .query(
              `UPDATE jobs SET locked_until = $3 WHERE id = ANY($1::bigint[]) AND locked_by = $2
                 AND status = 'running'`,
              [[...active.keys()], workerId, new Date(clock.now() + leaseMs)],
            )
            .catch((err: unknown) => log.warn({ err }, 'job heartbeat failed'));
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      beat.unref();
    },
    /** Stops claiming; waits for the jobs already running. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (claiming) await claiming.catch(() => undefined);
      await Promise.all([...active.values()].map((p) => p.catch(() => undefined)));
      if (beat) clearInterval(beat);
    },
    /**
     * Runs the jobs of `type` whose payload has `key` = `value` now instead of later; one that is
     * running now runs again as soon as it asks to (see JobHandler).
     */
    async wake(type: string, key: string, value: string): Promise<void> {
      const res = await db.query(
        `UPDATE jobs SET run_at = LEAST(run_at, $3::timestamptz), woken = (status = 'running')
         WHERE type = $1 AND status IN ('queued', 'running') AND payload->>$2 = $4`,
        [type, key, new Date(clock.now()), value],
      );
      if ((res.rowCount ?? 0) > 0) kick();
    },
    async depth(): Promise<Record<string, number>> {
      const res = await db.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM jobs GROUP BY status',
      );
      const out: Record<string, number> = { queued: 0, running: 0, done: 0, dead: 0 };
      for (const r of res.rows) out[r.status] = r.n;
      return out;
    },
    async findById(id: number) {
      const res = await db.query<Job & { status: string; last_error: string | null }>(
        'SELECT * FROM jobs WHERE id = $1',
        [id],
      );
      return res.rows[0];
    },
  };
}
