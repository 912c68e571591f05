import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import type { Queryable } from '../../src/store/db.ts';
import { createPeriodicWork } from '../../src/app/periodic-work.ts';
import {
  createRetentionService,
  type RetentionSettings,
} from '../../src/services/retention/service.ts';
import { createRetentionTask } from '../../src/services/retention/task.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';
import { runCli } from '../support/processes.ts';
import { startSandbox } from '../support/sandbox.ts';

/**
 * Retention: old pushes, finished jobs, finished webhook deliveries and spent authorization links
 * and codes are deleted, in small batches, by one instance at a time; rows still needed are kept.
 */
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const SETTINGS: RetentionSettings = { eventsDays: 30, jobsDays: 14, deliveriesDays: 30 };
const ago = (days: number) => new Date(NOW - days * DAY);
const noPause = async () => {};

let seq = 0;
async function insertEvent(db: Queryable, daysAgo: number): Promise<number> {
  seq++;
  const res = await db.query<{ id: number }>(
    `INSERT INTO events (dedupe_key, source, appid, type, raw, decoded, received_at)
     VALUES ($1, 'message', 'wxfakeappid000001', 'text', '<xml/>', '{}', $2) RETURNING id`,
    [`retention-test-${seq}`, ago(daysAgo)],
  );
  return Number(res.rows[0]?.id);
}

async function insertJob(
  db: Queryable,
  status: string,
  updatedDaysAgo: number,
  payload: Record<string, unknown> = {},
): Promise<number> {
  const res = await db.query<{ id: number }>(
    `INSERT INTO jobs (type, payload, status, run_at, created_at, updated_at)
     VALUES ('test_job', $1, $2, $3, $3, $3) RETURNING id`,
    [payload, status, ago(updatedDaysAgo)],
  );
  return Number(res.rows[0]?.id);
}

async function insertDelivery(
  db: Queryable,
  eventId: number,
  status: string,
  createdDaysAgo: number,
  finishedDaysAgo: number | null,
): Promise<number> {
  const finished = finishedDaysAgo === null ? null : ago(finishedDaysAgo);
  const res = await db.query<{ id: number }>(
    `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, attempts,
       last_attempt_at, delivered_at, next_attempt_at, created_at)
     VALUES ('wh_retention', $1, 'text', $2, 1, $3, $4, $5, $6) RETURNING id`,
    [
      eventId,
      status,
      finished,
      status === 'delivered' ? finished : null,
      status === 'pending' || status === 'failed' ? ago(0) : null,
      ago(createdDaysAgo),
    ],
  );
  return Number(res.rows[0]?.id);
}

async function insertWebhook(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO webhooks (id, url, secret_sealed) VALUES ('wh_retention', 'http://127.0.0.1:9/hook', 'sealed')`,
  );
}

/** The webhook dispatcher's cursor: events up to `id` were fanned out. */
const setCursor = (db: Queryable, id: number) =>
  db.query('UPDATE webhook_dispatch SET last_event_id = $1 WHERE id = 1', [id]);

async function ids(db: Queryable, table: string, key = 'id'): Promise<(number | string)[]> {
  const res = await db.query<{ k: number | string }>(`SELECT ${key} AS k FROM ${table} ORDER BY 1`);
  return res.rows.map((r) => (typeof r.k === 'string' && /^\d+$/.test(r.k) ? Number(r.k) : r.k));
}

const count = async (db: Queryable, table: string) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;

const retention = (
  db: Queryable,
  extra: Partial<Parameters<typeof createRetentionService>[0]> = {},
) =>
  createRetentionService({
    db,
    clock: new ManualClock(NOW),
    settings: SETTINGS,
    pause: noPause,
    ...extra,
  });

for (const kind of DB_KINDS) {
  describe(`retention (${kind})`, () => {
    test('old rows are deleted; rows still needed are kept, however old', async () => {
      await withDb(kind, async (db) => {
        await insertWebhook(db);
        // Events, oldest first (ids grow with time, as pushes arrive).
        const oldPlain = await insertEvent(db, 40);
        await insertDelivery(db, await insertEvent(db, 40), 'delivered', 40, 35);
        const retrying = await insertEvent(db, 40);
        const retryingDelivery = await insertDelivery(db, retrying, 'failed', 40, 1);
        const recentlyDelivered = await insertEvent(db, 40);
        const recentDelivery = await insertDelivery(db, recentlyDelivered, 'delivered', 40, 5);
        await insertDelivery(db, await insertEvent(db, 39), 'dead', 39, 31);
        const heldByQueued = await insertEvent(db, 38);
        const heldByRunning = await insertEvent(db, 38);
        const ofDoneJob = await insertEvent(db, 37);
        const notDispatched = await insertEvent(db, 36);
        const recent = await insertEvent(db, 2);
        await setCursor(db, notDispatched - 1);
        await db.query(`INSERT INTO event_secrets (event_id, sealed) VALUES ($1, 'sealed')`, [
          oldPlain,
        ]);

        const queued = await insertJob(db, 'queued', 100, { eventId: heldByQueued });
        const running = await insertJob(db, 'running', 60, { event_id: heldByRunning });
        const doneOld = await insertJob(db, 'done', 20, { eventId: ofDoneJob });
        const deadOld = await insertJob(db, 'dead', 15);
        const doneRecent = await insertJob(db, 'done', 10);

        // Authorization links and exchanged codes: kept 7 days after they expired / were used.
        const link = (token: string, expiredDaysAgo: number) =>
          db.query(
            `INSERT INTO authorization_links (token, pre_auth_code_hash, pc_url, mobile_url, expires_at, created_at)
             VALUES ($1, $2, 'https://example.com/pc', 'https://example.com/m', $3, $3)`,
            [token, `hash-${token}`, ago(expiredDaysAgo)],
          );
        await link('link_old', 8);
        await link('link_pending_job', 8);
        await link('link_recent', 1);
        await insertJob(db, 'queued', 0, { preAuthCodeHash: 'hash-link_pending_job' });
        const code = (hash: string, daysAgo: number) =>
          db.query(
            `INSERT INTO authorization_codes (code_hash, appid, exchanged_at) VALUES ($1, 'wxfakeappid000001', $2)`,
            [hash, ago(daysAgo)],
          );
        await code('code_old', 8);
        await code('code_recent', 1);

        // Console sign-in attempts: 90 days; operator sessions: 7 days after they ended.
        const attempt = (username: string, daysAgo: number) =>
          db.query(
            `INSERT INTO sign_in_attempts (at, username, ip, outcome) VALUES ($1, $2, '192.0.2.1', 'bad_password')`,
            [ago(daysAgo), username],
          );
        await attempt('attempt_old', 91);
        await attempt('attempt_recent', 89);
        await db.query(
          `INSERT INTO operators (id, username, display_name, role, password_hash, created_at, updated_at)
           VALUES ('op1', 'ann', 'ann', 'viewer', 'x', $1, $1)`,
          [ago(200)],
        );
        const session = (id: string, expiredDaysAgo: number) =>
          db.query(
            `INSERT INTO operator_sessions (id, operator_id, token_hash, ip, created_at, expires_at, last_seen_at)
             VALUES ($1, 'op1', $1, '192.0.2.1', $2, $2, $2)`,
            [id, ago(expiredDaysAgo)],
          );
        await session('session_old', 8);
        await session('session_recent', 6);
        await session('session_live', -1);

        const counts = await retention(db).prune();

        assert.deepEqual(await ids(db, 'events'), [
          retrying,
          recentlyDelivered,
          heldByQueued,
          heldByRunning,
          notDispatched,
          recent,
        ]);
        assert.equal(await count(db, 'event_secrets'), 0, 'an event’s secrets go with it');
        assert.deepEqual(await ids(db, 'webhook_deliveries'), [retryingDelivery, recentDelivery]);
        const jobs = await ids(db, 'jobs');
        for (const gone of [doneOld, deadOld]) assert.ok(!jobs.includes(gone), `job ${gone}`);
        for (const kept of [queued, running, doneRecent]) assert.ok(jobs.includes(kept), `${kept}`);
        assert.deepEqual(await ids(db, 'authorization_links', 'token'), [
          'link_pending_job',
          'link_recent',
        ]);
        assert.deepEqual(await ids(db, 'authorization_codes', 'code_hash'), ['code_recent']);
        assert.deepEqual(await ids(db, 'sign_in_attempts', 'username'), ['attempt_recent']);
        assert.deepEqual(await ids(db, 'operator_sessions', 'id'), [
          'session_live',
          'session_recent',
        ]);
        assert.deepEqual(counts, {
          webhook_deliveries: 2,
          events: 4,
          jobs: 2,
          authorization_links: 1,
          authorization_codes: 1,
          sign_in_attempts: 1,
          operator_sessions: 1,
          stat_buckets: 0,
        });

        // Nothing more to do: a second pass deletes nothing.
        const again = await retention(db).prune();
        assert.equal(
          Object.values(again).reduce((a, b) => a + b, 0),
          0,
        );
      });
    });

    test('each statement deletes at most one batch, and one run at most maxBatches of them', async () => {
      await withDb(kind, async (db) => {
        for (let i = 0; i < 10; i++) await insertEvent(db, 40);
        const last = await insertEvent(db, 40);
        await setCursor(db, last);
        for (let i = 0; i < 8; i++) await insertJob(db, 'done', 20);
        // Every statement of the service is followed by a count of what is left.
        const seen: number[] = [];
        const total = async () => (await count(db, 'events')) + (await count(db, 'jobs'));
        const watched = {
          ...db,
          async query<T>(sql: string, params?: readonly unknown[]) {
            const res = await db.query<T>(sql, params);
            seen.push(await total());
            return res;
          },
        };
        const first = await retention(watched, { batchSize: 3, maxBatches: 2 }).prune();
        assert.deepEqual([first.events, first.jobs], [6, 6], 'two batches of three per table');
        const all = await retention(watched, { batchSize: 3 }).prune();
        assert.deepEqual([all.events, all.jobs], [5, 2], 'the next run goes on where it stopped');
        assert.equal(await count(db, 'events'), 0);
        assert.equal(await count(db, 'jobs'), 0);
        // Between two statements never more than a batch is gone.
        const totals = [19, ...seen];
        for (let i = 1; i < totals.length; i++) {
          const step = (totals[i - 1] as number) - (totals[i] as number);
          assert.ok(step >= 0 && step <= 3, `step ${i}: ${step} rows deleted at once`);
        }
      });
    });

    test('old rows still needed ahead of deletable ones do not use up a run', async () => {
      await withDb(kind, async (db) => {
        await insertWebhook(db);
        for (let i = 0; i < 7; i++)
          await insertDelivery(db, await insertEvent(db, 40), 'failed', 40, 1);
        for (let i = 0; i < 3; i++) await insertEvent(db, 40);
        await setCursor(db, 1_000_000);
        const counts = await retention(db, { batchSize: 3, maxBatches: 2 }).prune();
        assert.equal(counts.events, 3);
        assert.equal(await count(db, 'events'), 7, 'the events of retried deliveries are kept');
      });
    });

    test('two instances: only the one whose turn it is prunes, and pruning at once is harmless', async () => {
      await withDb(kind, async (db) => {
        for (let i = 0; i < 12; i++) await insertEvent(db, 40);
        await setCursor(db, 1_000_000);
        for (let i = 0; i < 12; i++) await insertJob(db, 'done', 20);
        const clock = new ManualClock(NOW);
        const runs: string[] = [];
        const instance = (holderId: string) =>
          createPeriodicWork({
            db,
            clock,
            log: pino({ level: 'silent' }),
            holderId,
            auditPollSeconds: 600,
            tasks: {
              restartTicketPushIfLate: async () => {},
              refreshDueTokens: async () => {},
              reconcileAuthorizers: async () => {},
              checkDrift: async () => {},
              pollAudits: async () => ({ polled: 0 }),
              ensureRolloutWorkers: async () => {},
              countTokens: async () => {},
              pruneExpired: async () => {
                runs.push(holderId);
                await retention(db, { batchSize: 5 }).prune();
              },
            },
          });
        const a = instance('instance-a');
        const b = instance('instance-b');
        await Promise.all([a.maintain(), b.maintain()]);
        assert.equal(runs.length, 1, `one instance pruned: ${runs.join(', ')}`);
        clock.advance(60_000);
        await Promise.all([a.maintain(), b.maintain()]);
        assert.equal(runs.length, 1, 'not again within 10 minutes');
        clock.advance(9 * 60_000 + 1);
        await Promise.all([a.maintain(), b.maintain()]);
        assert.equal(runs.length, 2, 'the next turn, 10 minutes later');
        assert.equal(await count(db, 'events'), 0);

        // Two services at once on the same rows (a turn that outlasted its lease): no error, and
        // every row deleted once.
        for (let i = 0; i < 30; i++) await insertEvent(db, 40);
        await setCursor(db, 1_000_000);
        for (let i = 0; i < 30; i++) await insertJob(db, 'dead', 20);
        const [x, y] = await Promise.all([
          retention(db, { batchSize: 4 }).prune(),
          retention(db, { batchSize: 4 }).prune(),
        ]);
        assert.equal(x.events + y.events, 30);
        assert.equal(x.jobs + y.jobs, 30);
        assert.equal(await count(db, 'events'), 0);
        assert.equal(await count(db, 'jobs'), 0);
      });
    });
  });
}

test('the rows deleted are counted by table in openwx_retention_deleted_rows_total', async () => {
  await withDb('pglite', async (db) => {
    for (let i = 0; i < 3; i++) await insertEvent(db, 40);
    await setCursor(db, 1_000_000);
    await insertJob(db, 'done', 20);
    const registry = new Registry();
    const prune = createRetentionTask({
      db,
      clock: new ManualClock(NOW),
      log: pino({ level: 'silent' }),
      settings: SETTINGS,
      registry,
    });
    await prune();
    const text = await registry.metrics();
    assert.match(text, /^openwx_retention_deleted_rows_total\{table="events"\} 3$/m);
    assert.match(text, /^openwx_retention_deleted_rows_total\{table="jobs"\} 1$/m);
    assert.match(text, /^openwx_retention_deleted_rows_total\{table="webhook_deliveries"\} 0$/m);
  });
});

test('through the server: the periodic work deletes pushes past OPENWX_RETENTION_EVENTS_DAYS', async () => {
  const token = 'fake-metrics-token-0123456789abcdef';
  const sb = await startSandbox({
    env: { OPENWX_RETENTION_EVENTS_DAYS: '7', OPENWX_METRICS_TOKEN: token },
  });
  try {
    const db = sb.openwx.db;
    const at = (days: number) => new Date(Date.now() - days * DAY);
    const insert = (key: string, days: number) =>
      db.query(
        `INSERT INTO events (dedupe_key, source, appid, type, raw, decoded, received_at)
         VALUES ($1, 'message', 'wxfakeappid000001', 'text', '<xml/>', '{}', $2)`,
        [key, at(days)],
      );
    await insert('e2e-old-1', 9);
    await insert('e2e-old-2', 8);
    await insert('e2e-recent', 6);
    await db.query(
      'UPDATE webhook_dispatch SET last_event_id = GREATEST(last_event_id, (SELECT max(id) FROM events))',
    );
    const listed = async () => {
      const res = await sb.call<{ items: { received_at: string }[] }>(
        '/api/admin/events?appid=wxfakeappid000001',
      );
      assert.equal(res.status, 200);
      return res.body.items.length;
    };
    assert.equal(await listed(), 3);
    await sb.openwx.maintain();
    assert.equal(await listed(), 1, 'the two pushes older than 7 days are gone');
    const metrics = await fetch(`${sb.url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.match(
      await metrics.text(),
      /^openwx_retention_deleted_rows_total\{table="events"\} 2$/m,
    );
  } finally {
    await sb.stop();
  }
});

describe('retention settings', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'openwx-retention-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('defaults are 30 days of pushes, 14 of finished jobs, 30 of deliveries; each can be set', () => {
    assert.deepEqual(loadConfig({ OPENWX_DATA_DIR: dataDir() }).retention, {
      eventsDays: 30,
      jobsDays: 14,
      deliveriesDays: 30,
    });
    const set = loadConfig({
      OPENWX_DATA_DIR: dataDir(),
      OPENWX_RETENTION_EVENTS_DAYS: '90',
      OPENWX_RETENTION_JOBS_DAYS: '1',
      OPENWX_RETENTION_DELIVERIES_DAYS: '7',
    }).retention;
    assert.deepEqual(set, { eventsDays: 90, jobsDays: 1, deliveriesDays: 7 });
  });

  for (const key of [
    'OPENWX_RETENTION_EVENTS_DAYS',
    'OPENWX_RETENTION_JOBS_DAYS',
    'OPENWX_RETENTION_DELIVERIES_DAYS',
  ]) {
    test(`${key} that is not a positive whole number is refused, naming the setting`, () => {
      for (const bad of ['0', '-3', '1.5', '30d', 'forever', '100000']) {
        assert.throws(
          () => loadConfig({ OPENWX_DATA_DIR: dataDir(), [key]: bad }),
          (err: unknown) =>
            err instanceof ConfigError &&
            err.key === key &&
            err.message === `${key}: must be a whole number from 1 to 3650`,
          `${key}=${bad}`,
        );
      }
    });
  }

  test('the server refuses to start with a bad retention setting: one line, exit code 1', async () => {
    const r = await runCli(['serve'], {
      OPENWX_DATA_DIR: dataDir(),
      OPENWX_RETENTION_JOBS_DAYS: 'soon',
    });
    assert.equal(r.code, 1);
    assert.equal(
      r.output.trim(),
      'config error: OPENWX_RETENTION_JOBS_DAYS: must be a whole number from 1 to 3650',
    );
  });
});
