import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { authorizeMerchant } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { options, startReceiver, type Receiver } from '../support/webhooks.ts';

/**
 * The administration pages as an operator uses them: a tenant with an API key (shown once) and
 * self-upgrade; a webhook whose delivery of a user's message appears and is redelivered; that
 * push in the events viewer, decrypted; a profile refused for a bad server domain and an unknown
 * privacy interface, then saved;
 * a trial mini program registered from the onboarding page.
 */
describe('console: administration', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let rx: Receiver;
  before(async () => {
    sb = await startSandbox({ options });
    rx = await startReceiver(() => 200);
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await rx?.close();
    await sb?.stop();
  });

  test('tenants and keys, webhooks and deliveries, events, profiles, registrations', async () => {
    const { page } = b;
    await signIn(page, sb);

    // Tenants: the ext data is checked before sending, then the tenant is created.
    await page.getByRole('link', { name: '租户', exact: true }).click();
    await page.locator('#new-tenant-name').fill('Admin shop');
    await page.locator('#new-tenant-ext').fill('{"shopId": ');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    await page.locator('#ext-error', { hasText: '不是合法的 JSON' }).waitFor();
    await page.locator('#new-tenant-ext').fill('{"shopId": "s-42"}');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    await page.getByRole('heading', { name: 'Admin shop' }).waitFor();
    const tenantId = /\/tenants\/([^/?]+)$/.exec(page.url())?.[1];
    assert.ok(tenantId);

    // An API key is shown once, with a copy button; afterwards only its prefix.
    await page.locator('#key-name').fill('ERP');
    await page.getByRole('button', { name: '创建密钥' }).click();
    const key = await page.getByTestId('new-key-value').innerText();
    assert.match(key, /^owx_[\w-]{20,}$/);
    await page.getByTestId('new-key').getByText('你将无法再次看到').waitFor();
    await page.getByTestId('new-key').getByRole('button', { name: /复制/ }).waitFor();
    await page
      .getByTestId('keys')
      .locator(`tr[data-key-prefix="${key.slice(0, 8)}"]`)
      .waitFor();
    await b.shot('tenant-key-once');
    await page.getByRole('button', { name: '我已保存，关闭' }).click();
    await page.getByTestId('new-key').waitFor({ state: 'detached' });
    assert.ok(!(await page.innerText('body')).includes(key), 'the key is not shown again');
    assert.match(await page.getByTestId('keys').innerText(), new RegExp(`${key.slice(0, 8)}…`));

    // Self-upgrade: allowed.
    // The radio follows the server: it shows checked once the PATCH has answered.
    await page.getByLabel('允许', { exact: true }).click();
    await page.getByText('已设置为：允许').waitFor();
    const tenant = (await (await sb.admin(`/api/admin/tenants/${tenantId}`)).json()) as {
      self_upgrade: boolean | null;
      ext: Record<string, unknown>;
    };
    assert.equal(tenant.self_upgrade, true);
    assert.deepEqual(tenant.ext, { shopId: 's-42' });
    await b.shot('tenant');
    await page.getByRole('link', { name: '← 全部租户' }).click();
    await page.getByTestId('tenants').getByText('Admin shop').waitFor();
    await b.shot('tenants');

    // Webhooks: a bad URL is refused before sending; the secret is shown once.
    await page.getByRole('link', { name: 'Webhook', exact: true }).click();
    await page.locator('#webhook-url').fill('ftp://example.com');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    await page.locator('#url-error', { hasText: '请填写以 http://' }).waitFor();
    await page.locator('#webhook-url').fill(rx.url);
    await page.locator('#webhook-events').fill('text');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    const created = await page.getByTestId('new-secret-value').innerText();
    assert.match(created, /^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByTestId('webhooks').getByText(rx.url).waitFor();

    // Rotate secret: a grace period is chosen, the new secret is shown once.
    await page.getByRole('button', { name: '我已保存，关闭' }).click();
    await page.getByTestId('webhooks').getByRole('button', { name: '轮换密钥' }).click();
    await page.getByTestId('rotate-secret').locator('select').selectOption('3600');
    await page.getByRole('button', { name: '确认轮换' }).click();
    const rotated = await page.getByTestId('new-secret-value').innerText();
    assert.match(rotated, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(rotated, created);
    await page.getByTestId('rotate-grace').getByText(/截止/).waitFor();
    await page
      .getByTestId('secret-state')
      .getByText(/旧密钥仍有效/)
      .waitFor();
    await b.shot('webhook-rotated');
    await page.getByRole('button', { name: '我已保存，关闭' }).click();
    await page.getByTestId('new-secret').waitFor({ state: 'detached' });
    assert.ok(!(await page.innerText('body')).includes(rotated), 'the secret is shown only once');

    // A user writes to a mini program: the delivery appears, delivered, and is redelivered.
    const appid = await authorizeMerchant(sb, { nickname: 'Admin test shop' });
    await sb.control('/messages', { appid, openid: 'oADMINCONSOLE', content: 'hello console' });
    const deliveries = page.getByTestId('deliveries');
    const row = deliveries.locator('tr[data-status="delivered"]', { hasText: 'text' });
    await eventually(
      async () => {
        await deliveries.getByRole('button', { name: '刷新' }).click();
        return (await row.count()) > 0;
      },
      8000,
      'the delivery of the message',
    );
    await b.shot('webhooks');
    await row.first().getByRole('button', { name: '重新投递' }).click();
    await page.getByText(/已重新排队投递 #\d+/).waitFor();
    await eventually(async () => rx.ofType('text').length >= 2, 8000, 'the redelivery');
    await page.locator('#delivery-status').selectOption('delivered');
    assert.match(page.url(), /\/webhooks\?status=delivered$/);

    // The push in the events viewer: its decrypted fields and XML.
    await eventually(async () => (await row.count()) > 0, 8000, 'the delivered row again');
    await row
      .first()
      .getByRole('link', { name: /^text #\d+$/ })
      .click();
    await page.getByRole('heading', { name: /^事件 #\d+$/ }).waitFor();
    await page.getByTestId('event-fields').locator('tr[data-field="Content"]').waitFor();
    assert.match(
      await page.getByTestId('event-fields').locator('tr[data-field="Content"]').innerText(),
      /hello console/,
    );
    assert.match(
      await page.getByTestId('event-xml').innerText(),
      /<Content><!\[CDATA\[hello console\]\]><\/Content>/,
    );
    await b.shot('event');
    await page.getByRole('link', { name: 'text', exact: true }).click();
    await page.getByTestId('events').locator('tr[data-type="text"]').first().waitFor();
    assert.equal(await page.getByTestId('events').locator('tr:not([data-type="text"])').count(), 1);
    await page.locator('#event-source').selectOption('auth');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByText('没有符合条件的事件。').waitFor();
    await page.locator('#event-type').fill('');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByTestId('events').locator('tr[data-type="authorized"]').first().waitFor();
    await b.shot('events');

    // Profiles: the API's error for a bad server domain shows next to that field.
    await page.getByRole('link', { name: '配置档案' }).click();
    await page.locator('#profile-name').fill('Standard');
    await page.locator('#profile-server-request').fill('http://api.example.com');
    await page.locator('#profile-webview').fill('https://h5.example.com');
    await page.locator('#profile-categories').fill('1/101');
    await page.locator('#profile-contact_email').fill('privacy@example.com');
    await page.locator('#profile-notice_method').fill('pop-up');
    await page.locator('#profile-setting-list').fill('UserInfo: show the member profile');
    await page.locator('#profile-signature').fill('A demo shop');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    const fieldError = page.locator('#profile-server-request-error');
    await fieldError.waitFor();
    assert.equal(await fieldError.getAttribute('data-field'), 'server_domains.request[0]');
    assert.match(await fieldError.innerText(), /https:\/\//);
    await b.shot('profile-error');
    await page.locator('#profile-server-request').fill('https://api.example.com');
    // A privacy interface WeChat does not know (names are case-sensitive): refused under its field.
    await page
      .locator('#profile-interfaces')
      .fill('wx.getlocation | 展示附近门店 | https://h5.example.com/stores');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    const interfaceError = page.locator('#profile-interfaces-error');
    await interfaceError.waitFor();
    assert.equal(await interfaceError.getAttribute('data-field'), 'privacy_interfaces[0].api_name');
    await page
      .locator('#profile-interfaces')
      .fill('wx.getLocation | 展示附近门店 | https://h5.example.com/stores');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    await page.getByText('已保存档案 Standard').waitFor();
    const saved = await sb.call<{ items: Array<{ name: string; privacy_interfaces: unknown }> }>(
      '/api/admin/profiles',
    );
    assert.deepEqual(saved.body.items.find((p) => p.name === 'Standard')?.privacy_interfaces, [
      {
        api_name: 'wx.getLocation',
        content: '展示附近门店',
        url_list: ['https://h5.example.com/stores'],
      },
    ]);
    const profile = page.getByTestId('profiles').locator('li[data-profile="Standard"]');
    await profile.getByText('默认').waitFor();
    await profile.getByLabel('指定给租户').selectOption({ label: 'Admin shop' });
    await profile.getByRole('button', { name: '指定', exact: true }).click();
    await page.getByText('已把 Standard 指定给 Admin shop').waitFor();
    await profile.getByRole('link', { name: 'Admin shop' }).waitFor();
    await b.shot('profiles');

    // Onboarding: a trial mini program, with what the merchant must do next.
    await page.getByRole('link', { name: '授权接入' }).click();
    const beta = page.getByTestId('reg-beta-form');
    await beta.locator('#reg-beta-name').fill('abc');
    await beta.getByRole('button', { name: '发起注册' }).click();
    await beta.locator('#name-error', { hasText: '4–30' }).waitFor();
    await beta.locator('#reg-beta-name').fill('Trial shop');
    await beta.locator('#reg-beta-openid').fill('oTRIALADMIN0000000000000001');
    await beta.locator('#reg-beta-tenant').selectOption({ label: 'Admin shop' });
    await beta.getByRole('button', { name: '发起注册' }).click();
    const reg = page.getByTestId('registration-list').locator('li').first();
    await reg.getByText('等待商家确认').waitFor();
    await reg.getByText(/请把下面的链接发给管理员/).waitFor();
    await b.shot('registrations');

    // Usable on a phone: the tenant page in a narrow window.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(page.url().replace(/\/onboarding.*$/, `/tenants/${tenantId}`));
    await page.getByRole('heading', { name: 'Admin shop' }).waitFor();
    await b.shot('tenant-phone');
  });
});
