import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { advance, COMPONENT, createHarness, type Harness } from './harness.ts';

const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

describe('emulator: ticket and component_access_token', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  const tokenRequest = (ticket: unknown, secret: string = COMPONENT.appsecret) => ({
    component_appid: COMPONENT.appid,
    component_appsecret: secret,
    component_verify_ticket: ticket,
  });

  it('issues a token for a pushed ticket and accepts it in either query parameter', async () => {
    const token = await h.componentToken();
    assert.match(token, /^\d{2}_[A-Za-z0-9]+$/);
    const viaLegacy = await h.api(
      'api_create_preauthcode',
      { component_appid: COMPONENT.appid },
      token,
      'component_access_token',
    );
    assert.match(String(viaLegacy['pre_auth_code']), /^preauthcode@@@/);
    assert.equal(viaLegacy['expires_in'], 600);
    const viaCurrent = await h.api(
      'api_create_preauthcode',
      { component_appid: COMPONENT.appid },
      token,
      'access_token',
    );
    assert.match(String(viaCurrent['pre_auth_code']), /^preauthcode@@@/);
  });

  it('answers 61006 for a ticket never pushed and 61005 once it is older than 12 h', async () => {
    const never = await h.api('api_component_token', tokenRequest('ticket@@@never-pushed'));
    assert.equal(never['errcode'], 61006);
    assert.match(String(never['errmsg']), RID);
    await h.emulator.pushTicket();
    const ticket = h.emulator.state.currentTicket;
    assert.match(String(ticket), /^ticket@@@/);
    await advance(h, 12 * 3600 - 1);
    const fresh = await h.api('api_component_token', tokenRequest(ticket));
    assert.equal(typeof fresh['component_access_token'], 'string');
    await advance(h, 1);
    const expired = await h.api('api_component_token', tokenRequest(ticket));
    assert.equal(expired['errcode'], 61005);
  });

  it('answers 40125 for a wrong secret, 41004 without one, 61011 for another component', async () => {
    await h.emulator.pushTicket();
    const ticket = h.emulator.state.currentTicket;
    assert.equal(
      (await h.api('api_component_token', tokenRequest(ticket, 'wrong')))['errcode'],
      40125,
    );
    const noSecret = { component_appid: COMPONENT.appid, component_verify_ticket: ticket };
    assert.equal((await h.api('api_component_token', noSecret))['errcode'], 41004);
    const other = { ...tokenRequest(ticket), component_appid: 'wx0000000000000000' };
    assert.equal((await h.api('api_component_token', other))['errcode'], 61011);
  });

  it('answers 47001 for a body that is not JSON or lacks fields', async () => {
    assert.equal((await h.api('api_component_token', '{not json'))['errcode'], 47001);
    const token = await h.componentToken();
    assert.equal((await h.api('api_create_preauthcode', {}, token))['errcode'], 47001);
  });

  it('answers 41001 without a token and 40001 for an unknown one', async () => {
    const body = { component_appid: COMPONENT.appid };
    assert.equal((await h.api('api_create_preauthcode', body))['errcode'], 41001);
    assert.equal((await h.api('api_create_preauthcode', body, '00_unknown'))['errcode'], 40001);
  });

  it('expires a token after expires_in (42001)', async () => {
    const token = await h.componentToken();
    const body = { component_appid: COMPONENT.appid };
    await advance(h, 7199);
    assert.equal(
      typeof (await h.api('api_create_preauthcode', body, token))['pre_auth_code'],
      'string',
    );
    await advance(h, 1);
    const res = await h.api('api_create_preauthcode', body, token);
    assert.equal(res['errcode'], 42001);
    assert.match(String(res['errmsg']), /^access_token expired rid: /);
  });

  it('keeps the previous token working for 300 s after a newer one', async () => {
    const first = await h.componentToken();
    const second = await h.componentToken();
    assert.notEqual(first, second);
    const body = { component_appid: COMPONENT.appid };
    await advance(h, 299);
    assert.equal(
      typeof (await h.api('api_create_preauthcode', body, first))['pre_auth_code'],
      'string',
    );
    await advance(h, 1);
    assert.equal((await h.api('api_create_preauthcode', body, first))['errcode'], 40001);
    assert.equal(
      typeof (await h.api('api_create_preauthcode', body, second))['pre_auth_code'],
      'string',
    );
  });

  it('honours tokenTtlSeconds', async () => {
    await h.close();
    h = await createHarness({ tokenTtlSeconds: 60 });
    await h.emulator.pushTicket();
    const res = await h.api('api_component_token', tokenRequest(h.emulator.state.currentTicket));
    assert.equal(res['expires_in'], 60);
    await advance(h, 60);
    const later = await h.api(
      'api_create_preauthcode',
      { component_appid: COMPONENT.appid },
      String(res['component_access_token']),
    );
    assert.equal(later['errcode'], 42001);
  });

  it('api_start_push_ticket pushes a ticket at once and reports the push state', async () => {
    const body = { component_appid: COMPONENT.appid, component_secret: COMPONENT.appsecret };
    const normal = await h.api('api_start_push_ticket', body);
    assert.deepEqual(normal, { errcode: 0, errmsg: 'in a normal state' });
    await h.platform.waitFor(1);
    assert.equal(h.platform.last().xml['InfoType'], 'component_verify_ticket');

    h.platform.respond = () => new Response('nope', { status: 500 });
    await h.emulator.pushTicket();
    h.platform.respond = () => new Response('success');
    assert.deepEqual(await h.api('api_start_push_ticket', body), { errcode: 0, errmsg: 'ok' });
    const wrong = await h.api('api_start_push_ticket', {
      ...body,
      component_appid: 'wx0000000000000000',
    });
    assert.equal(wrong['errcode'], 40013);
  });
});
