import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { advance, COMPONENT, createHarness, type Harness } from './harness.ts';

/**
 * The fleet control routes for token benchmarks: accounts created as already authorized, the
 * lifetime of the tokens issued from then on, and when each authorizer's tokens were issued.
 */
type Authorization = {
  authorizer_appid: string;
  authorizer_access_token: string;
  authorizer_refresh_token: string;
  expires_in: number;
  issued_at: number;
};

describe('emulator: fleet of authorized accounts', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('creates N authorized accounts whose refresh tokens work with api_authorizer_token', async () => {
    const res = await h.control('POST', '/fleet/authorized', { count: 3 });
    assert.equal(res.status, 200);
    const list = res.json['authorizations'] as Authorization[];
    assert.equal(list.length, 3);
    assert.equal(new Set(list.map((a) => a.authorizer_appid)).size, 3);
    const auths = (await h.control('GET', '/authorizations')).json['authorizations'] as Array<{
      appid: string;
      status: string;
    }>;
    for (const a of list) {
      assert.equal(auths.find((x) => x.appid === a.authorizer_appid)?.status, 'authorized');
    }
    const first = list[0] as Authorization;
    // The first token works for an authorizer API call.
    assert.equal((await h.api('get_category', {}, first.authorizer_access_token))['errcode'], 0);
    const refreshed = await h.api(
      'api_authorizer_token',
      {
        component_appid: COMPONENT.appid,
        authorizer_appid: first.authorizer_appid,
        authorizer_refresh_token: first.authorizer_refresh_token,
      },
      await h.componentToken(),
    );
    assert.equal(typeof refreshed['authorizer_access_token'], 'string');
    assert.notEqual(refreshed['authorizer_access_token'], first.authorizer_access_token);

    const issued = (await h.control('GET', '/fleet/authorizer-tokens')).json['issued'] as Record<
      string,
      number[]
    >;
    assert.equal(issued[first.authorizer_appid]?.length, 2);
    assert.equal(issued[(list[1] as Authorization).authorizer_appid]?.length, 1);
  });

  it('spreads the first tokens over issued_over_seconds, the last one issued now', async () => {
    const res = await h.control('POST', '/fleet/authorized', {
      count: 4,
      issued_over_seconds: 400,
    });
    const list = res.json['authorizations'] as Authorization[];
    const times = list.map((a) => a.issued_at);
    assert.equal((times[3] as number) - (times[0] as number), 300);
    assert.ok(list.every((a) => a.expires_in === 7200));
  });

  it('a token lifetime set through the control API is the expires_in of later tokens', async () => {
    assert.equal((await h.control('GET', '/token-lifetime')).json['expires_in'], 7200);
    const set = await h.control('POST', '/token-lifetime', { expires_in: 120 });
    assert.deepEqual(set, { status: 200, json: { expires_in: 120 } });
    const [a] = (await h.control('POST', '/fleet/authorized', { count: 1 })).json[
      'authorizations'
    ] as Authorization[];
    assert.equal(a?.expires_in, 120);
    await advance(h, 121);
    // Past its lifetime the token is refused as expired.
    const res = await h.api('get_category', {}, a?.authorizer_access_token);
    assert.equal(res['errcode'], 42001);
  });

  it('ready_for_audit: each account has an approved category, a privacy guide and an ICP filing', async () => {
    const res = await h.control('POST', '/fleet/authorized', { count: 2, ready_for_audit: true });
    assert.equal(res.status, 200);
    for (const a of res.json['authorizations'] as Authorization[]) {
      const token = a.authorizer_access_token;
      const cats = await h.api('get_category', {}, token);
      assert.equal((cats['category_list'] as unknown[]).length, 1);
      const privacy = await h.api('getprivacysetting', { privacy_ver: 2 }, token);
      assert.ok((privacy['update_time'] as number) > 0);
      assert.equal((privacy['setting_list'] as unknown[]).length, 1);
      const icp = await h.api('get_icp_entrance_info', {}, token);
      assert.equal((icp['info'] as { status: number }).status, 6);
    }
    // The bulk merchants (authorizing the normal way) are filed too.
    const bulk = await h.control('POST', '/merchants/bulk', { count: 1, ready_for_audit: true });
    assert.equal(bulk.status, 200);
    // Without it, a fresh account has none of them.
    const [plain] = (await h.control('POST', '/fleet/authorized', { count: 1 })).json[
      'authorizations'
    ] as Authorization[];
    const none = await h.api('get_icp_entrance_info', {}, plain?.authorizer_access_token);
    assert.equal((none['info'] as { status: number }).status, 1024);
    const refused = await h.control('POST', '/fleet/authorized', {
      count: 1,
      type: 'officialaccount',
      ready_for_audit: true,
    });
    assert.equal(refused.status, 400);
    assert.match(String(refused.json['error']), /only mini programs are audited/);
  });

  it('refuses bad input with a 400 that names the field, and creates nothing', async () => {
    const before = ((await h.control('GET', '/merchants')).json['merchants'] as unknown[]).length;
    const cases: Array<[unknown, RegExp]> = [
      [{ count: 200_001 }, /count must be a whole number from 1 to 200000/],
      [{ count: 0 }, /count must be a whole number from 1 to 200000/],
      [{ count: 1.5 }, /count must be a whole number/],
      [{ count: '10' }, /count must be a whole number/],
      [{}, /count/],
      [{ count: 1, type: 'website' }, /type/],
      [{ count: 1, issued_over_seconds: 7200 }, /issued_over_seconds must be less than/],
      [{ count: 1, issued_over_seconds: 7201 }, /issued_over_seconds must be at most 7200/],
      [{ count: 1, extra: true }, /extra/],
      [{ count: 1, type: 'officialaccount', ready_for_audit: true }, /only mini programs/],
      ['{not json', /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await h.control('POST', '/fleet/authorized', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(String(res.json['error']), message, JSON.stringify(body));
    }
    for (const body of [{ expires_in: 29 }, { expires_in: 7201 }, { expires_in: 60.5 }, {}]) {
      const res = await h.control('POST', '/token-lifetime', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(String(res.json['error']), /expires_in must be a whole number of seconds/);
    }
    assert.equal((await h.control('GET', '/token-lifetime')).json['expires_in'], 7200);
    const after = ((await h.control('GET', '/merchants')).json['merchants'] as unknown[]).length;
    assert.equal(after, before);
  });
});
