import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * The testers panel of a mini program's page in the console: a WeChat ID that breaks the rule is
 * refused at the field before anything is sent; a good one is bound, listed and unbound.
 */
describe('console: testers', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let appid: string;
  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    appid = await authorizeMerchant(sb, { nickname: 'Console tester shop' });
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('bind a tester by WeChat ID, see it listed, unbind it', async () => {
    const { page } = b;
    await signIn(page, sb, `/authorizers/${appid}`);
    const panel = page.getByTestId('testers');
    await panel.getByText('还没有体验者。').waitFor();

    await panel.locator('#tester-wechatid').fill('1bad');
    await panel.getByRole('button', { name: '绑定体验者' }).click();
    await panel.locator('#wechatid-error', { hasText: '6–20' }).waitFor();
    const stats = await sb.control<{ calls: Record<string, number> }>('/stats');
    assert.equal(stats.calls['/wxa/bind_tester'] ?? 0, 0, 'nothing was sent to WeChat');

    await panel.locator('#tester-wechatid').fill('fake_console_tester');
    await panel.getByRole('button', { name: '绑定体验者' }).click();
    await panel.getByText('已绑定 fake_console_tester').waitFor();
    await panel.locator('li code', { hasText: 'fake_console_tester' }).waitFor();
    await b.shot('testers');

    await panel.getByRole('button', { name: '解除绑定' }).click();
    await panel.getByText('解除这位体验者？').waitFor();
    await panel.getByRole('button', { name: '确认', exact: true }).click();
    await panel.getByText('还没有体验者。').waitFor();
    const listed = await sb.call<{ items: unknown[] }>(`/api/admin/authorizers/${appid}/testers`);
    assert.deepEqual(listed.body.items, []);
  });
});
