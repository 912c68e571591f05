import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { advance, COMPONENT, createHarness, PREFIX, type Harness } from './harness.ts';

const REDIRECT = 'https://platform.example.invalid/authorized?state=abc';

describe('emulator: pre_auth_code and the authorization page', () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await createHarness();
    token = await h.componentToken();
  });
  afterEach(() => h.close());

  const preAuthCode = async (): Promise<string> => {
    const res = await h.api('api_create_preauthcode', { component_appid: COMPONENT.appid }, token);
    return String(res['pre_auth_code']);
  };

  const pageUrl = (code: string, extra: Record<string, string> = {}): string =>
    `${PREFIX}/cgi-bin/componentloginpage?${new URLSearchParams({
      component_appid: COMPONENT.appid,
      pre_auth_code: code,
      redirect_uri: REDIRECT,
      auth_type: '3',
      ...extra,
    }).toString()}`;

  it('lists the merchants allowed by auth_type and biz_appid', async () => {
    const oa = await h.control('POST', '/merchants', {
      type: 'officialaccount',
      nickname: '测试公众号 A',
    });
    const mp = await h.control('POST', '/merchants', {
      type: 'miniprogram',
      nickname: 'Test MP B',
    });
    assert.match(String(oa.json['appid']), /^wx[0-9a-f]{16}$/);
    assert.match(String(mp.json['user_name']), /^gh_[0-9a-f]{12}$/);
    const code = await preAuthCode();

    const both = await h.app.inject({ method: 'GET', url: pageUrl(code) });
    assert.equal(both.statusCode, 200);
    assert.match(String(both.headers['content-type']), /text\/html/);
    assert.ok(both.body.includes('测试公众号 A') && both.body.includes('Test MP B'));
    assert.ok(both.body.includes('action="componentloginpage/confirm"'));

    // Without auth_type the page shows both kinds, as WeChat documents.
    const noType = new URL(pageUrl(code), 'http://x');
    noType.searchParams.delete('auth_type');
    const unspecified = await h.app.inject({
      method: 'GET',
      url: `${noType.pathname}${noType.search}`,
    });
    assert.equal(unspecified.statusCode, 200, unspecified.body);
    assert.ok(unspecified.body.includes('测试公众号 A') && unspecified.body.includes('Test MP B'));
    const unknownType = await h.app.inject({
      method: 'GET',
      url: pageUrl(code, { auth_type: '7' }),
    });
    assert.equal(unknownType.statusCode, 400);

    const mpOnly = await h.app.inject({ method: 'GET', url: pageUrl(code, { auth_type: '2' }) });
    assert.ok(!mpOnly.body.includes('测试公众号 A') && mpOnly.body.includes('Test MP B'));

    const biz = await h.app.inject({
      method: 'GET',
      url: pageUrl(code, { auth_type: '2', biz_appid: String(oa.json['appid']) }),
    });
    assert.ok(biz.body.includes('测试公众号 A') && !biz.body.includes('Test MP B'));
  });

  it('confirm redirects with auth_code and expires_in and pushes authorized', async () => {
    const merchant = await h.control('POST', '/merchants', {
      type: 'officialaccount',
      nickname: 'OA',
    });
    const appid = String(merchant.json['appid']);
    const code = await preAuthCode();
    const page = await h.app.inject({
      method: 'GET',
      url: `${pageUrl(code)}`.replace('/cgi-bin/componentloginpage', '/safe/bindcomponent'),
    });
    assert.ok(page.body.includes('action="bindcomponent/confirm"'));
    const before = h.platform.received.length;
    const form = new URLSearchParams({
      component_appid: COMPONENT.appid,
      pre_auth_code: code,
      redirect_uri: REDIRECT,
      auth_type: '3',
      appid,
    });
    form.append('func_id', '1');
    form.append('func_id', '2');
    const confirm = await h.app.inject({
      method: 'POST',
      url: `${PREFIX}/safe/bindcomponent/confirm`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    assert.equal(confirm.statusCode, 302);
    const location = new URL(String(confirm.headers.location));
    assert.equal(
      location.origin + location.pathname,
      'https://platform.example.invalid/authorized',
    );
    assert.equal(location.searchParams.get('state'), 'abc');
    const authCode = location.searchParams.get('auth_code');
    assert.match(String(authCode), /^queryauthcode@@@/);
    assert.equal(location.searchParams.get('expires_in'), '600');

    await h.platform.waitFor(before + 1);
    const push = h.platform.last();
    assert.equal(push.xml['InfoType'], 'authorized');
    assert.equal(push.xml['AuthorizerAppid'], appid);
    assert.equal(push.xml['AuthorizationCode'], authCode);
    assert.equal(push.xml['PreAuthCode'], code);
    const now = Math.floor(h.emulator.state.clock.now() / 1000);
    assert.equal(Number(push.xml['AuthorizationCodeExpiredTime']), now + 600);

    const q = await h.api(
      'api_query_auth',
      { component_appid: COMPONENT.appid, authorization_code: authCode },
      token,
    );
    const info = q['authorization_info'] as Record<string, unknown>;
    assert.equal(info['authorizer_appid'], appid);
    assert.deepEqual(info['func_info'], [
      { funcscope_category: { id: 1 } },
      { funcscope_category: { id: 2 } },
    ]);
  });

  it('a pre_auth_code is single use and expires', async () => {
    const merchant = await h.control('POST', '/merchants', { type: 'miniprogram', nickname: 'MP' });
    const code = await preAuthCode();
    const first = await h.control('POST', '/authorize', {
      pre_auth_code: code,
      appid: merchant.json['appid'],
    });
    assert.equal(first.status, 200);
    const again = await h.control('POST', '/authorize', {
      pre_auth_code: code,
      appid: merchant.json['appid'],
    });
    assert.equal(again.status, 400);
    assert.match(String(again.json['error']), /already been used/);
    const page = await h.app.inject({ method: 'GET', url: pageUrl(code) });
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /already been used/);

    const late = await preAuthCode();
    await advance(h, 600);
    const expired = await h.app.inject({ method: 'GET', url: pageUrl(late) });
    assert.equal(expired.statusCode, 400);
    assert.match(expired.body, /expired/);
  });

  it('rejects a wrong component and an unknown pre_auth_code', async () => {
    const code = await preAuthCode();
    const wrong = await h.app.inject({
      method: 'GET',
      url: pageUrl(code, { component_appid: 'wx0000000000000000' }),
    });
    assert.equal(wrong.statusCode, 400);
    const unknown = await h.app.inject({ method: 'GET', url: pageUrl('preauthcode@@@nope') });
    assert.equal(unknown.statusCode, 400);
  });

  it('pushes updateauthorized only when the permission sets change', async () => {
    const merchant = await h.control('POST', '/merchants', {
      type: 'officialaccount',
      nickname: 'OA',
    });
    const appid = merchant.json['appid'];
    const grant = async (funcIds: number[]) =>
      (
        await h.control('POST', '/authorize', {
          pre_auth_code: await preAuthCode(),
          appid,
          func_ids: funcIds,
        })
      ).json;
    const count = () => h.platform.received.length;
    const n0 = count();
    assert.equal((await grant([1, 2]))['info_type'], 'authorized');
    assert.equal(count(), n0 + 1);
    assert.equal((await grant([2, 1]))['info_type'], null);
    assert.equal(count(), n0 + 1);
    const updated = await grant([1]);
    assert.equal(updated['info_type'], 'updateauthorized');
    assert.equal(count(), n0 + 2);
    assert.equal(h.platform.last().xml['InfoType'], 'updateauthorized');
    assert.equal(updated['redirect_url'], null);
  });
});

describe('emulator: authorization domain checks', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('checks the Referer and the redirect_uri host against authDomain', async () => {
    h = await createHarness({ authDomain: 'platform.example.invalid:8443' });
    const token = await h.componentToken();
    const pre = await h.api('api_create_preauthcode', { component_appid: COMPONENT.appid }, token);
    const url = (redirect: string) =>
      `${PREFIX}/cgi-bin/componentloginpage?${new URLSearchParams({
        component_appid: COMPONENT.appid,
        pre_auth_code: String(pre['pre_auth_code']),
        redirect_uri: redirect,
        auth_type: '1',
      }).toString()}`;

    const noReferer = await h.app.inject({ method: 'GET', url: url(REDIRECT) });
    assert.equal(noReferer.statusCode, 400);
    assert.ok(noReferer.body.includes('授权入口页所在域名：空'));

    const otherReferer = await h.app.inject({
      method: 'GET',
      url: url(REDIRECT),
      headers: { referer: 'https://elsewhere.example.invalid/x' },
    });
    assert.equal(otherReferer.statusCode, 400);
    assert.ok(otherReferer.body.includes('授权入口页所在域名：elsewhere.example.invalid'));

    const referer = { referer: 'https://platform.example.invalid/start' };
    const badRedirect = await h.app.inject({
      method: 'GET',
      url: url('https://other.example.invalid/cb'),
      headers: referer,
    });
    assert.equal(badRedirect.statusCode, 400);
    assert.ok(badRedirect.body.includes('授权后回调页所在域名：other.example.invalid'));

    const ok = await h.app.inject({ method: 'GET', url: url(REDIRECT), headers: referer });
    assert.equal(ok.statusCode, 200);
  });
});

describe('emulator: authorizer APIs', () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await createHarness();
    token = await h.componentToken();
  });
  afterEach(() => h.close());

  const authCodeFor = async (appid: unknown): Promise<string> => {
    const pre = await h.api('api_create_preauthcode', { component_appid: COMPONENT.appid }, token);
    const res = await h.control('POST', '/authorize', {
      pre_auth_code: pre['pre_auth_code'],
      appid,
    });
    return String(res.json['auth_code']);
  };

  it('api_query_auth is single use (61009) and expires (61010)', async () => {
    const merchant = await h.control('POST', '/merchants', {
      type: 'officialaccount',
      nickname: 'OA',
    });
    const code = await authCodeFor(merchant.json['appid']);
    const body = { component_appid: COMPONENT.appid, authorization_code: code };
    const first = await h.api('api_query_auth', body, token);
    const info = first['authorization_info'] as Record<string, unknown>;
    assert.match(String(info['authorizer_access_token']), /^\d{2}_/);
    assert.match(String(info['authorizer_refresh_token']), /^refreshtoken@@@/);
    assert.equal(info['expires_in'], 7200);
    assert.equal((await h.api('api_query_auth', body, token))['errcode'], 61009);

    const pre = await h.api('api_create_preauthcode', { component_appid: COMPONENT.appid }, token);
    const withPre = { component_appid: COMPONENT.appid, authorization_code: pre['pre_auth_code'] };
    assert.equal((await h.api('api_query_auth', withPre, token))['errcode'], 61009);

    const late = await authCodeFor(merchant.json['appid']);
    await advance(h, 600);
    const expired = await h.api(
      'api_query_auth',
      { component_appid: COMPONENT.appid, authorization_code: late },
      token,
    );
    assert.equal(expired['errcode'], 61010);
  });

  it('api_authorizer_token refreshes; 61023 for a wrong refresh token; 61024 for the component', async () => {
    const a = await h.authorized();
    const body = {
      component_appid: COMPONENT.appid,
      authorizer_appid: a.appid,
      authorizer_refresh_token: a.refreshToken,
    };
    const res = await h.api('api_authorizer_token', body, token);
    assert.match(String(res['authorizer_access_token']), /^\d{2}_/);
    assert.equal(res['authorizer_refresh_token'], a.refreshToken);
    const wrong = await h.api(
      'api_authorizer_token',
      { ...body, authorizer_refresh_token: 'refreshtoken@@@nope' },
      token,
    );
    assert.equal(wrong['errcode'], 61023);
    const component = await h.api(
      'api_authorizer_token',
      { ...body, authorizer_appid: COMPONENT.appid },
      token,
    );
    assert.equal(component['errcode'], 61024);
    await advance(h, 299);
    assert.equal(
      typeof (
        await h.api('get_authorizer_option', { option_name: 'voice_recognize' }, a.accessToken)
      )['option_value'],
      'string',
    );
    await advance(h, 1);
    assert.equal(
      (await h.api('get_authorizer_option', { option_name: 'voice_recognize' }, a.accessToken))[
        'errcode'
      ],
      40001,
    );
  });

  it('rotates refresh tokens with a 300 s grace when rotateRefreshTokens is set', async () => {
    await h.close();
    h = await createHarness({ rotateRefreshTokens: true });
    token = await h.componentToken();
    const a = await h.authorized();
    const body = {
      component_appid: COMPONENT.appid,
      authorizer_appid: a.appid,
      authorizer_refresh_token: a.refreshToken,
    };
    const res = await h.api('api_authorizer_token', body, token);
    const rotated = String(res['authorizer_refresh_token']);
    assert.match(rotated, /^refreshtoken@@@/);
    assert.notEqual(rotated, a.refreshToken);
    await advance(h, 299);
    const grace = await h.api('api_authorizer_token', body, token);
    assert.equal(grace['authorizer_refresh_token'], rotated);
    await advance(h, 1);
    token = await h.componentToken();
    assert.equal((await h.api('api_authorizer_token', body, token))['errcode'], 61023);
    const next = await h.api(
      'api_authorizer_token',
      { ...body, authorizer_refresh_token: rotated },
      token,
    );
    assert.equal(typeof next['authorizer_access_token'], 'string');
  });

  it('unauthorize pushes unauthorized and stops refresh and access tokens (61003)', async () => {
    const a = await h.authorized();
    const res = await h.control('POST', '/unauthorize', { appid: a.appid });
    assert.equal(res.status, 200);
    const push = h.platform.last();
    assert.equal(push.xml['InfoType'], 'unauthorized');
    assert.equal(push.xml['AuthorizerAppid'], a.appid);
    assert.equal(push.xml['AuthorizationCode'], undefined);
    const body = {
      component_appid: COMPONENT.appid,
      authorizer_appid: a.appid,
      authorizer_refresh_token: a.refreshToken,
    };
    assert.equal((await h.api('api_authorizer_token', body, token))['errcode'], 61003);
    assert.equal(
      (await h.api('get_authorizer_option', { option_name: 'voice_recognize' }, a.accessToken))[
        'errcode'
      ],
      61003,
    );
    const info = await h.api(
      'api_get_authorizer_info',
      { component_appid: COMPONENT.appid, authorizer_appid: a.appid },
      token,
    );
    assert.equal(info['errcode'], 61003);
    assert.equal((await h.control('POST', '/unauthorize', { appid: a.appid })).status, 400);
  });

  it('api_get_authorizer_info shows MiniProgramInfo only for Mini Programs', async () => {
    const mp = await h.authorized('miniprogram');
    const oa = await h.authorized('officialaccount');
    const get = async (appid: string) =>
      await h.api(
        'api_get_authorizer_info',
        { component_appid: COMPONENT.appid, authorizer_appid: appid },
        token,
      );
    const mpInfo = (await get(mp.appid))['authorizer_info'] as Record<string, unknown>;
    assert.ok(mpInfo['MiniProgramInfo']);
    assert.match(String(mpInfo['user_name']), /^gh_/);
    // Type infos carry their name (类型说明) as WeChat documents.
    assert.deepEqual(mpInfo['service_type_info'], { id: 0, name: '普通小程序' });
    assert.deepEqual(mpInfo['verify_type_info'], { id: 0, name: '微信认证' });
    const oaRes = await get(oa.appid);
    assert.deepEqual((oaRes['authorizer_info'] as Record<string, unknown>)['service_type_info'], {
      id: 2,
      name: '服务号',
    });
    assert.equal(
      (oaRes['authorizer_info'] as Record<string, unknown>)['MiniProgramInfo'],
      undefined,
    );
    const auth = oaRes['authorization_info'] as Record<string, unknown>;
    assert.equal(auth['authorizer_refresh_token'], oa.refreshToken);
  });

  it('api_get_authorizer_list pages, returns refresh tokens never exchanged, and refuses count > 500', async () => {
    const a = await h.authorized();
    const b = await h.authorized('miniprogram');
    const unexchanged = await h.control('POST', '/merchants', {
      type: 'officialaccount',
      nickname: 'C',
    });
    await authCodeFor(unexchanged.json['appid']);
    const page = (offset: number, count: number) =>
      h.api('api_get_authorizer_list', { component_appid: COMPONENT.appid, offset, count }, token);
    const all = await page(0, 500);
    assert.equal(all['total_count'], 3);
    const list = all['list'] as Array<Record<string, unknown>>;
    assert.deepEqual(
      list.map((x) => x['authorizer_appid']),
      [a.appid, b.appid, unexchanged.json['appid']],
    );
    assert.equal(list[0]?.['refresh_token'], a.refreshToken);
    // The documented way to recover a refresh token, even when the code was never exchanged.
    const recovered = String(list[2]?.['refresh_token']);
    assert.match(recovered, /^refreshtoken@@@/);
    const info = await h.api(
      'api_get_authorizer_info',
      { component_appid: COMPONENT.appid, authorizer_appid: unexchanged.json['appid'] },
      token,
    );
    const authInfo = info['authorization_info'] as Record<string, unknown>;
    assert.equal(authInfo['authorizer_refresh_token'], recovered);
    const fresh = await h.api(
      'api_authorizer_token',
      {
        component_appid: COMPONENT.appid,
        authorizer_appid: unexchanged.json['appid'],
        authorizer_refresh_token: recovered,
      },
      token,
    );
    assert.equal(typeof fresh['authorizer_access_token'], 'string', JSON.stringify(fresh));
    const second = await page(1, 1);
    assert.deepEqual(
      (second['list'] as Array<Record<string, unknown>>).map((x) => x['authorizer_appid']),
      [b.appid],
    );
    assert.equal((await page(0, 501))['errcode'], 40170);
  });

  it('authorizer options: get/set with either token, 61007 without permission set 1', async () => {
    const oa = await h.authorized('officialaccount');
    const set = await h.api(
      'set_authorizer_option',
      { option_name: 'location_report', option_value: '2' },
      oa.accessToken,
    );
    assert.deepEqual(set, { errcode: 0, errmsg: 'ok' });
    const legacy = await h.api(
      'api_get_authorizer_option',
      {
        component_appid: COMPONENT.appid,
        authorizer_appid: oa.appid,
        option_name: 'location_report',
      },
      token,
    );
    assert.deepEqual(legacy, {
      authorizer_appid: oa.appid,
      option_name: 'location_report',
      option_value: '2',
    });
    const bad = await h.api(
      'set_authorizer_option',
      { option_name: 'location_report', option_value: '7' },
      oa.accessToken,
    );
    assert.equal(bad['errcode'], 61013);
    const unknown = await h.api(
      'set_authorizer_option',
      { option_name: 'no_such_option', option_value: '1' },
      oa.accessToken,
    );
    assert.equal(unknown['errcode'], 61012);
    const mp = await h.authorized('miniprogram');
    assert.equal(
      (await h.api('get_authorizer_option', { option_name: 'voice_recognize' }, mp.accessToken))[
        'errcode'
      ],
      61007,
    );
    assert.equal(
      (await h.api('get_authorizer_option', { option_name: 'voice_recognize' }, token))['errcode'],
      40001,
    );
  });
});
