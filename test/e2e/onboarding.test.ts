import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleUrl, launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/** A new merchant authorizes the platform through the console and the emulator's page. */
describe('console: onboarding', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  before(async () => {
    sb = await startSandbox();
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('sandbox page → onboarding link with QR → emulator authorization page → overview counts the authorizer', async () => {
    const { page, context } = b;
    await signIn(page, sb);

    // Play WeChat and the merchant on the sandbox page: a ticket now, and a merchant account.
    await page.getByRole('link', { name: '沙箱' }).click();
    await page.getByRole('button', { name: '立即推送' }).click();
    await page.getByText(/已推送：openwx 回复 HTTP 200/).waitFor();
    await page.getByRole('button', { name: '新建帐号' }).click();
    assert.match(await page.locator('#nickname-error').innerText(), /请填写名称/);
    await page.locator('#merchant-nickname').fill('Console Demo Shop');
    await page.getByRole('button', { name: '新建帐号' }).click();
    await page.getByText(/已新建 Console Demo Shop/).waitFor();
    await page.getByTestId('merchants').getByText('Console Demo Shop').waitFor();
    await b.shot('sandbox');
    await eventually(async () => (await sb.admin('/api/tokens/component')).status === 200);

    // A tenant and an authorization link for it.
    await page.getByRole('link', { name: '授权接入' }).click();
    await page.getByRole('heading', { name: '生成授权链接' }).waitFor();
    await page.locator('#redirect').fill('not a url');
    await page.getByRole('button', { name: '生成链接' }).click();
    await page.locator('#redirect-error', { hasText: '请填写以 http://' }).waitFor();
    await page.locator('#redirect').fill('');
    await page.locator('#tenant-name').fill('Demo tenant');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    await page.getByText('已新建租户 Demo tenant').waitFor();
    // The new tenant is chosen once the list of tenants is read again.
    await eventually(
      async () => (await page.locator('#tenant_id option:checked').innerText()) === 'Demo tenant',
    );
    await page.getByRole('button', { name: '生成链接' }).click();
    const startUrl = await page.getByTestId('start-url').innerText();
    assert.match(startUrl, /^http:\/\/localhost:\d+\/authorize\/[A-Za-z0-9]+$/);
    await page.locator('img.qr').waitFor();
    await b.shot('onboarding');

    // The merchant opens the link, follows it to WeChat's (the emulator's) page and confirms.
    const [merchant] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: '打开' }).click(),
    ]);
    await merchant.waitForLoadState();
    await merchant.getByRole('link', { name: /电脑上授权/ }).click();
    await merchant.getByText('Console Demo Shop').waitFor();
    await b.shot('emulator-authorization', merchant);
    await merchant.getByLabel(/Console Demo Shop/).check();
    await merchant.getByRole('button', { name: /确认授权/ }).click();
    await merchant.getByRole('heading', { name: /授权成功/ }).waitFor();
    const appid = /Account (wx[0-9a-zA-Z]{16})/.exec(await merchant.innerText('body'))?.[1];
    assert.ok(appid);
    await b.shot('authorized', merchant);
    await merchant.close();

    // The overview counts it, and the authorizer belongs to the tenant.
    await page.getByRole('link', { name: '概览' }).click();
    await eventually(
      async () => {
        await page.getByRole('button', { name: '刷新' }).click();
        await page.getByTestId('stat-authorized').waitFor();
        return (await page.getByTestId('stat-authorized').innerText()) === '1';
      },
      8000,
      'the overview to count the new authorizer',
    );
    await b.shot('overview-authorized');
    const detail = (await (await sb.admin(`/api/admin/authorizers/${appid}`)).json()) as {
      tenant_id: string | null;
    };
    const tenants = (await (await sb.admin('/api/admin/tenants?q=Demo')).json()) as {
      items: { id: string }[];
    };
    assert.equal(detail.tenant_id, tenants.items[0]?.id);
    assert.ok(page.url().startsWith(consoleUrl(sb, '/')));
  });
});
