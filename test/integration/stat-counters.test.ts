import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db, Queryable } from '../../src/store/db.ts';
import { createMetricSources } from '../../src/app/metric-sources.ts';
import { readMaintainedCounts, type MaintainedCounts } from '../../src/services/stats/service.ts';
import { DB_KINDS, freshPostgres, withDb } from '../support/databases.ts';

/**
 * The counts the database keeps as rows change (migration 0022) against a count over the rows
 * themselves, after every kind of statement: single rows, many rows in one statement, updates
 * that move rows between counts, deletes, a rolled-back transaction; and, on PostgreSQL, many
 * connections changing rows at once.
 */
async function scanned(db: Queryable): Promise<MaintainedCounts> {
  const one = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]?.n ?? 0);
  const failing: Record<string, number> & { total: number } = { total: 0 };
  const byKind = await db.query<{ kind: string; n: number }>(
    'SELECT kind, count(*)::int AS n FROM tokens WHERE failures > 0 GROUP BY kind',
  );
  for (const r of byKind.rows) {
    failing[r.kind] = r.n;
    failing.total += r.n;
  }
  return {
    authorizers: {
      authorized: await one(
        "SELECT count(*)::int AS n FROM authorizers WHERE status = 'authorized'",
      ),
      revoked: await one("SELECT count(*)::int AS n FROM authorizers WHERE status = 'revoked'"),
      needsAttention: await one(
        "SELECT count(*)::int AS n FROM authorizers WHERE status = 'authorized' AND needs_attention",
      ),
    },
    tokensFailing: failing,
    webhooks: {
      backlog: await one(
        "SELECT count(*)::int AS n FROM webhook_deliveries WHERE status IN ('pending', 'failed')",
      ),
      dead: await one("SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'dead'"),
    },
    rollouts: {
      running: await one("SELECT count(*)::int AS n FROM rollouts WHERE status = 'running'"),
      paused: await one("SELECT count(*)::int AS n FROM rollouts WHERE status = 'paused'"),
      halted: await one("SELECT count(*)::int AS n FROM rollouts WHERE status = 'halted'"),
    },
  };
}

/** The maintained counts, with kinds counted 0 left out (as a scan has no row for them). */
async function maintained(db: Queryable): Promise<MaintainedCounts> {
  const c = await readMaintainedCounts(db);
  for (const [k, n] of Object.entries(c.tokensFailing)) if (n === 0) delete c.tokensFailing[k];
  c.tokensFailing.total ??= 0;
  return c;
}

async function assertRight(db: Queryable, what: string) {
  assert.deepEqual(await maintained(db), await scanned(db), what);
}

async function seedWebhook(db: Queryable) {
  await db.query(
    "INSERT INTO webhooks (id, url, secret_sealed) VALUES ('wh_1', 'https://hooks.example.com/a', 'sealed')",
  );
  await db.query(
    `INSERT INTO events (dedupe_key, source, type, raw, decoded)
     SELECT 'e' || g, 'internal', 'token.refreshed', '', '{}' FROM generate_series(1, 40) g`,
  );
}

const rolloutRow = (status: string) =>
  `('${status}', 1, '1.0.0', 'v1', '{}', '{}', '[]', 'admin', now(), now())`;

for (const kind of DB_KINDS) {
  describe(`maintained counts on ${kind}`, () => {
    test('stay equal to a count of the rows through every kind of change', async () => {
      await withDb(kind, async (db: Db) => {
        await assertRight(db, 'empty');
        // Authorize 30 (one statement), then one more, as the onboarding does.
        await db.query(
          `INSERT INTO authorizers (appid, status) SELECT 'wx' || g, 'authorized' FROM generate_series(1, 30) g`,
        );
        await db.query("INSERT INTO authorizers (appid, status) VALUES ('wxlast', 'authorized')");
        await db.query(
          `INSERT INTO tokens (key, kind, appid) SELECT 'authorizer:wx' || g, 'authorizer', 'wx' || g FROM generate_series(1, 30) g`,
        );
        await db.query(
          "INSERT INTO tokens (key, kind, appid) VALUES ('component', 'component', 'wxc')",
        );
        await assertRight(db, 'authorized');
        assert.equal((await readMaintainedCounts(db)).authorizers.authorized, 31);

        // Token failures: some fail, one twice, then a refresh succeeds.
        await db.query(
          "UPDATE tokens SET failures = failures + 1, last_error = '61003 x', last_error_at = now() WHERE appid IN ('wx1', 'wx2', 'wx3', 'wxc')",
        );
        await db.query("UPDATE tokens SET failures = failures + 1 WHERE appid = 'wx1'");
        await assertRight(db, 'failures');
        assert.equal((await readMaintainedCounts(db)).tokensFailing.total, 4);
        await db.query("UPDATE tokens SET failures = 0 WHERE appid IN ('wx2', 'wxc')");
        await assertRight(db, 'refreshed');
        assert.deepEqual((await readMaintainedCounts(db)).tokensFailing, {
          total: 2,
          authorizer: 2,
          component: 0,
        });

        // needs_attention, then unauthorized: a revoked one no longer needs attention.
        await db.query(
          "UPDATE authorizers SET needs_attention = true WHERE appid IN ('wx1', 'wx3')",
        );
        await assertRight(db, 'needs attention');
        await db.query("UPDATE authorizers SET status = 'revoked' WHERE appid IN ('wx3', 'wx4')");
        await db.query("DELETE FROM tokens WHERE appid IN ('wx3', 'wx4')");
        await assertRight(db, 'unauthorized');
        const c = await readMaintainedCounts(db);
        assert.deepEqual(c.authorizers, { authorized: 29, revoked: 2, needsAttention: 1 });
        // Authorized again: the attention is cleared with it, as the token service does.
        await db.query(
          "UPDATE authorizers SET status = 'authorized', needs_attention = false WHERE appid = 'wx3'",
        );
        await assertRight(db, 'authorized again');

        // A transaction rolled back leaves the counts as they were.
        await db
          .transaction(async (tx) => {
            await tx.query("UPDATE authorizers SET status = 'revoked'");
            throw new Error('rolled back');
          })
          .catch(() => undefined);
        await assertRight(db, 'rollback');
        assert.equal((await readMaintainedCounts(db)).authorizers.authorized, 30);

        // Webhook deliveries: queued, retried, delivered, given up, pruned.
        await seedWebhook(db);
        await db.query(
          `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type)
           SELECT 'wh_1', id, 'token.refreshed' FROM events`,
        );
        await assertRight(db, 'deliveries queued');
        await db.query("UPDATE webhook_deliveries SET status = 'failed' WHERE id % 3 = 0");
        await db.query("UPDATE webhook_deliveries SET status = 'delivered' WHERE id % 3 = 1");
        await db.query("UPDATE webhook_deliveries SET status = 'dead' WHERE id % 5 = 0");
        await assertRight(db, 'deliveries moved');
        await db.query("DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'dead')");
        await assertRight(db, 'deliveries pruned');
        // Deleting the webhook deletes its deliveries (ON DELETE CASCADE): counted too.
        await db.query("DELETE FROM webhooks WHERE id = 'wh_1'");
        await assertRight(db, 'webhook deleted');
        assert.deepEqual((await readMaintainedCounts(db)).webhooks, { backlog: 0, dead: 0 });

        // Rollouts: started, paused, halted, finished.
        await db.query(
          `INSERT INTO rollouts (status, template_id, user_version, user_desc, target, options, waves, created_by, created_at, updated_at)
           VALUES ${['running', 'running', 'paused', 'completed'].map(rolloutRow).join(', ')}`,
        );
        await db.query(
          "UPDATE rollouts SET status = 'halted' WHERE id = (SELECT min(id) FROM rollouts)",
        );
        await assertRight(db, 'rollouts');
        assert.deepEqual((await readMaintainedCounts(db)).rollouts, {
          running: 1,
          paused: 1,
          halted: 1,
        });
        await db.query("UPDATE rollouts SET status = 'cancelled'");
        await assertRight(db, 'rollouts finished');

        // Deleting every authorizer (a reset) leaves nothing counted.
        await db.query('DELETE FROM tokens');
        await db.query('DELETE FROM authorizers');
        await assertRight(db, 'all deleted');
      });
    });

    test('the token-health census: valid, due, expired and failing from the kept counts and the tokens due', async () => {
      await withDb(kind, async (db: Db) => {
        const now = Date.parse('2026-12-07T12:00:00Z');
        const census = () =>
          createMetricSources({
            db,
            clock: { now: () => now },
            refreshAheadMs: 10 * 60_000,
          }).authorizerTokenHealth();
        await db.query(
          `INSERT INTO authorizers (appid, status) SELECT 'wx' || g, CASE WHEN g > 10 THEN 'revoked' ELSE 'authorized' END FROM generate_series(1, 12) g`,
        );
        // wx1-4 valid (1 h left), wx5-6 due (5 min left), wx7-8 expired, wx9-10 failing.
        const at = (minutes: number) => new Date(now + minutes * 60_000);
        const rows: [string, Date, number][] = [
          ['wx1', at(60), 0],
          ['wx2', at(60), 0],
          ['wx3', at(60), 0],
          ['wx4', at(60), 0],
          ['wx5', at(5), 0],
          ['wx6', at(5), 0],
          ['wx7', at(-1), 0],
          ['wx8', at(-90), 0],
          ['wx9', at(60), 2],
          ['wx10', at(-5), 1],
        ];
        for (const [appid, expires, failures] of rows)
          await db.query(
            "INSERT INTO tokens (key, kind, appid, expires_at, failures) VALUES ($1, 'authorizer', $2, $3, $4)",
            [`authorizer:${appid}`, appid, expires, failures],
          );
        // A component token and a jsapi_ticket are not authorizer tokens.
        await db.query(
          "INSERT INTO tokens (key, kind, appid, expires_at, failures) VALUES ('component', 'component', 'wxc', $1, 1), ('jsapi_ticket:wx1', 'jsapi_ticket', 'wx1', $2, 0)",
          [at(-1), at(-1)],
        );
        assert.deepEqual(await census(), { valid: 4, due: 2, expired: 2, failing: 2 });
        // wx7 refreshed, wx9 recovered, wx5 failed.
        await db.query(
          "UPDATE tokens SET expires_at = $1 WHERE appid = 'wx7' AND kind = 'authorizer'",
          [at(120)],
        );
        await db.query("UPDATE tokens SET failures = 0 WHERE appid = 'wx9'");
        await db.query(
          "UPDATE tokens SET failures = 1 WHERE appid = 'wx5' AND kind = 'authorizer'",
        );
        assert.deepEqual(await census(), { valid: 6, due: 1, expired: 1, failing: 2 });
      });
    });
  });
}

test('on PostgreSQL, 8 connections changing rows at once leave the counts right', async () => {
  const pg = await freshPostgres(8);
  try {
    const db = pg.db;
    await db.query(
      `INSERT INTO authorizers (appid, status) SELECT 'wx' || g, 'authorized' FROM generate_series(1, 400) g`,
    );
    await db.query(
      `INSERT INTO tokens (key, kind, appid) SELECT 'authorizer:wx' || g, 'authorizer', 'wx' || g FROM generate_series(1, 400) g`,
    );
    // Each worker changes its own authorizers, one transaction per step, as instances do.
    await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        (async () => {
          for (let i = w + 1; i <= 400; i += 8) {
            const appid = `wx${i}`;
            await db.transaction(async (tx) => {
              await tx.query('UPDATE tokens SET failures = failures + 1 WHERE appid = $1', [appid]);
              if (i % 2 === 0)
                await tx.query('UPDATE authorizers SET needs_attention = true WHERE appid = $1', [
                  appid,
                ]);
              if (i % 4 === 0) {
                await tx.query("UPDATE authorizers SET status = 'revoked' WHERE appid = $1", [
                  appid,
                ]);
                await tx.query('DELETE FROM tokens WHERE appid = $1', [appid]);
              }
            });
          }
        })(),
      ),
    );
    await assertRight(db, 'after concurrent changes');
    const c = await readMaintainedCounts(db);
    assert.deepEqual(c.authorizers, { authorized: 300, revoked: 100, needsAttention: 100 });
    assert.equal(c.tokensFailing.total, 300);
  } finally {
    await pg.drop();
  }
});
