import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/** "Reset the sandbox" on the sandbox page: asked to confirm, then both worlds are new. */
describe('console: reset the sandbox', () => {
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

  test('a confirmed reset clears the authorized merchant; cancelling changes nothing', async () => {
    const appid = await authorizeMerchant(sb, { nickname: 'Shop before reset' });
    const { page } = b;
    await signIn(page, sb, '/sandbox');
    const merchants = page.getByTestId('merchants');
    await merchants.locator('li', { hasText: 'Shop before reset' }).waitFor();
    const section = page.getByTestId('sandbox-reset');
    await section.scrollIntoViewIfNeeded();

    // Cancelled: the merchant is still there.
    await section.getByRole('button', { name: '重置沙箱' }).click();
    await section.getByText('确定清空沙箱的全部数据？').waitFor();
    await b.shot('confirm');
    await section.getByRole('button', { name: '取消' }).click();
    assert.equal((await sb.call(`/api/admin/authorizers/${appid}`)).status, 200);

    // Confirmed: openwx and the emulator both start over.
    await section.getByRole('button', { name: '重置沙箱' }).click();
    await section.getByRole('button', { name: '确认' }).click();
    await section.getByRole('status').filter({ hasText: '沙箱已重置' }).waitFor();
    // The list is read again after the reset: the merchant made before it goes.
    await merchants.locator('li', { hasText: 'Shop before reset' }).waitFor({ state: 'detached' });
    await merchants.locator('li').first().waitFor();
    assert.equal(await merchants.locator('li').count(), 2, 'the two default accounts');
    assert.match(await merchants.innerText(), /未授权/);
    await b.shot('done');
    assert.equal((await sb.call(`/api/admin/authorizers/${appid}`)).status, 404);
  });
});
