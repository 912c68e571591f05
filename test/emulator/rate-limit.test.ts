import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock, OffsetClock } from '../../src/core/clock.ts';
import { advance, createHarness, type Harness } from './harness.ts';
import { addTemplate, commit, miniProgram, setup, type Setup } from './pipeline.ts';

const OFF = { calls_per_second: null, burst: null, available: null };

async function rateLimit(h: Harness): Promise<Record<string, unknown>> {
  const res = await h.control('GET', '/rate-limit');
  assert.equal(res.status, 200);
  return res.json;
}

async function trialVersion(h: Harness, appid: string): Promise<unknown> {
  const view = await h.control('GET', `/mini-programs/${appid}/code`);
  return (view.json['trial'] as Record<string, unknown> | null)?.['user_version'];
}

async function byAppid(h: Harness): Promise<Record<string, Record<string, number>>> {
  return (await h.control('GET', '/stats')).json['by_appid'] as Record<
    string,
    Record<string, number>
  >;
}

describe('emulator: call-rate limit (45011)', () => {
  let h: Harness;
  let s: Setup;
  beforeEach(async () => {
    // Real time stands still: only POST /control/clock refills the bucket.
    h = await createHarness({ clock: new OffsetClock(new ManualClock(Date.UTC(2026, 4, 1))) });
    s = await setup(h);
  });
  afterEach(() => h.close());

  it('is off by default', async () => {
    assert.deepEqual(await rateLimit(h), { ...OFF, refused: 0 });
    for (let i = 0; i < 30; i++) {
      assert.equal((await h.api('get_category', {}, s.token))['errcode'], 0);
    }
  });

  it('refuses the (R+1)-th call within a second without effect, and recovers', async () => {
    assert.equal((await commit(h, s, '1.0.0'))['errcode'], 0);
    const set = await h.control('POST', '/rate-limit', { calls_per_second: 2 });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.deepEqual(set.json, { calls_per_second: 2, burst: 2, available: 2, refused: 0 });

    assert.equal((await h.api('get_page', {}, s.token))['errcode'], 0);
    assert.equal((await h.api('get_category', {}, s.token))['errcode'], 0);
    const refused = await commit(h, s, '2.0.0');
    assert.equal(refused['errcode'], 45011);
    assert.match(String(refused['errmsg']), /api minute-quota reach limit/);
    assert.equal(await trialVersion(h, s.appid), '1.0.0');
    assert.equal((await byAppid(h))[s.appid]?.['/wxa/commit'], 1);
    // Calls with a component token are limited too; api_component_token (no token) is not.
    const component = await h.componentToken();
    const pre = await h.api('api_create_preauthcode', { component_appid: 'wx' }, component);
    assert.equal(pre['errcode'], 45011);
    assert.deepEqual(await rateLimit(h), {
      calls_per_second: 2,
      burst: 2,
      available: 0,
      refused: 2,
    });

    await advance(h, 0.5);
    assert.equal((await commit(h, s, '2.0.0'))['errcode'], 0);
    assert.equal((await h.api('get_page', {}, s.token))['errcode'], 45011);
    await advance(h, 1);
    assert.equal((await h.api('get_page', {}, s.token))['errcode'], 0);
    assert.equal(await trialVersion(h, s.appid), '2.0.0');
    assert.equal((await byAppid(h))[s.appid]?.['/wxa/commit'], 2);

    const off = await h.control('POST', '/rate-limit', { calls_per_second: null });
    assert.deepEqual(off.json, { ...OFF, refused: 3 });
    for (let i = 0; i < 5; i++) {
      assert.equal((await h.api('get_page', {}, s.token))['errcode'], 0);
    }
  });

  it('takes a burst and refills at the rate up to the burst', async () => {
    const set = await h.control('POST', '/rate-limit', { calls_per_second: 1, burst: 3 });
    assert.equal(set.json['burst'], 3);
    for (let i = 0; i < 3; i++) {
      assert.equal((await h.api('get_category', {}, s.token))['errcode'], 0);
    }
    assert.equal((await h.api('get_category', {}, s.token))['errcode'], 45011);
    await advance(h, 60);
    assert.equal((await rateLimit(h))['available'], 3);
    // A fraction of a call per second: the bucket holds at least one call.
    const slow = await h.control('POST', '/rate-limit', { calls_per_second: 0.5 });
    assert.equal(slow.json['burst'], 1);
    assert.equal((await h.api('get_category', {}, s.token))['errcode'], 0);
    assert.equal((await h.api('get_category', {}, s.token))['errcode'], 45011);
    await advance(h, 2);
    assert.equal((await h.api('get_category', {}, s.token))['errcode'], 0);
  });

  it('answers 400 to bad settings and keeps the current ones', async () => {
    await h.control('POST', '/rate-limit', { calls_per_second: 5 });
    const bad: Array<[unknown, RegExp]> = [
      [{ calls_per_second: -1 }, /calls_per_second must be a positive number or null/],
      [{ calls_per_second: 0 }, /calls_per_second must be a positive number or null/],
      [{ calls_per_second: 'fast' }, /calls_per_second must be a positive number or null/],
      [{}, /calls_per_second must be a positive number or null/],
      [{ calls_per_second: 2, burst: 0 }, /burst must be a whole number of calls, at least 1/],
      [{ calls_per_second: 2, burst: 1.5 }, /burst must be a whole number of calls, at least 1/],
      [{ calls_per_second: null, burst: 4 }, /burst needs calls_per_second/],
      [{ callsPerSecond: 2 }, /callsPerSecond/],
      ['{not json', /not valid JSON/],
    ];
    for (const [body, message] of bad) {
      const res = await h.control('POST', '/rate-limit', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(String(res.json['error']), message, JSON.stringify(body));
    }
    assert.deepEqual(await rateLimit(h), {
      calls_per_second: 5,
      burst: 5,
      available: 5,
      refused: 0,
    });
  });
});

describe('emulator: calls per authorizer', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('counts the successful calls per appid and path, and resets', async () => {
    const templateId = await addTemplate(h);
    const a = await miniProgram(h, templateId);
    const b = await miniProgram(h, templateId);
    await h.control('POST', '/stats/reset');

    assert.equal((await commit(h, a))['errcode'], 0);
    assert.equal((await commit(h, b, '1.0.0', '{not json'))['errcode'], 85048);
    assert.equal((await commit(h, b))['errcode'], 0);
    assert.equal((await h.api('get_page', {}, b.token))['errcode'], 0);
    assert.equal((await h.api('get_page', {}, b.token))['errcode'], 0);
    await h.control('POST', '/faults', { endpoint: 'commit', errcode: 45011 });
    assert.equal((await commit(h, a, '1.0.1'))['errcode'], 45011);
    assert.equal((await h.api('get_page', {}, 'not-a-token'))['errcode'], 40001);

    const stats = (await h.control('GET', '/stats')).json;
    assert.deepEqual(stats['by_appid'], {
      [a.appid]: { '/wxa/commit': 1 },
      [b.appid]: { '/wxa/commit': 1, '/wxa/get_page': 2 },
    });
    // `calls` counts every call, failed ones included.
    assert.equal((stats['calls'] as Record<string, number>)['/wxa/commit'], 4);

    await h.control('POST', '/stats/reset');
    assert.deepEqual(await byAppid(h), {});
  });
});
