import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import { createCodeHistory } from '../../src/services/code/code-history.ts';
import { openPglite } from '../../src/store/db.ts';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';

/**
 * One audit has one result. WeChat's push and the audit status poll can bring it at once, on two
 * instances, each having read "no result yet": the history keeps the first and the second write
 * records nothing (it answers undefined, so nothing acts on it twice).
 */
const APPID = 'wx0123456789abcdef';
const step = (auditid: number, actor: string) => ({ auditid, actor, user_version: '1.0.0' });

for (const kind of DB_KINDS) {
  test(`two writers of one audit's result record it once (${kind})`, async () => {
    await withDb(kind, async (db) => {
      const history = createCodeHistory({ db, clock: systemClock });
      await history.record(APPID, 'submitted', step(401, 'admin'));
      const [a, b] = await Promise.all([
        history.record(APPID, 'audit_passed', step(401, 'wechat')),
        history.record(APPID, 'audit_passed', step(401, 'wechat-poll')),
      ]);
      assert.equal([a, b].filter((x) => x !== undefined).length, 1, 'one of the two recorded');
      // A failed result of the same audit after it passed is not a second result either.
      assert.equal(await history.record(APPID, 'audit_failed', step(401, 'wechat')), undefined);
      // The next audit has its own result; delays may repeat.
      await history.record(APPID, 'submitted', step(402, 'admin'));
      assert.ok(await history.record(APPID, 'audit_delayed', step(402, 'wechat')));
      assert.ok(await history.record(APPID, 'audit_delayed', step(402, 'wechat')));
      assert.ok(await history.record(APPID, 'audit_failed', step(402, 'wechat')));
      assert.deepEqual(
        (await history.steps(APPID)).map((s) => `${s.kind}:${s.auditid}`),
        [
          'submitted:401',
          'audit_passed:401',
          'submitted:402',
          'audit_delayed:402',
          'audit_delayed:402',
          'audit_failed:402',
        ],
      );
    });
  });
}

test('the migration keeps the first of a result recorded twice before it', async () => {
  const db = await openPglite(undefined);
  try {
    const all = loadMigrations();
    await migrate(
      db,
      all.filter((m) => m.version < '0028'),
    );
    const history = createCodeHistory({ db, clock: systemClock });
    await history.record(APPID, 'submitted', step(501, 'admin'));
    const first = await history.record(APPID, 'audit_passed', step(501, 'wechat'));
    await history.record(APPID, 'audit_passed', step(501, 'wechat-poll'));
    await history.record(APPID, 'audit_passed', step(502, 'wechat'));
    assert.deepEqual(
      (await migrate(db)).filter((v) => v.startsWith('0028')),
      ['0028_audit_result_once'],
    );
    const kept = (await history.steps(APPID)).filter((s) => s.kind === 'audit_passed');
    assert.deepEqual(
      kept.map((s) => [s.auditid, s.id]),
      [
        [501, first?.id],
        [502, kept[1]?.id],
      ],
    );
  } finally {
    await db.close();
  }
});
