import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/store/db.ts';
import { createOverviewQueries } from '../../src/store/queries/overview.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';

/**
 * The overview's audits in flight come from each mini program's latest audit step, kept as the
 * code history is written (migration 0026): a submission is in flight until its result, a
 * delayed audit stays in flight, a step recorded out of order never replaces a newer one, and
 * steps that are not audit steps change nothing.
 */
const T0 = Date.parse('2026-12-04T08:00:00Z');

async function step(db: Db, appid: string, kind: string, minute: number, id?: number) {
  await db.query(
    `INSERT INTO code_events (${id === undefined ? '' : 'id, '}appid, kind, auditid, actor, at)
     VALUES (${id === undefined ? '' : `${id}, `}$1, $2, $3, 'test', $4)`,
    [appid, kind, kind === 'committed' ? null : 1000 + minute, new Date(T0 + minute * 60_000)],
  );
}

for (const kind of DB_KINDS) {
  describe(`audits in flight on ${kind}`, () => {
    test('the latest audit step of each mini program decides', async () => {
      await withDb(kind, async (db) => {
        const overview = createOverviewQueries(db);
        // Ids from 101 on, so that id 1 is free for the step written late.
        await db.query("SELECT setval('code_events_id_seq', 100)");
        await step(db, 'wxaaaa0000000000001', 'committed', 0);
        await step(db, 'wxaaaa0000000000001', 'submitted', 1);
        await step(db, 'wxaaaa0000000000002', 'submitted', 2);
        await step(db, 'wxaaaa0000000000003', 'submitted', 3);
        await step(db, 'wxaaaa0000000000003', 'audit_delayed', 4);
        let inFlight = await overview.auditsInFlight(10);
        assert.equal(inFlight.total, 3);
        assert.deepEqual(
          inFlight.items.map((i) => [i.appid, i.kind]),
          [
            ['wxaaaa0000000000001', 'submitted'],
            ['wxaaaa0000000000002', 'submitted'],
            ['wxaaaa0000000000003', 'audit_delayed'],
          ],
          'oldest first',
        );

        await step(db, 'wxaaaa0000000000001', 'audit_passed', 5);
        await step(db, 'wxaaaa0000000000002', 'audit_failed', 6);
        await step(db, 'wxaaaa0000000000002', 'released', 7);
        inFlight = await overview.auditsInFlight(10);
        assert.deepEqual(
          inFlight.items.map((i) => i.appid),
          ['wxaaaa0000000000003'],
        );
        assert.equal((await overview.auditsInFlight(0)).total, 1, 'the count is not the page');

        // A step with an older id written late (a slow transaction) does not bring it back.
        await step(db, 'wxaaaa0000000000001', 'submitted', 8, 1);
        assert.equal((await overview.auditsInFlight(10)).total, 1);
        await step(db, 'wxaaaa0000000000003', 'audit_withdrawn', 9);
        assert.equal((await overview.auditsInFlight(10)).total, 0);
      });
    });
  });
}
