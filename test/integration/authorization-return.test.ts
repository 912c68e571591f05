import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { ensureComponentToken } from '../support/flows.ts';

/**
 * The public return page /api/openwx/authorized asks WeChat (api_query_auth) only about a code
 * that can be genuine: one returned through a link openwx issued that still awaits its merchant,
 * or one WeChat pushed. Anything else is a 400 without a call to WeChat, and an address that
 * keeps trying gets 429.
 */
describe('the authorization return page', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
  });
  after(() => sb.stop());

  const queryAuthCalls = async () =>
    (await sb.control<{ calls: Record<string, number> }>('/stats')).calls[
      '/cgi-bin/component/api_query_auth'
    ] ?? 0;
  const newLink = async () =>
    (await (
      await sb.admin('/api/admin/authorizations', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      })
    ).json()) as { start_url: string; pc_url: string };
  /** The merchant confirms on WeChat's page; the URL WeChat sends the merchant back to. */
  const confirm = async (link: { start_url: string; pc_url: string }, nickname: string) => {
    // WeChat's page, opened from the start page, learns where to send the merchant back.
    const wechatPage = await fetch(link.pc_url, { headers: { referer: link.start_url } });
    assert.equal(wechatPage.status, 200);
    const { appid } = await sb.control<{ appid: string }>('/merchants', {
      type: 'miniprogram',
      nickname,
    });
    const res = await sb.control<{ redirect_url: string; auth_code: string }>('/authorize', {
      pre_auth_code: new URL(link.pc_url).searchParams.get('pre_auth_code'),
      appid,
    });
    return { appid, redirectUrl: res.redirect_url, authCode: res.auth_code };
  };

  test('made-up codes, unknown and used links: 400 without asking WeChat', async () => {
    const link = await newLink();
    const back = await confirm(link, 'Return A');
    const page = await fetch(back.redirectUrl);
    assert.equal(page.status, 200, 'the genuine return through the link');
    const calls = await queryAuthCalls();

    const madeUp = await fetch(`${sb.url}/api/openwx/authorized?auth_code=queryauthcode@@@made-up`);
    assert.equal(madeUp.status, 400);
    assert.match(await madeUp.text(), /invalid here/);
    const unknownLink = await fetch(
      `${sb.url}/api/openwx/authorized?link=NoSuchLink123&auth_code=queryauthcode@@@made-up`,
    );
    assert.equal(unknownLink.status, 400);
    assert.match(await unknownLink.text(), /does not exist/);
    const token = new URL(back.redirectUrl).searchParams.get('link');
    const usedLink = await fetch(
      `${sb.url}/api/openwx/authorized?link=${token}&auth_code=queryauthcode@@@made-up`,
    );
    assert.equal(usedLink.status, 400);
    assert.match(await usedLink.text(), /already used/);
    assert.equal(await queryAuthCalls(), calls, 'WeChat was not asked');

    // The genuine return again (a reload): its code is known, the page still answers.
    assert.equal((await fetch(back.redirectUrl)).status, 200);
  });

  test('a pushed code without a link is still taken (the push arrived first)', async () => {
    const back = await confirm(await newLink(), 'Return B');
    const page = await fetch(
      `${sb.url}/api/openwx/authorized?auth_code=${encodeURIComponent(back.authCode)}&expires_in=600`,
    );
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(back.appid));
  });

  test('an address that keeps sending made-up codes gets 429 with Retry-After', async () => {
    const calls = await queryAuthCalls();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 15; i++) {
      const res = await fetch(`${sb.url}/api/openwx/authorized?auth_code=guess${i}`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.text();
    }
    assert.ok(statuses.includes(400), statuses.join(','));
    assert.equal(statuses.at(-1), 429, statuses.join(','));
    assert.match(retryAfter ?? '', /^[1-9]\d*$/);
    assert.equal(await queryAuthCalls(), calls, 'WeChat was not asked');
  });
});
