import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleUrl, launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { ensureComponentToken } from '../support/flows.ts';

/** Signing in to the console with the admin token, and losing it mid-session. */
describe('console: sign in', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('a wrong token is refused next to the field; the right one opens the overview with the sandbox banner', async () => {
    const { page } = b;
    await page.goto(consoleUrl(sb, '/'));
    await page.getByTestId('sandbox-banner').waitFor();
    await page.getByRole('button', { name: '登录' }).click();
    assert.match(await page.locator('#token-error').innerText(), /请输入管理员令牌/);

    await page.locator('#token').fill('not-the-admin-token-123');
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#token-error', { hasText: '令牌不正确' }).waitFor();
    await b.shot('wrong-token');

    await page.locator('#token').fill(sb.adminToken);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await page.getByTestId('sandbox-banner').waitFor();
    await page.getByTestId('stat-authorized').waitFor();
    assert.equal(await page.getByTestId('stat-authorized').innerText(), '0');
    assert.equal(
      await page.evaluate(() => sessionStorage.getItem('openwx.adminToken')),
      sb.adminToken,
    );
    await b.shot('overview');

    // English, kept across reloads.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '概览' }).waitFor();

    // On a phone the menu folds into a button.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: '菜单' }).click();
    await page.getByRole('link', { name: '平台设置' }).waitFor();
    await b.shot('phone-menu');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('a token that stops working mid-session leads back to sign-in with a clear message', async () => {
    const { page } = b;
    await signIn(page, sb);
    // The admin token changes on the server (rotated or revoked): this tab's token is refused.
    await page.evaluate(() => sessionStorage.setItem('openwx.adminToken', 'an-old-revoked-token'));
    await page.getByRole('link', { name: '平台设置' }).click();
    const reason = page.getByTestId('signout-reason');
    await reason.waitFor();
    assert.match(await reason.innerText(), /登录已失效，请重新登录/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('openwx.adminToken')), null);
    await b.shot('token-expired');
    // Signing in again returns to the page that was asked for.
    await page.locator('#token').fill(sb.adminToken);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '平台设置' }).waitFor();
  });

  test('a deep link serves the console, assets are cached, and a dropped server shows a message', async () => {
    const res = await fetch(consoleUrl(sb, '/authorizers/wx0000000000000000'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const js = await fetch(`${sb.url}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${sb.url}/console/assets/missing.js`)).status, 404);

    const { page } = b;
    await signIn(page, sb);
    await page.route('**/api/admin/**', (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: '平台设置' }).click();
    await page.getByText('无法连接 openwx').waitFor();
    await b.shot('network-error');
    await page.unroute('**/api/admin/**');
    await page.getByRole('button', { name: '重试' }).click();
    await page.getByRole('heading', { name: '平台设置' }).waitFor();
    await page.locator('[data-setting="messageUrl"]').waitFor();
  });
});
