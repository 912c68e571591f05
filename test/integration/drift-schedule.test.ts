import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { createJobQueue } from '../../src/jobs/queue.ts';
import { createProfileService } from '../../src/services/profile/profiles.ts';
import { createProfileSync } from '../../src/services/profile/sync.ts';
import type { Db } from '../../src/store/db.ts';
import { createAuthorizerQueries } from '../../src/store/queries/authorizers.ts';
import type { WechatClient } from '../../src/wechat/client.ts';
import { WechatApiError } from '../../src/wechat/errors.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';

/**
 * The scheduled drift check is claimed per mini program: instances on one database share the due
 * checks, none is checked twice, each is due again one interval later (spread by jitter), a
 * failed check is retried sooner, and a claim held by an instance that died runs out.
 */
const NOW = Date.parse('2026-12-04T08:00:00Z');
const HOUR = 3600_000;
const APPS = Array.from({ length: 30 }, (_, i) => `wxdrift${String(i).padStart(11, '0')}`);
const BROKEN = APPS[7] as string;
const DRIFTED = APPS[3] as string;

/** WeChat's side: every mini program has the profile's web-view domain except DRIFTED. */
function fakeWechat(calls: Map<string, number>): WechatClient {
  const call = async (name: string, _body: unknown, opts: { appid: string }) => {
    calls.set(opts.appid, (calls.get(opts.appid) ?? 0) + 1);
    assert.equal(name, 'setwebviewdomain');
    // Let the other instance's claim run meanwhile.
    await new Promise((r) => setTimeout(r, 1));
    if (opts.appid === BROKEN) throw new WechatApiError('setwebviewdomain', -1, 'system error', {});
    return {
      errcode: 0,
      webviewdomain: opts.appid === DRIFTED ? [] : ['https://h5.example.com'],
    };
  };
  return { call } as unknown as WechatClient;
}

async function setUp(db: Db, clock: ManualClock) {
  const authorizers = createAuthorizerQueries(db);
  for (const appid of APPS) {
    await authorizers.upsertAuthorized({
      appid,
      refreshTokenSealed: null,
      funcInfo: [],
      at: new Date(NOW),
    });
    await authorizers.updateInfo(appid, { MiniProgramInfo: {} }, new Date(NOW));
  }
  const profiles = createProfileService({
    db,
    clock,
    platform: { server: [], webview: [] },
  });
  await profiles.create({ name: 'house', webview_domains: ['https://h5.example.com'] });
  return profiles;
}

const dueAt = async (db: Db) => {
  const res = await db.query<{ appid: string; drift_check_at: Date }>(
    'SELECT appid, drift_check_at FROM authorizers ORDER BY appid',
  );
  return new Map(res.rows.map((r) => [r.appid, r.drift_check_at.getTime()]));
};

for (const kind of DB_KINDS) {
  describe(`claimed drift check on ${kind}`, () => {
    test('two instances share the due checks: each mini program checked once, then due 6 h later', async () => {
      await withDb(kind, async (db) => {
        const clock = new ManualClock(NOW);
        const profiles = await setUp(db, clock);
        const calls = new Map<string, number>();
        const instance = () =>
          createProfileSync({
            db,
            client: fakeWechat(calls),
            jobs: createJobQueue({ db, clock }),
            profiles,
            clock,
            schedule: { batch: 4 },
          });
        const [a, b] = await Promise.all([instance().checkDue(), instance().checkDue()]);

        assert.deepEqual(
          APPS.filter((appid) => calls.get(appid) !== 1),
          [],
          'every mini program checked exactly once',
        );
        assert.equal(a.checked + b.checked, APPS.length - 1);
        assert.equal(a.failed + b.failed, 1, 'the broken one');
        assert.deepEqual([...a.drifted, ...b.drifted], [DRIFTED]);
        if (kind === 'postgres') {
          assert.ok(a.checked > 0 && b.checked > 0, `shared: ${a.checked} + ${b.checked}`);
        }

        const next = await dueAt(db);
        for (const appid of APPS) {
          const at = (next.get(appid) ?? 0) - NOW;
          if (appid === BROKEN) assert.equal(at, HOUR / 2, 'a failure is retried in 30 min');
          else assert.ok(at >= 5.4 * HOUR && at <= 6.6 * HOUR, `${appid} due in ${at / HOUR} h`);
        }
        const spread = new Set(APPS.filter((a) => a !== BROKEN).map((a) => next.get(a)));
        assert.ok(spread.size > 1, 'jitter spreads the next checks');

        // Nothing is due now; the drift is recorded once in the history.
        const again = await instance().checkDue();
        assert.equal(again.checked + again.failed, 0);
        const history = await db.query<{ appid: string }>(
          "SELECT appid FROM authorizer_history WHERE action = 'drift_detected'",
        );
        assert.deepEqual(
          history.rows.map((r) => r.appid),
          [DRIFTED],
        );

        clock.advance(HOUR / 2);
        const retried = await instance().checkDue();
        assert.equal(retried.failed, 1, 'the broken one, again');
        assert.equal(calls.get(BROKEN), 2);
        clock.advance(7 * HOUR);
        const round = await instance().checkDue();
        assert.equal(round.checked, APPS.length - 1, 'all due again after the interval');
      });
    });

    test('a claim held by an instance that died runs out after the lease', async () => {
      await withDb(kind, async (db) => {
        const clock = new ManualClock(NOW);
        const profiles = await setUp(db, clock);
        // An instance claims every check and dies before checking any.
        const lease = 10 * 60_000;
        await db.query("UPDATE authorizers SET drift_check_at = $1 WHERE status = 'authorized'", [
          new Date(NOW + lease),
        ]);
        const calls = new Map<string, number>();
        const sync = createProfileSync({
          db,
          client: fakeWechat(calls),
          jobs: createJobQueue({ db, clock }),
          profiles,
          clock,
        });
        assert.equal((await sync.checkDue()).checked, 0, 'claimed elsewhere');
        clock.advance(lease);
        assert.equal((await sync.checkDue()).checked, APPS.length - 1, 'taken over');
      });
    });
  });
}
