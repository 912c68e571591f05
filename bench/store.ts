import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { systemClock } from '../src/core/clock.ts';
import { createJobQueue } from '../src/jobs/queue.ts';
import { createRetentionService, RETENTION_TABLES } from '../src/services/retention/service.ts';
import { postgresDb, type Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { createEventQueries } from '../src/store/queries/events.ts';
import { readCountFlags } from './lib/flags.ts';
import { num, table } from './lib/format.ts';
import { percentile } from './lib/load.ts';
import { createBenchDatabase, type BenchDatabase } from './lib/postgres.ts';

/**
 * `npm run bench:store -- --events 10000000`: the store at volume, on the local PostgreSQL. Seeds
 * N pushes over the last 60 days (a tenth of them with a delivered webhook delivery) and J finished
 * jobs over the last 28 days with generate_series INSERTs, then measures what grows with the
 * tables: the job claim (as openwx's queue issues it, with the partial index of unfinished jobs
 * and without it), a push INSERT, and the retention task deleting everything past the default
 * retention (rows/s), with push INSERTs timed while it runs. Never fails on a time: prints tables
 * and writes bench/results/store-<time>.json. The database is created for the run and dropped.
 */
const LIMITS = {
  events: { min: 1_000, max: 50_000_000, def: 10_000_000 },
  jobs: { min: 1_000, max: 10_000_000, def: 1_000_000 },
  samples: { min: 100, max: 100_000, def: 1_000 },
} as const;

const flags = readCountFlags('store', LIMITS);
const say = (msg: string) => console.error(`· ${msg}`);
const DAY_MS = 86_400_000;
const EVENT_SPAN_DAYS = 60;
const JOB_SPAN_DAYS = 28;
const CHUNK = 500_000;

interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}
const latency = (ms: number[]): Latency => {
  const sorted = Float64Array.from(ms).sort();
  return {
    samples: ms.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
};

async function seed(c: pg.Client, now: number): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const eventStep = (EVENT_SPAN_DAYS * DAY_MS) / flags.events;
  const eventStart = new Date(now - EVENT_SPAN_DAYS * DAY_MS);
  for (let from = 1; from <= flags.events; from += CHUNK) {
    const to = Math.min(from + CHUNK - 1, flags.events);
    await c.query(
      `INSERT INTO events (dedupe_key, source, appid, type, raw, query, decoded, create_time, received_at)
       SELECT 'bench:' || g, 'message', 'wxbench' || lpad((g % 100)::text, 11, '0'),
         CASE WHEN g % 10 = 0 THEN 'subscribe' ELSE 'text' END,
         '<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[o'
           || md5(g::text) || ']]></FromUserName><CreateTime>' || g
           || '</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello '
           || g || ']]></Content><MsgId>' || g || '</MsgId></xml>',
         '{}'::jsonb,
         jsonb_build_object('MsgType', 'text', 'Content', 'hello ' || g, 'MsgId', g::text),
         t, t
       FROM (SELECT g, $3::timestamptz + (g * $4::float8) * interval '1 millisecond' AS t
             FROM generate_series($1::bigint, $2::bigint) g) s`,
      [from, to, eventStart, eventStep],
    );
    say(`events: ${num(to)} / ${num(flags.events)}`);
  }
  timings['events'] = performance.now() - t0;

  const t1 = performance.now();
  await c.query(
    `INSERT INTO webhooks (id, url, secret_sealed) VALUES ('wh_bench', 'http://127.0.0.1:9/hook', 'bench')`,
  );
  await c.query(
    `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, attempts,
       first_attempt_at, last_attempt_at, delivered_at, last_status_code, created_at)
     SELECT 'wh_bench', id, type, 'delivered', 1, received_at, received_at, received_at, 200, received_at
     FROM events WHERE id % 10 = 0`,
  );
  // Every event was handed to webhooks already (the dispatcher's cursor is past them).
  await c.query('UPDATE webhook_dispatch SET last_event_id = (SELECT max(id) FROM events)');
  timings['deliveries'] = performance.now() - t1;
  say('webhook deliveries seeded');

  const t2 = performance.now();
  const jobStep = (JOB_SPAN_DAYS * DAY_MS) / flags.jobs;
  const jobStart = new Date(now - JOB_SPAN_DAYS * DAY_MS);
  for (let from = 1; from <= flags.jobs; from += CHUNK) {
    const to = Math.min(from + CHUNK - 1, flags.jobs);
    await c.query(
      `INSERT INTO jobs (type, payload, status, attempts, run_at, created_at, updated_at)
       SELECT (ARRAY['authorization.exchange', 'registration.result', 'profile.apply'])[1 + g % 3],
         jsonb_build_object('eventId', g), CASE WHEN g % 50 = 0 THEN 'dead' ELSE 'done' END, 1, t, t, t
       FROM (SELECT g, $3::timestamptz + (g * $4::float8) * interval '1 millisecond' AS t
             FROM generate_series($1::bigint, $2::bigint) g) s`,
      [from, to, jobStart, jobStep],
    );
    say(`finished jobs: ${num(to)} / ${num(flags.jobs)}`);
  }
  // What a running platform also has: retries waiting for later, and jobs running elsewhere.
  await c.query(
    `INSERT INTO jobs (type, payload, status, attempts, run_at, locked_by, locked_until, created_at, updated_at)
     SELECT 'profile.apply', '{}', CASE WHEN g % 5 = 0 THEN 'running' ELSE 'queued' END, 1,
       now() + g * interval '1 minute', CASE WHEN g % 5 = 0 THEN 'elsewhere' END,
       CASE WHEN g % 5 = 0 THEN now() + interval '1 hour' END, now(), now()
     FROM generate_series(1, 200) g`,
  );
  timings['jobs'] = performance.now() - t2;

  const t3 = performance.now();
  await c.query('VACUUM ANALYZE events');
  await c.query('VACUUM ANALYZE jobs');
  await c.query('VACUUM ANALYZE webhook_deliveries');
  timings['vacuum'] = performance.now() - t3;
  return timings;
}

/**
 * The queue's own claim, timed: a Db that times the statements claiming jobs (and keeps the last
 * one to EXPLAIN it) while runOnce claims and finishes one job at a time.
 */
async function measureClaims(db: Db, n: number) {
  const claims: number[] = [];
  let last: { sql: string; params: readonly unknown[] } | undefined;
  const timed: Db = {
    ...db,
    async query<T>(sql: string, params: readonly unknown[] = []) {
      if (!/UPDATE jobs SET status = 'running'/.test(sql)) return db.query<T>(sql, params);
      const t = performance.now();
      const res = await db.query<T>(sql, params);
      claims.push(performance.now() - t);
      last = { sql, params };
      return res;
    },
  };
  const queue = createJobQueue({ db: timed, clock: systemClock, batch: 1, workerId: 'bench' });
  queue.register('bench.noop', async () => {});
  await db.query(
    `INSERT INTO jobs (type, payload, run_at, created_at, updated_at)
     SELECT 'bench.noop', '{}', now() - interval '1 second', now(), now() FROM generate_series(1, $1) g`,
    [n],
  );
  for (let i = 0; i < n; i++) await queue.runOnce();
  if (claims.length === 0)
    throw new Error("no job claim was timed: the queue's claim statement is not recognised");
  let plan: string[] = [];
  if (last) {
    const res = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (COSTS OFF) ${last.sql}`,
      last.params,
    );
    plan = res.rows.map((r) => r['QUERY PLAN']);
  }
  return { ...latency(claims), plan };
}

/** One push INSERT at a time (distinct dedupe keys), each timed, until `stop` says so. */
async function measureInserts(db: Db, prefix: string, keepGoing: (i: number) => boolean) {
  const events = createEventQueries(db);
  const ms: number[] = [];
  for (let i = 0; keepGoing(i); i++) {
    const t = performance.now();
    await events.insert({
      dedupeKey: `${prefix}:${i}`,
      source: 'message',
      appid: 'wxbench00000000042',
      type: 'text',
      raw: '<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[bench]]></Content></xml>',
      query: {},
      decoded: { MsgType: 'text', Content: 'bench' },
      createTime: new Date(),
      receivedAt: new Date(),
    });
    ms.push(performance.now() - t);
  }
  return latency(ms);
}

async function sizes(c: pg.Client): Promise<Record<string, { rows: number; mb: number }>> {
  const out: Record<string, { rows: number; mb: number }> = {};
  for (const t of ['events', 'jobs', 'webhook_deliveries']) {
    const r = await c.query<{ n: string; bytes: string }>(
      `SELECT count(*) AS n, pg_total_relation_size('${t}') AS bytes FROM ${t}`,
    );
    out[t] = { rows: Number(r.rows[0]?.n), mb: Number(r.rows[0]?.bytes) / 2 ** 20 };
  }
  return out;
}

async function main(): Promise<void> {
  const created = await createBenchDatabase();
  if (typeof created === 'string') {
    console.error(`bench:store: ${created}`);
    process.exit(1);
  }
  const bench: BenchDatabase = created;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await bench.drop();
    say(`database ${bench.name} dropped`);
  };
  process.on('SIGINT', () => void drop().finally(() => process.exit(130)));

  const db = postgresDb(bench.url, 4);
  const admin = new pg.Client({ connectionString: bench.url });
  try {
    await admin.connect();
    await migrate(db);
    say(
      `seeding ${num(flags.events)} pushes and ${num(flags.jobs)} finished jobs into ${bench.name}`,
    );
    const now = Date.now();
    const seeding = await seed(admin, now);
    const before = await sizes(admin);

    say(`job claim: ${num(flags.samples)} claims with the index of unfinished jobs`);
    const claim = await measureClaims(db, flags.samples);
    say('job claim without that index (what openwx did before migration 0015)');
    await admin.query('DROP INDEX jobs_unfinished_idx');
    await admin.query('ANALYZE jobs');
    const claimWithout = await measureClaims(db, Math.min(flags.samples, 100));
    await admin.query(
      `CREATE INDEX jobs_unfinished_idx ON jobs (run_at) WHERE status IN ('queued', 'running')`,
    );
    await admin.query('ANALYZE jobs');

    say(`push INSERT: ${num(flags.samples)} pushes`);
    const insert = await measureInserts(db, 'bench-insert', (i) => i < flags.samples);

    say('retention: deleting everything past the default retention (30 / 14 / 30 days)');
    const deleted = Object.fromEntries(RETENTION_TABLES.map((t) => [t, 0])) as Record<
      string,
      number
    >;
    const retention = createRetentionService({
      db,
      clock: systemClock,
      settings: { eventsDays: 30, jobsDays: 14, deliveriesDays: 30 },
      maxBatches: Number.MAX_SAFE_INTEGER,
      onDeleted: (table, rows) => {
        deleted[table] = (deleted[table] ?? 0) + rows;
      },
    });
    let pruning = true;
    const pruneStart = performance.now();
    const duringPrune = measureInserts(db, 'bench-prune', () => pruning);
    await retention.prune();
    const pruneMs = performance.now() - pruneStart;
    pruning = false;
    const insertDuringPrune = await duringPrune;
    const after = await sizes(admin);
    const total = Object.values(deleted).reduce((a, b) => a + b, 0);

    const lat = (label: string, l: Latency) => [
      label,
      num(l.samples),
      num(l.p50Ms, 2),
      num(l.p99Ms, 2),
      num(l.maxMs, 2),
    ];
    console.log(
      `\nbench:store on PostgreSQL ${bench.settings['server_version'] ?? ''}: ${num(flags.events)} pushes, ${num(flags.jobs)} finished jobs, ${num(before['webhook_deliveries']?.rows)} deliveries\n`,
    );
    console.log(
      table(
        ['seeding', 'seconds'],
        Object.entries(seeding).map(([k, ms]) => [k, num(ms / 1000, 1)]),
      ),
    );
    console.log();
    console.log(
      table(
        ['statement', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
        [
          lat('job claim', claim),
          lat('job claim without jobs_unfinished_idx', claimWithout),
          lat('push INSERT', insert),
          lat('push INSERT while pruning', insertDuringPrune),
        ],
      ),
    );
    console.log(`\njob claim plan:\n  ${claim.plan.join('\n  ')}`);
    console.log(`without the index:\n  ${claimWithout.plan.join('\n  ')}\n`);
    console.log(
      table(
        ['retention', 'rows deleted', 'rows before', 'rows after', 'MiB before'],
        RETENTION_TABLES.map((t) => [
          t,
          num(deleted[t]),
          num(before[t]?.rows),
          num(after[t]?.rows),
          num(before[t]?.mb),
        ]),
      ),
    );
    console.log(
      `\nprune: ${num(total)} rows in ${num(pruneMs / 1000, 1)} s = ${num(total / (pruneMs / 1000))} rows/s (batches of 2,000, 20 ms pause between them)`,
    );

    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `store-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          flags,
          machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
          postgres: bench.settings,
          seedingMs: seeding,
          before,
          after,
          claim,
          claimWithoutIndex: claimWithout,
          insert,
          insertDuringPrune,
          prune: { deleted, ms: pruneMs, rowsPerSecond: total / (pruneMs / 1000) },
        },
        null,
        2,
      )}\n`,
    );
    console.log(`results: ${file}`);
  } finally {
    await admin.end().catch(() => {});
    await db.close().catch(() => {});
    await drop();
  }
}

await main();
