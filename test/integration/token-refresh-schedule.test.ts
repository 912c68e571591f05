import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { createSealer, type Sealer } from '../../src/crypto/seal.ts';
import { postgresDb, type Db } from '../../src/store/db.ts';
import { createAuthorizerQueries } from '../../src/store/queries/authorizers.ts';
import { createTokenQueries } from '../../src/store/queries/tokens.ts';
import { CLAIM_LEASE_MS } from '../../src/tokens/refresh-policy.ts';
import { createTokenService } from '../../src/tokens/token-service.ts';
import { createWechatClient, type TokenSource, type Transport } from '../../src/wechat/client.ts';
import { freshPglite, freshPostgres } from '../support/databases.ts';

/**
 * Scheduled refreshes of authorizer tokens on both databases, with two token services (two
 * instances; on PostgreSQL each with its own pool) in front of a scripted WeChat and one manual
 * clock: due rows are shared without duplicates, spread over the refresh window, failures back
 * off and never hold healthy rows back, a claim of a dead instance is taken over after its
 * lease. Reference: ../shared/wechat/01 §4.2 (api_authorizer_token and its errors).
 */
const COMPONENT = { appid: 'wx0123456789abcdef', appsecret: 'c0ffee0123456789c0ffee0123456789' };
const HOUR = 3600_000;
const AHEAD_MS = 10 * 60_000;
const LIFETIME_S = 7200;

const appidOf = (i: number) => `wxfa${String(i).padStart(14, '0')}`;

/** WeChat's token endpoints: a new token per call, or the errcode set for that appid. */
function fakeWechat() {
  const calls: string[] = [];
  const errors = new Map<string, number>();
  let issued = 0;
  const transport: Transport = async (url, init) => {
    const name = new URL(url).pathname.split('/').pop() ?? '';
    const body = JSON.parse(String(init.body ?? '{}')) as Record<string, string>;
    // Let other work interleave, as a network round trip would.
    await new Promise((r) => setImmediate(r));
    let answer: Record<string, unknown>;
    if (name === 'api_component_token') {
      // Long-lived, so that the counts below are of authorizer tokens only.
      answer = { component_access_token: `CTOKEN_${++issued}`, expires_in: 24 * 3600 };
    } else if (name === 'api_authorizer_token') {
      const appid = body['authorizer_appid'] ?? '';
      calls.push(appid);
      const errcode = errors.get(appid);
      answer = errcode
        ? { errcode, errmsg: `refused (${errcode})` }
        : {
            authorizer_access_token: `ATOKEN_${++issued}`,
            expires_in: LIFETIME_S,
            authorizer_refresh_token: body['authorizer_refresh_token'],
          };
    } else answer = { errcode: 48001, errmsg: `not scripted: ${name}` };
    const text = JSON.stringify(answer);
    return { status: 200, text: async () => text };
  };
  const count = (appid: string) => calls.filter((a) => a === appid).length;
  return { transport, calls, errors, count };
}
type FakeWechat = ReturnType<typeof fakeWechat>;

interface Hooks {
  failed: Array<{ appid: string; error: string }>;
  refreshed: string[];
}

function instance(db: Db, wechat: FakeWechat, clock: ManualClock, sealer: Sealer, id: string) {
  const lazy: { source?: TokenSource } = {};
  const client = createWechatClient({
    baseUrl: 'https://api.example.invalid',
    transport: wechat.transport,
    tokens: {
      getToken: (kind, appid) => (lazy.source as TokenSource).getToken(kind, appid),
      invalidate: (kind, token, appid) =>
        (lazy.source as TokenSource).invalidate(kind, token, appid),
    },
    sleep: async () => {},
  });
  const hooks: Hooks = { failed: [], refreshed: [] };
  const tokens = createTokenService({
    db,
    sealer,
    client,
    clock,
    component: COMPONENT,
    refreshAheadMs: AHEAD_MS,
    holderId: id,
    onRefreshed: (e) => {
      if (e.kind === 'authorizer') hooks.refreshed.push(e.appid);
    },
    onRefreshFailed: (e) => {
      hooks.failed.push({ appid: e.appid, error: e.error });
    },
  });
  lazy.source = tokens.source;
  return { tokens, hooks };
}

type Instance = ReturnType<typeof instance>;

/** Two instances on one database (on PostgreSQL, two pools), a ticket and `n` authorizers. */
async function withFleet(
  kind: 'pglite' | 'postgres',
  n: number,
  body: (f: {
    db: Db;
    a: Instance;
    b: Instance;
    clock: ManualClock;
    wechat: FakeWechat;
    appids: string[];
  }) => Promise<void>,
): Promise<void> {
  const pg = kind === 'postgres' ? await freshPostgres() : undefined;
  const db = pg?.db ?? (await freshPglite());
  const second = pg ? postgresDb(pg.url, 5) : db;
  try {
    const clock = new ManualClock();
    const wechat = fakeWechat();
    const sealer = createSealer(randomBytes(32));
    const a = instance(db, wechat, clock, sealer, 'instance-a');
    const b = instance(second, wechat, clock, sealer, 'instance-b');
    await db.transaction((tx) => a.tokens.saveTicket(tx, 'ticket@@@T', new Date(clock.now())));
    await a.tokens.getComponentToken();
    const appids = Array.from({ length: n }, (_, i) => appidOf(i));
    for (const appid of appids) {
      await a.tokens.saveAuthorization({
        authorizer_appid: appid,
        authorizer_access_token: `ATOKEN_FIRST_${appid}`,
        expires_in: LIFETIME_S,
        authorizer_refresh_token: `refreshtoken@@@${appid}`,
      });
    }
    a.hooks.refreshed.length = 0;
    await body({ db, a, b, clock, wechat, appids });
  } finally {
    if (pg) {
      if (second !== db) await second.close().catch(() => {});
      await pg.drop();
    } else await db.close();
  }
}

const refreshAt = async (db: Db, appid: string) =>
  (await createTokenQueries(db).findByKey(`authorizer:${appid}`))?.refresh_at?.getTime();

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`scheduled token refresh on ${kind}`, () => {
    it('spreads refresh times over the window before the refresh-ahead mark', () =>
      withFleet(kind, 40, async ({ db, clock, appids }) => {
        const start = clock.now();
        const times = await Promise.all(appids.map((a) => refreshAt(db, a)));
        const expiry = start + LIFETIME_S * 1000;
        for (const t of times) {
          assert.ok(t !== undefined && t <= expiry - AHEAD_MS, 'refreshed ahead of the mark');
          assert.ok(t >= expiry - AHEAD_MS - 0.1 * LIFETIME_S * 1000, 'within the spread');
        }
        assert.ok(new Set(times).size > 30, 'not all at one moment');
      }));

    it('two instances share the due refreshes: every authorizer refreshed exactly once', () =>
      withFleet(kind, 60, async ({ a, b, clock, wechat, appids }) => {
        clock.advance(LIFETIME_S * 1000 - AHEAD_MS); // every token is due
        const [ra, rb] = await Promise.all([a.tokens.refreshDue(), b.tokens.refreshDue()]);
        assert.equal(ra.failed + rb.failed, 0);
        assert.equal(ra.refreshed + rb.refreshed, 60);
        for (const appid of appids) assert.equal(wechat.count(appid), 1, appid);
        assert.equal(wechat.calls.length, 60);
        // Both now hand out the new tokens; nothing is due any more.
        const t = await b.tokens.getAuthorizerToken(appids[7] as string);
        assert.match(t.access_token, /^ATOKEN_\d+$/);
        assert.deepEqual(await a.tokens.refreshDue(), { refreshed: 0, failed: 0 });
        assert.deepEqual(await b.tokens.refreshDue(), { refreshed: 0, failed: 0 });
        assert.equal(wechat.calls.length, 60);
      }));

    it('a claim of an instance that died is taken over after its lease, once', () =>
      withFleet(kind, 10, async ({ db, b, clock, wechat, appids }) => {
        clock.advance(LIFETIME_S * 1000 - AHEAD_MS);
        // An instance claims every due row and dies before refreshing any.
        const now = clock.now();
        const claimed = await createTokenQueries(db).claimDue(
          new Date(now),
          new Date(now + CLAIM_LEASE_MS),
          100,
        );
        assert.equal(claimed.length, 10);
        assert.deepEqual(await b.tokens.refreshDue(), { refreshed: 0, failed: 0 });
        assert.equal(wechat.calls.length, 0);
        clock.advance(CLAIM_LEASE_MS + 1);
        assert.deepEqual(await b.tokens.refreshDue(), { refreshed: 10, failed: 0 });
        for (const appid of appids) assert.equal(wechat.count(appid), 1);
      }));

    it('backs off after failures (30 s, then 60 s, with jitter) and resumes the schedule', () =>
      withFleet(kind, 1, async ({ db, a, clock, wechat, appids }) => {
        const appid = appids[0] as string;
        wechat.errors.set(appid, 61004); // caller IP not in the whitelist
        clock.advance(LIFETIME_S * 1000 - AHEAD_MS);
        assert.deepEqual(await a.tokens.refreshDue(), { refreshed: 0, failed: 1 });
        const first = ((await refreshAt(db, appid)) ?? 0) - clock.now();
        assert.ok(first >= 24_000 && first <= 36_000, `first retry in ${first} ms`);
        await a.tokens.refreshDue();
        assert.equal(wechat.count(appid), 1, 'no retry before the backoff');
        clock.advance(first + 1);
        assert.deepEqual(await a.tokens.refreshDue(), { refreshed: 0, failed: 1 });
        const second = ((await refreshAt(db, appid)) ?? 0) - clock.now();
        assert.ok(second >= 48_000 && second <= 72_000, `second retry in ${second} ms`);
        wechat.errors.delete(appid);
        clock.advance(second + 1);
        assert.deepEqual(await a.tokens.refreshDue(), { refreshed: 1, failed: 0 });
        const row = await createTokenQueries(db).findByKey(`authorizer:${appid}`);
        assert.equal(row?.failures, 0);
        assert.ok((row?.refresh_at?.getTime() ?? 0) > clock.now() + HOUR, 'next one in ~2 h');
        assert.equal(wechat.count(appid), 3);
        // Transient failures are told each time (two), spaced out by the backoff.
        assert.equal(a.hooks.failed.length, 2);
      }));

    it('failing authorizers do not hold back healthy ones', () =>
      withFleet(kind, 66, async ({ a, clock, wechat, appids }) => {
        // The 60 first authorized are older, so due first, and they all fail.
        const failing = appids.slice(0, 60);
        const healthy = appids.slice(60);
        for (const appid of failing) wechat.errors.set(appid, 61004);
        clock.advance(LIFETIME_S * 1000 - AHEAD_MS);
        const r = await a.tokens.refreshDue();
        assert.deepEqual(r, { refreshed: 6, failed: 60 });
        for (const appid of healthy) assert.equal(wechat.count(appid), 1);
        // The next rounds leave the failing ones alone until their backoff is over.
        clock.advance(20_000);
        assert.deepEqual(await a.tokens.refreshDue(), { refreshed: 0, failed: 0 });
        assert.equal(wechat.calls.length, 66);
      }));

    it('needs attention after 3 tries answering 61003: one webhook, refreshes stop, a manual refresh clears it', () =>
      withFleet(kind, 2, async ({ db, a, b, clock, wechat, appids }) => {
        const [gone, fine] = appids as [string, string];
        wechat.errors.set(gone, 61003);
        clock.advance(LIFETIME_S * 1000 - AHEAD_MS);
        await a.tokens.refreshDue();
        for (let i = 0; i < 2; i++) {
          clock.advance(31 * 60_000);
          await b.tokens.refreshDue();
        }
        assert.equal(wechat.count(gone), 3);
        const authorizers = createAuthorizerQueries(db);
        const row = await authorizers.findByAppid(gone);
        assert.equal(row?.needs_attention, true);
        assert.match(row?.attention_reason ?? '', /^61003/);
        assert.equal((await authorizers.findByAppid(fine))?.needs_attention, false);
        const told = [...a.hooks.failed, ...b.hooks.failed];
        assert.equal(told.length, 1, 'one webhook for the change of state');
        assert.equal(told[0]?.appid, gone);
        assert.match(told[0]?.error ?? '', /needs attention after 3 tries/);
        assert.equal(await authorizers.countNeedsAttention(), 1);
        assert.ok((await authorizers.history(gone)).some((h) => h.action === 'needs_attention'));

        // No more scheduled tries, and no more webhooks, hours later.
        for (let i = 0; i < 4; i++) {
          clock.advance(HOUR);
          await a.tokens.refreshDue();
          await b.tokens.refreshDue();
        }
        assert.equal(wechat.count(gone), 3);
        assert.equal(a.hooks.failed.length + b.hooks.failed.length, 1);
        // Its expired token is not fetched on demand either (no WeChat call).
        await assert.rejects(a.tokens.getAuthorizerToken(gone), /needs attention/);
        assert.equal(wechat.count(gone), 3);

        // A manual refresh that succeeds clears it: one token.refreshed, schedule resumed.
        wechat.errors.delete(gone);
        const refreshedBefore = a.hooks.refreshed.filter((x) => x === gone).length;
        await a.tokens.forceRefresh('authorizer', gone);
        assert.equal((await authorizers.findByAppid(gone))?.needs_attention, false);
        assert.equal(a.hooks.refreshed.filter((x) => x === gone).length, refreshedBefore + 1);
        assert.ok((await authorizers.history(gone)).some((h) => h.action === 'attention_cleared'));
        assert.equal(await authorizers.countNeedsAttention(), 0);
        clock.advance(2 * HOUR);
        await a.tokens.refreshDue();
        assert.equal(wechat.count(gone), 5);
      }));

    it('a failed manual refresh keeps needs_attention; a new authorization clears it', () =>
      withFleet(kind, 1, async ({ db, a, clock, wechat, appids }) => {
        const appid = appids[0] as string;
        wechat.errors.set(appid, 61023);
        clock.advance(LIFETIME_S * 1000 - AHEAD_MS);
        for (let i = 0; i < 3; i++) {
          await a.tokens.refreshDue();
          clock.advance(31 * 60_000);
        }
        const authorizers = createAuthorizerQueries(db);
        assert.equal((await authorizers.findByAppid(appid))?.needs_attention, true);
        assert.equal(a.hooks.failed.length, 1, 'one webhook for the change of state');
        // A failed manual refresh is told (the operator asked for it) and changes nothing.
        await assert.rejects(a.tokens.forceRefresh('authorizer', appid), /61023/);
        assert.equal((await authorizers.findByAppid(appid))?.needs_attention, true);
        assert.equal(a.hooks.failed.length, 2);
        assert.match(a.hooks.failed[1]?.error ?? '', /61023/);

        await a.tokens.saveAuthorization({
          authorizer_appid: appid,
          authorizer_access_token: 'ATOKEN_AGAIN',
          expires_in: LIFETIME_S,
          authorizer_refresh_token: 'refreshtoken@@@again',
        });
        assert.equal((await authorizers.findByAppid(appid))?.needs_attention, false);
        assert.equal((await a.tokens.getAuthorizerToken(appid)).access_token, 'ATOKEN_AGAIN');
      }));

    it('gone answers fewer than 3 times in a row do not need attention nor send a webhook', () =>
      withFleet(kind, 1, async ({ db, a, clock, wechat, appids }) => {
        const appid = appids[0] as string;
        wechat.errors.set(appid, 61003);
        clock.advance(LIFETIME_S * 1000 - AHEAD_MS);
        await a.tokens.refreshDue();
        clock.advance(31 * 60_000);
        await a.tokens.refreshDue();
        wechat.errors.delete(appid);
        clock.advance(31 * 60_000);
        assert.deepEqual(await a.tokens.refreshDue(), { refreshed: 1, failed: 0 });
        assert.equal(
          (await createAuthorizerQueries(db).findByAppid(appid))?.needs_attention,
          false,
        );
        assert.equal(a.hooks.failed.length, 0);
      }));
  });
}
