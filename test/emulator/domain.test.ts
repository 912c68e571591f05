import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createHarness, type Harness } from './harness.ts';

/**
 * modify_domain filters like WeChat: invalid domains are left out and named in invalid_*, the
 * rest is applied (errcode 0); 85301 only when nothing is left.
 * Source: community/develop/doc/0002c6d28486c00ed50daec9551000.
 */
describe('emulator: server domains', () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await createHarness();
    token = (await h.authorized('miniprogram')).accessToken;
    const platform = await h.control('POST', '/platform-domains', {
      server: ['api.shop.example', 'files.shop.example'],
    });
    assert.equal(platform.status, 200);
  });
  afterEach(() => h.close());

  it('applies the valid domains and names the filtered ones with errcode 0', async () => {
    const res = await h.api(
      'modify_domain',
      {
        action: 'add',
        requestdomain: ['https://api.shop.example', 'http://api.shop.example'],
        downloaddomain: ['https://files.shop.example', 'https://elsewhere.example'],
      },
      token,
    );
    assert.equal(res['errcode'], 0, JSON.stringify(res));
    assert.deepEqual(res['requestdomain'], ['https://api.shop.example']);
    assert.deepEqual(res['downloaddomain'], ['https://files.shop.example']);
    assert.deepEqual(res['invalid_requestdomain'], ['http://api.shop.example']);
    assert.deepEqual(res['invalid_downloaddomain'], ['https://elsewhere.example']);
    assert.deepEqual(res['invalid_uploaddomain'], []);
    assert.deepEqual(res['no_icp_domain'], []);
    const now = await h.api('modify_domain', { action: 'get' }, token);
    assert.deepEqual(now['requestdomain'], ['https://api.shop.example']);
    assert.deepEqual(now['downloaddomain'], ['https://files.shop.example']);
  });

  it('answers 85301 with the invalid lists when nothing is left, and changes nothing', async () => {
    const res = await h.api(
      'modify_domain',
      { action: 'set', requestdomain: ['ftp://api.shop.example', 'https://elsewhere.example'] },
      token,
    );
    assert.equal(res['errcode'], 85301);
    assert.match(String(res['errmsg']), /^no domain to modify after filtered/);
    assert.deepEqual(res['invalid_requestdomain'], [
      'ftp://api.shop.example',
      'https://elsewhere.example',
    ]);
    const now = await h.api('modify_domain', { action: 'get' }, token);
    assert.deepEqual(now['requestdomain'], []);
  });

  it('a mini program that did not grant permission set 18 gets 61007', async () => {
    const partial = await h.authorized('miniprogram', [17, 19, 30]);
    const res = await h.api('modify_domain', { action: 'get' }, partial.accessToken);
    assert.equal(res['errcode'], 61007);
    assert.equal((await h.api('get_page', {}, partial.accessToken))['errcode'], 61007);
  });

  it('answers 89021 with WeChat’s text for a business domain that is not allowed', async () => {
    const res = await h.api(
      'setwebviewdomain',
      { action: 'add', webviewdomain: ['http://web.shop.example'] },
      token,
    );
    assert.equal(res['errcode'], 89021);
    assert.match(String(res['errmsg']), /^request domain is not open's webview domain!/);
  });
});
