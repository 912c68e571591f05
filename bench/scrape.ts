import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createMetricSources } from '../src/app/metric-sources.ts';
import { createMetrics } from '../src/app/metrics.ts';
import { systemClock } from '../src/core/clock.ts';
import { readMaintainedCounts } from '../src/services/stats/service.ts';
import { pgliteDb, postgresDb, type Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { readCountFlags } from './lib/flags.ts';
import { num, table } from './lib/format.ts';
import { percentile } from './lib/load.ts';
import { createBenchDatabase } from './lib/postgres.ts';

/**
 * `npm run bench:scrape`: what a /metrics scrape costs with 100 and with --large (100,000)
 * authorizers, on PGlite and on the local PostgreSQL. Seeds authorizers (5 % revoked, 1 % needing
 * attention), their tokens (2 % failing), webhook deliveries (a tenth as many, 10 % waiting, 1 %
 * dead) and rollouts, then times, --samples times each: the scrape (every gauge, as Prometheus
 * reads it), the maintained counts alone, the same counts counted over the rows (what the
 * overview and a census did before migration 0022), and the scheduler's token-health census
 * (every 30 s, not per scrape). Never fails on a time: prints a table and writes
 * bench/results/scrape-<time>.json.
 */
const LIMITS = {
  large: { min: 1_000, max: 1_000_000, def: 100_000 },
  samples: { min: 10, max: 10_000, def: 100 },
} as const;

async function seed(db: Db, n: number): Promise<void> {
  await db.query(
    `INSERT INTO authorizers (appid, status, needs_attention)
     SELECT 'wx' || g, CASE WHEN g % 20 = 0 THEN 'revoked' ELSE 'authorized' END, g % 100 = 1
     FROM generate_series(1, $1::int) g`,
    [n],
  );
  await db.query(
    `INSERT INTO tokens (key, kind, appid, expires_at, failures, refresh_at)
     SELECT 'authorizer:wx' || g, 'authorizer', 'wx' || g,
            now() + (g % 7200) * interval '1 second', CASE WHEN g % 50 = 0 THEN 1 ELSE 0 END,
            now() + (g % 7200) * interval '1 second' - interval '10 minutes'
     FROM generate_series(1, $1::int) g WHERE g % 20 <> 0`,
    [n],
  );
  const d = Math.max(10, Math.floor(n / 10));
  await db.query(
    "INSERT INTO webhooks (id, url, secret_sealed) VALUES ('wh_bench', 'https://hooks.example.com/x', 'x')",
  );
  await db.query(
    `INSERT INTO events (dedupe_key, source, type, raw, decoded)
     SELECT 'bench' || g, 'internal', 'token.refreshed', '', '{}' FROM generate_series(1, $1::int) g`,
    [d],
  );
  await db.query(
    `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, next_attempt_at)
     SELECT 'wh_bench', id, 'token.refreshed',
            CASE WHEN id % 100 = 0 THEN 'dead' WHEN id % 10 = 0 THEN 'pending' ELSE 'delivered' END,
            now()
     FROM events`,
  );
  await db.query(
    `INSERT INTO rollouts (status, template_id, user_version, user_desc, target, options, waves, created_by, created_at, updated_at)
     SELECT CASE WHEN g % 3 = 0 THEN 'running' ELSE 'completed' END, 1, '1.0.' || g, 'bench',
            '{}', '{}', '[]', 'bench', now(), now()
     FROM generate_series(1, 50) g`,
  );
  await db.query('ANALYZE');
}

/** What the overview counted over the rows before the counts were kept (migration 0022). */
async function scanned(db: Db): Promise<void> {
  await Promise.all([
    db.query('SELECT status, count(*)::int AS n FROM authorizers GROUP BY status'),
    db.query(
      "SELECT count(*)::int AS n FROM authorizers WHERE needs_attention AND status = 'authorized'",
    ),
    db.query('SELECT count(*)::int AS n FROM tokens WHERE failures > 0'),
    db.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'failed'))::int AS pending,
              count(*) FILTER (WHERE status = 'dead')::int AS dead FROM webhook_deliveries`,
    ),
    db.query(
      "SELECT status, count(*)::int FROM rollouts WHERE status IN ('running', 'paused', 'halted') GROUP BY status",
    ),
  ]);
}

async function time(samples: number, run: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(5, samples); i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

type Row = { db: string; authorizers: number; what: string; p50: number; p95: number };

async function measure(kind: string, db: Db, n: number, samples: number): Promise<Row[]> {
  const t0 = performance.now();
  await migrate(db);
  await seed(db, n);
  const seedMs = performance.now() - t0;
  const sources = createMetricSources({ db, clock: systemClock, refreshAheadMs: 600_000 });
  const m = createMetrics(() => Date.now());
  m.setSources({
    ready: () => true,
    ticketReceivedAt: () => Promise.resolve(new Date()),
    componentTokenExpiresAt: () => Promise.resolve(new Date(Date.now() + 3_600_000)),
    queuedJobs: () => sources.queuedJobs(),
    maintainedCounts: () => sources.maintainedCounts(),
  });
  const scrape = await m.text();
  if (!scrape.body.includes('openwx_authorizers{status="authorized"}'))
    throw new Error('the scrape has no openwx_authorizers gauge');
  const counts = await readMaintainedCounts(db);
  const expected = n - Math.floor(n / 20);
  if (counts.authorizers.authorized !== expected)
    throw new Error(`counted ${counts.authorizers.authorized} authorized, seeded ${expected}`);
  console.error(`  ${kind}, ${num(n)} authorizers seeded in ${num(seedMs / 1000, 1)} s`);
  const row = async (what: string, run: () => Promise<unknown>, count = samples) => ({
    db: kind,
    authorizers: n,
    what,
    ...(await time(count, run)),
  });
  return [
    await row('scrape (all gauges)', () => m.text()),
    await row('maintained counts', () => readMaintainedCounts(db)),
    await row('same counts, scanned', () => scanned(db)),
    await row('token-health census', () => sources.authorizerTokenHealth(), Math.min(samples, 20)),
  ];
}

async function main() {
  const flags = readCountFlags('scrape', LIMITS);
  const sizes = [100, flags.large];
  const rows: Row[] = [];
  for (const n of sizes) {
    const pglite = pgliteDb(await PGlite.create());
    try {
      rows.push(...(await measure('PGlite', pglite, n, flags.samples)));
    } finally {
      await pglite.close();
    }
  }
  const pgBench = await createBenchDatabase();
  if (typeof pgBench === 'string') console.error(`PostgreSQL rows skipped: ${pgBench}`);
  else {
    try {
      for (const n of sizes) {
        const db = postgresDb(pgBench.url, 4);
        try {
          rows.push(...(await measure('PostgreSQL', db, n, flags.samples)));
        } finally {
          await db.close();
        }
        // A fresh database for the next size.
        await pgBench.drop();
        if (n !== sizes.at(-1)) {
          const again = await createBenchDatabase();
          if (typeof again === 'string') throw new Error(again);
          Object.assign(pgBench, again);
        }
      }
    } finally {
      await pgBench.drop();
    }
  }
  console.log(
    table(
      ['database', 'authorizers', 'what', 'p50 ms', 'p95 ms'],
      rows.map((r) => [r.db, num(r.authorizers), r.what, num(r.p50, 2), num(r.p95, 2)]),
    ),
  );
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `scrape-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        flags,
        machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
        rows,
      },
      null,
      2,
    ),
  );
  console.log(`\nwritten to ${file}`);
}

await main();
