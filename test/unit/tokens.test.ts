import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { createSealer, type Sealer } from '../../src/crypto/seal.ts';
import type { Db } from '../../src/store/db.ts';
import { createAuthorizerQueries } from '../../src/store/queries/authorizers.ts';
import { createTokenService, type TokenService } from '../../src/tokens/token-service.ts';
import { createWechatClient, type TokenSource, type Transport } from '../../src/wechat/client.ts';
import { WechatApiError } from '../../src/wechat/errors.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';

/**
 * The token service on both databases, wired to the WeChat client the way src/app/create.ts does
 * it, with a fake WeChat behind the transport, a manual clock and a sealer with a random key.
 * Reference: ../shared/wechat/01 §2 (ticket, component token), §4.2 (authorizer token), §4.6.
 */

const BASE = 'https://api.example.invalid';
const COMPONENT = { appid: 'wx0123456789abcdef', appsecret: 'c0ffee0123456789c0ffee0123456789' };
const AUTHORIZER = 'wxa1b2c3d4e5f60718';
const OTHER_AUTHORIZER = 'wx1122334455667788';
const HOUR = 3600_000;
const REFRESH_AHEAD_MS = 10 * 60_000;

interface WechatCall {
  name: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** A scripted WeChat for the ticket/token endpoints. */
function fakeWechat() {
  const calls: WechatCall[] = [];
  const state = {
    delayMs: 0,
    componentTokens: 0,
    authorizerTokens: 0,
    /** errcode to answer for a given ticket. */
    refusedTickets: new Map<string, number>(),
    /** errcode to answer to every api_component_token / api_authorizer_token call. */
    componentError: undefined as number | undefined,
    authorizerError: undefined as number | undefined,
    /** Refresh token to hand out with the next authorizer token (rotation). */
    rotateTo: undefined as string | undefined,
    /** Tokens WeChat no longer accepts (answers 40001). */
    staleTokens: new Set<string>(),
    /** When set, every answer waits for this promise. */
    gate: undefined as Promise<void> | undefined,
  };
  const answer = (call: WechatCall): Record<string, unknown> => {
    const b = call.body;
    switch (call.name) {
      case 'api_component_token': {
        const refused = state.refusedTickets.get(String(b['component_verify_ticket']));
        if (refused) return { errcode: refused, errmsg: `ticket refused (${refused})` };
        if (state.componentError) return { errcode: state.componentError, errmsg: 'refused' };
        return { component_access_token: `CTOKEN_${++state.componentTokens}`, expires_in: 7200 };
      }
      case 'api_authorizer_token': {
        if (state.authorizerError) return { errcode: state.authorizerError, errmsg: 'refused' };
        const rotated = state.rotateTo;
        state.rotateTo = undefined;
        return {
          authorizer_access_token: `ATOKEN_${++state.authorizerTokens}`,
          expires_in: 7200,
          authorizer_refresh_token: rotated ?? b['authorizer_refresh_token'],
        };
      }
      case 'api_create_preauthcode': {
        const token = call.query.get('component_access_token') ?? '';
        if (state.staleTokens.has(token)) return { errcode: 40001, errmsg: 'invalid credential' };
        return { pre_auth_code: `preauthcode@@@for-${token}`, expires_in: 600 };
      }
      default:
        return { errcode: 48001, errmsg: `api unauthorized: ${call.name}` };
    }
  };
  const transport: Transport = async (url, init) => {
    const u = new URL(url);
    const call: WechatCall = {
      name: u.pathname.split('/').pop() ?? '',
      query: u.searchParams,
      body: init.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {},
    };
    calls.push(call);
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.gate) await state.gate;
    const text = JSON.stringify(answer(call));
    return { status: 200, text: async () => text };
  };
  const count = (name: string) => calls.filter((c) => c.name === name).length;
  const bodies = (name: string) => calls.filter((c) => c.name === name).map((c) => c.body);
  return { transport, calls, state, count, bodies };
}

type FakeWechat = ReturnType<typeof fakeWechat>;

/** One openwx process: a WeChat client and a token service, wired as src/app/create.ts does. */
function openwxProcess(
  db: Db,
  wechat: FakeWechat,
  clock: ManualClock,
  sealer: Sealer,
  holderId?: string,
) {
  // The client needs the token source and the token service needs the client: the source is
  // looked up lazily, as in src/app/create.ts.
  const lazy: { source?: TokenSource } = {};
  const client = createWechatClient({
    baseUrl: BASE,
    transport: wechat.transport,
    tokens: {
      getToken: (kind, appid) => (lazy.source as TokenSource).getToken(kind, appid),
      invalidate: (kind, token, appid) =>
        (lazy.source as TokenSource).invalidate(kind, token, appid),
    },
    sleep: async () => {},
  });
  const tokens = createTokenService({
    db,
    sealer,
    client,
    clock,
    component: COMPONENT,
    refreshAheadMs: REFRESH_AHEAD_MS,
    ...(holderId ? { holderId } : {}),
  });
  lazy.source = tokens.source;
  return { client, tokens };
}

function setup(db: Db) {
  const clock = new ManualClock();
  const wechat = fakeWechat();
  const sealer = createSealer(randomBytes(32));
  const { client, tokens } = openwxProcess(db, wechat, clock, sealer);
  const saveTicket = (ticket: string, service: TokenService = tokens) =>
    db.transaction((tx) => service.saveTicket(tx, ticket, new Date(clock.now())));
  return { clock, wechat, sealer, client, tokens, saveTicket };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('expected a failure');
}

async function tokenRow(db: Db, key: string) {
  const res = await db.query<Record<string, unknown>>('SELECT * FROM tokens WHERE key = $1', [key]);
  return res.rows[0];
}

const authorization = (appid: string, accessToken: string, refreshToken: string) => ({
  authorizer_appid: appid,
  authorizer_access_token: accessToken,
  expires_in: 7200,
  authorizer_refresh_token: refreshToken,
  func_info: [{ funcscope_category: { id: 17 } }, { funcscope_category: { id: 18 } }],
});

for (const kind of DB_KINDS) {
  describe(`token service on ${kind}: component_access_token`, () => {
    it('without a ticket fails with a clear error and calls nobody', () =>
      withDb(kind, async (db) => {
        const { tokens, wechat } = setup(db);
        const err = await failure(tokens.getComponentToken());
        assert.match(err.message, /component_verify_ticket/);
        assert.match(err.message, /authorization event URL/);
        assert.equal(wechat.calls.length, 0);
      }));

    it('fetches the token once with the ticket, then serves it from the store', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, sealer, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@FIRST');
        const t = await tokens.getComponentToken();
        assert.equal(t.access_token, 'CTOKEN_1');
        assert.equal(t.expires_at, new Date(clock.now() + 7200_000).toISOString());
        assert.deepEqual(wechat.bodies('api_component_token'), [
          {
            component_appid: COMPONENT.appid,
            component_appsecret: COMPONENT.appsecret,
            component_verify_ticket: 'ticket@@@FIRST',
          },
        ]);
        clock.advance(HOUR);
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_1');
        // Another process on the same database (empty memory) reads it from the store.
        const other = openwxProcess(db, wechat, clock, sealer).tokens;
        assert.equal((await other.getComponentToken()).access_token, 'CTOKEN_1');
        assert.equal(wechat.count('api_component_token'), 1);
      }));

    it('stores the ticket and the tokens sealed, never in clear', () =>
      withDb(kind, async (db) => {
        const { wechat, tokens, saveTicket, clock } = setup(db);
        await saveTicket('ticket@@@SECRET_TICKET');
        await tokens.getComponentToken();
        await tokens.saveAuthorization(
          authorization(AUTHORIZER, 'ATOKEN_GIVEN', 'refreshtoken@@@R1'),
        );
        const dump = JSON.stringify([
          (await db.query('SELECT * FROM tickets')).rows,
          (await db.query('SELECT * FROM tokens')).rows,
          (await db.query('SELECT * FROM authorizers')).rows,
        ]);
        for (const secret of [
          'SECRET_TICKET',
          'CTOKEN_1',
          'ATOKEN_GIVEN',
          'refreshtoken@@@R1',
          'R1"',
        ]) {
          assert.ok(!dump.includes(secret), `${secret} is stored in clear`);
        }
        assert.ok(dump.includes(COMPONENT.appid) && dump.includes(AUTHORIZER));
        // A process with another master key cannot use what is stored.
        const stranger = openwxProcess(db, wechat, clock, createSealer(randomBytes(32))).tokens;
        await assert.rejects(stranger.getComponentToken());
      }));

    it('three processes, 300 concurrent callers: exactly one api_component_token call', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, sealer, saveTicket } = setup(db);
        wechat.state.delayMs = 50;
        const processes = ['holder-1', 'holder-2', 'holder-3'].map(
          (id) => openwxProcess(db, wechat, clock, sealer, id).tokens,
        );
        await saveTicket('ticket@@@T', processes[0]);
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) => processes[i % 3]!.getComponentToken()),
        );
        assert.equal(wechat.count('api_component_token'), 1);
        assert.deepEqual(new Set(results.map((r) => r.access_token)), new Set(['CTOKEN_1']));
        assert.equal(new Set(results.map((r) => r.expires_at)).size, 1);
        assert.equal(
          (await db.query('SELECT * FROM locks')).rows.length,
          0,
          'the lease is released',
        );
      }));

    it('a process that gets the lease just after another one refreshed uses that token', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, sealer, saveTicket } = setup(db);
        // Process B has looked for a token (none yet) and is about to take the lease; it is held
        // there until process A has fetched, saved and released.
        let bAtLease: () => void = () => {};
        const bReachedLease = new Promise<void>((r) => (bAtLease = r));
        let aFinished: () => void = () => {};
        const aDone = new Promise<void>((r) => (aFinished = r));
        const dbOfB: Db = {
          ...db,
          query: async <T>(sql: string, params?: readonly unknown[]) => {
            if (sql.trimStart().startsWith('INSERT INTO locks')) {
              bAtLease();
              await aDone;
            }
            return db.query<T>(sql, params);
          },
        };
        const a = openwxProcess(db, wechat, clock, sealer, 'holder-a').tokens;
        const b = openwxProcess(dbOfB, wechat, clock, sealer, 'holder-b').tokens;
        await saveTicket('ticket@@@T', a);
        wechat.state.gate = bReachedLease;
        const fromB = b.getComponentToken();
        const fromA = await a.getComponentToken();
        aFinished();
        assert.equal(fromA.access_token, 'CTOKEN_1');
        assert.equal((await fromB).access_token, 'CTOKEN_1');
        assert.equal(wechat.count('api_component_token'), 1);
      }));

    it('fetches one new token once the stored one has expired', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_1');
        clock.advance(7200_000 + 1);
        const after = await Promise.all([1, 2, 3, 4, 5].map(() => tokens.getComponentToken()));
        assert.deepEqual(new Set(after.map((t) => t.access_token)), new Set(['CTOKEN_2']));
        assert.equal(wechat.count('api_component_token'), 2);
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_2');
        assert.equal(wechat.count('api_component_token'), 2);
      }));

    it('does not use a ticket older than 12 hours', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@OLD');
        clock.advance(12 * HOUR + 1000);
        const err = await failure(tokens.getComponentToken());
        assert.match(err.message, /component_verify_ticket/);
        assert.match(err.message, /12 hours/);
        assert.equal(wechat.count('api_component_token'), 0);
        // A newer push makes it work again.
        await saveTicket('ticket@@@NEW');
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_1');
        assert.equal(
          wechat.bodies('api_component_token')[0]?.['component_verify_ticket'],
          'ticket@@@NEW',
        );
      }));

    it('uses a ticket up to its 12 hours', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@ALMOST');
        clock.advance(12 * HOUR - 1000);
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_1');
        assert.equal(wechat.count('api_component_token'), 1);
      }));

    it('falls back to the previous ticket when WeChat answers 61006 for the newest', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@PREVIOUS');
        clock.advance(10 * 60_000);
        await saveTicket('ticket@@@NEWEST');
        wechat.state.refusedTickets.set('ticket@@@NEWEST', 61006);
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_1');
        assert.deepEqual(
          wechat.bodies('api_component_token').map((b) => b['component_verify_ticket']),
          ['ticket@@@NEWEST', 'ticket@@@PREVIOUS'],
        );
      }));

    it('reports the WeChat error when every ticket is refused', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@A');
        clock.advance(60_000);
        await saveTicket('ticket@@@B');
        wechat.state.refusedTickets.set('ticket@@@A', 61005);
        wechat.state.refusedTickets.set('ticket@@@B', 61006);
        const err = await failure(tokens.getComponentToken());
        assert.ok(err instanceof WechatApiError);
        assert.ok([61005, 61006].includes(err.errcode));
        assert.equal(wechat.count('api_component_token'), 2);
      }));

    it('a failed refresh records last_error and stores nothing else', () =>
      withDb(kind, async (db) => {
        const { wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        wechat.state.componentError = 61004;
        const err = await failure(tokens.getComponentToken());
        assert.ok(err instanceof WechatApiError);
        assert.equal(err.errcode, 61004);
        const rows = (await db.query<Record<string, unknown>>('SELECT * FROM tokens')).rows;
        assert.equal(rows.length, 1);
        const row = rows[0]!;
        assert.equal(row['key'], 'component');
        assert.match(String(row['last_error']), /61004/);
        assert.equal(row['failures'], 1);
        assert.equal(row['token_sealed'], null);
        assert.equal(row['expires_at'], null);
        assert.equal((await db.query('SELECT * FROM locks')).rows.length, 0);
        assert.equal((await db.query('SELECT * FROM tickets')).rows.length, 1);
        // A second failure counts; a success clears the count.
        await failure(tokens.getComponentToken());
        assert.equal((await tokenRow(db, 'component'))?.['failures'], 2);
        wechat.state.componentError = undefined;
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_1');
        assert.equal((await tokenRow(db, 'component'))?.['failures'], 0);
      }));
  });

  describe(`token service on ${kind}: invalidation and refresh-ahead`, () => {
    it('invalidate() of an older token does nothing; of the current token forces a refresh', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_1');
        clock.advance(7200_000 + 1);
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_2');

        await tokens.invalidate('component', 'CTOKEN_1');
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_2');
        assert.equal(wechat.count('api_component_token'), 2, 'an old token changes nothing');

        await tokens.invalidate('component', 'CTOKEN_2');
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_3');
        assert.equal(wechat.count('api_component_token'), 3);
      }));

    it('a stale-token answer through the client refreshes once and retries with the new token', () =>
      withDb(kind, async (db) => {
        const { wechat, client, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        await tokens.getComponentToken();
        wechat.state.staleTokens.add('CTOKEN_1');
        const res = await client.call('api_create_preauthcode', {
          component_appid: COMPONENT.appid,
        });
        assert.equal(res.pre_auth_code, 'preauthcode@@@for-CTOKEN_2');
        assert.equal(wechat.count('api_component_token'), 2);
        assert.equal(wechat.count('api_create_preauthcode'), 2);
      }));

    it('stale-token answers replace a token at most once a minute, across instances; later ones reach the caller', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, sealer, client, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        await tokens.getComponentToken();
        await tokens.saveAuthorization(authorization(AUTHORIZER, 'ATOKEN_A0', 'refreshtoken@@@RA'));
        const preauth = (c: typeof client) =>
          c.call('api_create_preauthcode', { component_appid: COMPONENT.appid });
        const stale = async (p: Promise<unknown>) => {
          const err = await failure(p);
          assert.ok(err instanceof WechatApiError, String(err));
          assert.equal(err.errcode, 40001, 'the stale answer reaches the caller as it is');
        };

        // WeChat calls every token stale (a caller hammering a path that answers 40001).
        wechat.state.staleTokens.add('CTOKEN_1');
        wechat.state.staleTokens.add('CTOKEN_2');
        wechat.state.staleTokens.add('CTOKEN_3');
        await stale(preauth(client));
        assert.equal(wechat.count('api_component_token'), 2, 'the first stale answer refreshes');
        for (let i = 0; i < 5; i++) await stale(preauth(client));
        const other = openwxProcess(db, wechat, clock, sealer);
        await stale(preauth(other.client));
        clock.advance(59_000);
        await stale(preauth(client));
        await stale(preauth(other.client));
        assert.equal(
          wechat.count('api_component_token'),
          2,
          'no further refresh within the minute, in this process or another',
        );
        assert.equal((await tokens.getComponentToken()).access_token, 'CTOKEN_2');

        // The limit is per token: the authorizer's token is still replaced on its first stale answer.
        assert.equal(await tokens.invalidateStale('authorizer', 'ATOKEN_A0', AUTHORIZER), true);
        assert.equal((await tokens.getAuthorizerToken(AUTHORIZER)).access_token, 'ATOKEN_1');
        assert.equal(await tokens.invalidateStale('authorizer', 'ATOKEN_1', AUTHORIZER), false);
        assert.equal((await tokens.getAuthorizerToken(AUTHORIZER)).access_token, 'ATOKEN_1');

        // A minute after the refresh, the next stale answer refreshes again (once).
        clock.advance(1_001);
        await stale(preauth(other.client));
        assert.equal(wechat.count('api_component_token'), 3);
        await stale(preauth(client));
        assert.equal(wechat.count('api_component_token'), 3);
        wechat.state.staleTokens.clear();
        assert.equal((await preauth(client)).pre_auth_code, 'preauthcode@@@for-CTOKEN_3');
      }));

    it('refreshDue refreshes the tokens inside the refresh-ahead window and no others', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        await tokens.getComponentToken(); // expires at t0 + 2 h
        await tokens.saveAuthorization(authorization(AUTHORIZER, 'ATOKEN_A0', 'refreshtoken@@@RA'));
        clock.advance(HOUR);
        await tokens.saveAuthorization(
          authorization(OTHER_AUTHORIZER, 'ATOKEN_B0', 'refreshtoken@@@RB'),
        ); // expires at t0 + 3 h
        clock.advance(HOUR - 5 * 60_000); // t0 + 1 h 55 min: the first two are due

        assert.deepEqual(await tokens.refreshDue(), { refreshed: 2, failed: 0 });
        assert.equal(wechat.count('api_component_token'), 2);
        assert.deepEqual(
          wechat.bodies('api_authorizer_token').map((b) => b['authorizer_appid']),
          [AUTHORIZER],
        );
        assert.equal((await tokens.getAuthorizerToken(AUTHORIZER)).access_token, 'ATOKEN_1');
        assert.equal((await tokens.getAuthorizerToken(OTHER_AUTHORIZER)).access_token, 'ATOKEN_B0');

        // Nothing is due any more.
        assert.deepEqual(await tokens.refreshDue(), { refreshed: 0, failed: 0 });
        assert.equal(wechat.calls.length, 3);
      }));

    it('refreshDue does not refresh a revoked authorizer', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        await tokens.saveAuthorization(authorization(AUTHORIZER, 'ATOKEN_A0', 'refreshtoken@@@RA'));
        await createAuthorizerQueries(db).markRevoked(AUTHORIZER, new Date(clock.now()));
        clock.advance(2 * HOUR);
        await tokens.refreshDue();
        assert.equal(wechat.count('api_authorizer_token'), 0);
      }));
  });

  describe(`token service on ${kind}: authorizer tokens`, () => {
    it('saveAuthorization stores the authorizer and its token', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens } = setup(db);
        await tokens.saveAuthorization(
          authorization(AUTHORIZER, 'ATOKEN_GIVEN', 'refreshtoken@@@R1'),
        );
        const t = await tokens.getAuthorizerToken(AUTHORIZER);
        assert.equal(t.access_token, 'ATOKEN_GIVEN');
        assert.equal(t.expires_at, new Date(clock.now() + 7200_000).toISOString());
        assert.equal(wechat.calls.length, 0);
        const row = await createAuthorizerQueries(db).findByAppid(AUTHORIZER);
        assert.equal(row?.status, 'authorized');
        assert.deepEqual(row?.func_info, [17, 18]);
        assert.ok(row?.refresh_token_sealed);
        const stored = await tokenRow(db, `authorizer:${AUTHORIZER}`);
        assert.equal(stored?.['kind'], 'authorizer');
        assert.equal(stored?.['appid'], AUTHORIZER);
      }));

    it('after expiry calls api_authorizer_token once and keeps a rotated refresh token', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        await tokens.saveAuthorization(
          authorization(AUTHORIZER, 'ATOKEN_GIVEN', 'refreshtoken@@@R1'),
        );
        clock.advance(7200_000 + 1);
        wechat.state.rotateTo = 'refreshtoken@@@R2';
        const got = await Promise.all([1, 2, 3].map(() => tokens.getAuthorizerToken(AUTHORIZER)));
        assert.deepEqual(new Set(got.map((t) => t.access_token)), new Set(['ATOKEN_1']));
        assert.equal(wechat.count('api_authorizer_token'), 1);
        const first = wechat.bodies('api_authorizer_token')[0]!;
        assert.deepEqual(first, {
          component_appid: COMPONENT.appid,
          authorizer_appid: AUTHORIZER,
          authorizer_refresh_token: 'refreshtoken@@@R1',
        });
        const refresh = wechat.calls.find((c) => c.name === 'api_authorizer_token')!;
        assert.equal(refresh.query.get('component_access_token'), 'CTOKEN_1');

        clock.advance(7200_000 + 1);
        assert.equal((await tokens.getAuthorizerToken(AUTHORIZER)).access_token, 'ATOKEN_2');
        assert.equal(
          wechat.bodies('api_authorizer_token')[1]?.['authorizer_refresh_token'],
          'refreshtoken@@@R2',
          'the next refresh sends the rotated refresh token',
        );
      }));

    it('a failed authorizer refresh records last_error and keeps the refresh token', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        await tokens.saveAuthorization(
          authorization(AUTHORIZER, 'ATOKEN_GIVEN', 'refreshtoken@@@R1'),
        );
        const before = (await createAuthorizerQueries(db).findByAppid(AUTHORIZER))
          ?.refresh_token_sealed;
        clock.advance(7200_000 + 1);
        wechat.state.authorizerError = 61023;
        const err = await failure(tokens.getAuthorizerToken(AUTHORIZER));
        assert.ok(err instanceof WechatApiError);
        assert.equal(err.errcode, 61023);
        const row = await tokenRow(db, `authorizer:${AUTHORIZER}`);
        assert.match(String(row?.['last_error']), /61023/);
        assert.equal(row?.['failures'], 1);
        const after = (await createAuthorizerQueries(db).findByAppid(AUTHORIZER))
          ?.refresh_token_sealed;
        assert.equal(after, before);
        wechat.state.authorizerError = undefined;
        await tokens.getAuthorizerToken(AUTHORIZER);
        assert.equal(
          wechat.bodies('api_authorizer_token')[1]?.['authorizer_refresh_token'],
          'refreshtoken@@@R1',
        );
      }));

    it('a revoked authorizer gets an error and causes no WeChat call', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, tokens, saveTicket } = setup(db);
        await saveTicket('ticket@@@T');
        await tokens.saveAuthorization(
          authorization(AUTHORIZER, 'ATOKEN_GIVEN', 'refreshtoken@@@R1'),
        );
        await createAuthorizerQueries(db).markRevoked(AUTHORIZER, new Date(clock.now()));
        clock.advance(7200_000 + 1);
        const err = await failure(tokens.getAuthorizerToken(AUTHORIZER));
        assert.match(err.message, /revoked/);
        const unknown = await failure(tokens.getAuthorizerToken('wx9999999999999999'));
        assert.match(unknown.message, /not known/);
        assert.equal(wechat.calls.length, 0);
      }));

    it('a revoked authorizer gets no token even while its stored token is unexpired', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, client, tokens } = setup(db);
        await tokens.saveAuthorization(
          authorization(AUTHORIZER, 'ATOKEN_GIVEN', 'refreshtoken@@@R1'),
        );
        await createAuthorizerQueries(db).markRevoked(AUTHORIZER, new Date(clock.now()));
        await assert.rejects(tokens.getAuthorizerToken(AUTHORIZER), /revoked/);
        await assert.rejects(
          client.call(
            'get_authorizer_option',
            { option_name: 'voice_recognize' },
            { appid: AUTHORIZER },
          ),
          /revoked/,
        );
        assert.equal(wechat.calls.length, 0);
      }));

    it('asking for the token of an unknown authorizer stores nothing', () =>
      withDb(kind, async (db) => {
        const { wechat, tokens } = setup(db);
        await assert.rejects(tokens.getAuthorizerToken('wx9999999999999999'), /not known/);
        await assert.rejects(tokens.getAuthorizerToken(''), /not known/);
        assert.equal(wechat.calls.length, 0);
        assert.deepEqual((await db.query('SELECT key FROM tokens')).rows, []);
      }));

    it('a revoked authorizer gets no token from a process that had it in memory', () =>
      withDb(kind, async (db) => {
        const { clock, wechat, client, tokens } = setup(db);
        await tokens.saveAuthorization(
          authorization(AUTHORIZER, 'ATOKEN_GIVEN', 'refreshtoken@@@R1'),
        );
        // This process uses the token once (and keeps it in memory)...
        assert.equal((await tokens.getAuthorizerToken(AUTHORIZER)).access_token, 'ATOKEN_GIVEN');
        // ...then the unauthorized push is handled (here, or by another instance).
        await createAuthorizerQueries(db).markRevoked(AUTHORIZER, new Date(clock.now()));
        await assert.rejects(tokens.getAuthorizerToken(AUTHORIZER), /revoked/);
        await assert.rejects(
          client.call(
            'get_authorizer_option',
            { option_name: 'voice_recognize' },
            { appid: AUTHORIZER },
          ),
          /revoked/,
        );
        assert.equal(wechat.calls.length, 0);
      }));
  });
}
