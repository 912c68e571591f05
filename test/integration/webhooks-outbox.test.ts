import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock, systemClock } from '../../src/core/clock.ts';
import { createSealer } from '../../src/crypto/seal.ts';
import type { Db } from '../../src/store/db.ts';
import { createEventQueries } from '../../src/store/queries/events.ts';
import { createWebhookDelivery } from '../../src/services/webhook/delivery.ts';
import { createWebhookService } from '../../src/services/webhook/service.ts';
import { createTargetPolicy } from '../../src/services/webhook/target.ts';
import { freshPglite, freshPostgres } from '../support/databases.ts';
import { eventually } from '../support/sandbox.ts';
import { signatureMatches, startReceiver } from '../support/webhooks.ts';

/**
 * The outbox on its own: the default retry schedule under a manual clock, and two instances
 * sharing one PostgreSQL (each event fanned out once, each delivery sent once).
 */
const HOUR = 3600_000;
/** The receivers listen on 127.0.0.1. */
const targets = createTargetPolicy({ allowPrivate: true });

function storeEvent(db: Db, key: string, at: Date) {
  return createEventQueries(db).insert({
    dedupeKey: key,
    source: 'message',
    appid: null,
    type: 'text',
    raw: '<xml/>',
    query: {},
    decoded: { Content: key },
    createTime: null,
    receivedAt: at,
  });
}

test('default schedule: backoff from 30 s doubling to 1 h, retried for 24 h after the first attempt, then dead', async () => {
  const db = await freshPglite();
  const rx = await startReceiver(() => 503);
  try {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sealer = createSealer(randomBytes(32));
    const webhooks = createWebhookService({ db, sealer, clock, targets });
    const hook = await webhooks.create({ url: rx.url });
    await storeEvent(db, 'retry-1', new Date(clock.now()));
    const engine = createWebhookDelivery({ db, sealer, clock, targets });
    assert.equal(await engine.dispatchOnce(), 1);
    const first = clock.now();
    const waits: number[] = [];
    for (;;) {
      assert.equal(await engine.sendDue(), 1);
      await engine.idle();
      const [d] = (await webhooks.listDeliveries(hook.id, { limit: 1 })).items;
      assert.ok(d);
      if (d.status === 'dead') {
        assert.ok(clock.now() - first >= 24 * HOUR, 'retried for at least 24 h');
        // The last retry was scheduled before 24 h, at most one capped backoff (1 h + 20 %) ahead.
        assert.ok(clock.now() - first <= 25.2 * HOUR, `${(clock.now() - first) / HOUR} h`);
        assert.equal(d.next_attempt_at, null);
        assert.equal(d.attempts, waits.length + 1);
        assert.equal(d.last_status_code, 503);
        break;
      }
      assert.equal(d.status, 'failed');
      assert.ok(clock.now() - first < 24 * HOUR, 'not dead before the window ends');
      const next = Date.parse(d.next_attempt_at ?? '');
      waits.push(next - clock.now());
      clock.set(next - 1);
      assert.equal(await engine.sendDue(), 0, 'nothing is sent before it is due');
      clock.set(next);
    }
    assert.ok(waits[0] !== undefined && waits[0] >= 24_000 && waits[0] <= 36_000, `${waits[0]}`);
    assert.ok(waits[1] !== undefined && waits[1] >= 48_000 && waits[1] <= 72_000, `${waits[1]}`);
    assert.ok(waits.every((w) => w <= 1.2 * HOUR));
    assert.ok(Math.max(...waits) >= 0.8 * HOUR, 'the backoff reaches the 1 h cap');
    assert.equal(new Set(waits).size > waits.length / 2, true, 'jitter spreads the retries');
    assert.equal(rx.received.length, waits.length + 1);
    assert.ok(rx.received.every((r) => r.body.data['Content'] === 'retry-1'));
  } finally {
    await rx.close();
    await db.close();
  }
});

test('two instances on one PostgreSQL: each event fanned out once, each delivery sent once', async () => {
  const pg = await freshPostgres(10);
  const rx = await startReceiver();
  const sealer = createSealer(randomBytes(32));
  const engines = ['one', 'two'].map((workerId) =>
    createWebhookDelivery({ db: pg.db, sealer, clock: systemClock, workerId, pollMs: 5, targets }),
  );
  try {
    const webhooks = createWebhookService({ db: pg.db, sealer, clock: systemClock, targets });
    const a = await webhooks.create({ url: rx.url });
    const b = await webhooks.create({ url: rx.url });
    for (const e of engines) e.start();
    // Concurrent inserts commit out of id order; none may be skipped.
    const n = 60;
    await Promise.all(
      Array.from({ length: n }, (_, i) => storeEvent(pg.db, `multi-${i}`, new Date())),
    );
    await eventually(async () => rx.received.length >= 2 * n, 15_000, `${2 * n} deliveries`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rx.received.length, 2 * n);
    const deliveryIds = new Set(rx.received.map((r) => r.headers['x-openwx-delivery']));
    assert.equal(deliveryIds.size, 2 * n);
    for (const hook of [a, b]) {
      const mine = rx.received.filter((r) => signatureMatches(hook.secret, r));
      assert.equal(new Set(mine.map((r) => r.body.id)).size, n);
    }
    const res = await pg.db.query<{ status: string; attempts: number; n: number }>(
      'SELECT status, attempts, count(*)::int AS n FROM webhook_deliveries GROUP BY status, attempts',
    );
    assert.deepEqual(res.rows, [{ status: 'delivered', attempts: 1, n: 2 * n }]);
  } finally {
    await Promise.all(engines.map((e) => e.stop()));
    await rx.close();
    await pg.drop();
  }
});
