import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { totpCode } from '../../src/services/operators/totp.ts';
import { consoleUrl, launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Operators in the console: an admin (signed in with the admin token) creates accounts; each
 * operator signs in with their own, sees their role, acts within it, reads the audit trail, and
 * turns on two-step sign-in.
 */
describe('console: operator accounts', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  const PASSWORD = 'olivia long password';

  before(async () => {
    sb = await startSandbox();
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  const signInAs = async (username: string, password: string) => {
    const { page } = b;
    await page.goto(consoleUrl(sb, '/'));
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByTestId('account-form').waitFor();
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
  };

  test('an admin creates an operator; a refused password is explained next to the field', async () => {
    const { page } = b;
    await signIn(page, sb, '/operators');
    await page.getByRole('heading', { name: '操作员', exact: true }).waitFor();
    assert.equal(await page.getByTestId('role').innerText(), '管理员');
    await page.locator('#op-username').fill('olivia');
    await page.locator('#op-display').fill('Olivia');
    await page.locator('#op-role').selectOption('operator');
    await page.locator('#op-password').fill('short');
    await page.getByRole('button', { name: '创建' }).click();
    await page.locator('#password-error', { hasText: '密码至少 12 个字符' }).waitFor();
    await page.locator('#op-password').fill(PASSWORD);
    await page.getByRole('button', { name: '创建' }).click();
    await page.locator('[data-operator="olivia"]').waitFor();
    await b.shot('operators');
    // A viewer, through the API.
    const viewer = await sb.call('/api/admin/operators', 'POST', {
      username: 'victor',
      role: 'viewer',
      password: 'victor long password',
    });
    assert.equal(viewer.status, 201);
  });

  test('accounts are offered first; a wrong password is refused in Chinese; the operator sees their role and no Operators page', async () => {
    const { page } = b;
    await signInAs('olivia', 'not her password');
    await page.locator('#password-error', { hasText: '用户名或密码不正确' }).waitFor();
    await page.locator('#password').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '概览' }).waitFor();
    assert.equal(await page.getByTestId('role').innerText(), '操作员');
    assert.match(await page.getByTestId('who').innerText(), /Olivia/);
    assert.equal(await page.getByRole('link', { name: '操作员', exact: true }).count(), 0);
    assert.match(
      (await page.evaluate(() => sessionStorage.getItem('openwx.adminToken'))) ?? '',
      /^owxs_/,
    );

    // The audit trail names who made the account: the admin token.
    await page.getByRole('link', { name: '审计' }).click();
    await page.getByRole('heading', { name: '审计日志' }).waitFor();
    // Newest first: the viewer made through the API, after Olivia.
    const row = page.locator('[data-audit]', { hasText: 'POST /api/admin/operators' }).first();
    await row.waitFor();
    assert.match(await row.getByTestId('audit-actor').innerText(), /管理员令牌/);
    await row.getByRole('button', { name: '详情' }).click();
    await page.locator('pre.json-block', { hasText: '"username": "victor"' }).waitFor();
    assert.equal(
      await page.locator('pre.json-block', { hasText: 'victor long password' }).count(),
      0,
    );
    // Sign-in attempts are for admins.
    assert.equal(await page.getByTestId('sign-ins').count(), 0);
    await b.shot('audit');
  });

  test('a viewer is told in Chinese that the role may not create a tenant; nothing is created', async () => {
    const { page } = b;
    await signInAs('victor', 'victor long password');
    await page.getByRole('heading', { name: '概览' }).waitFor();
    assert.equal(await page.getByTestId('role').innerText(), '只读');
    await page.goto(consoleUrl(sb, '/tenants'));
    await page.locator('#new-tenant-name').fill('Shop by a viewer');
    await page.getByRole('button', { name: '新建', exact: true }).click();
    await page.getByText('当前角色（viewer）无权执行此操作，需要 admin 角色').waitFor();
    const tenants = await sb.call<{ items: { name: string }[] }>('/api/admin/tenants');
    assert.ok(!tenants.body.items.some((t) => t.name === 'Shop by a viewer'));
    await b.shot('viewer-refused');
  });

  test('two-step sign-in: turned on from the account page, then asked for at sign-in', async () => {
    const { page } = b;
    await signInAs('olivia', PASSWORD);
    await page.getByTestId('who').click();
    await page.getByRole('heading', { name: '我的账号' }).waitFor();
    await page.getByRole('button', { name: '开启两步验证' }).click();
    const secret = await page.getByTestId('totp-secret').innerText();
    await page.locator('img.qr').waitFor();
    await b.shot('totp-enrol');
    const t0 = Date.now();
    await page.locator('#totp-code').fill(totpCode(secret, t0));
    await page.getByRole('button', { name: '确认开启' }).click();
    await page.getByText('两步验证已开启').waitFor();

    await page.getByRole('button', { name: '退出' }).click();
    await page.getByTestId('account-form').waitFor();
    await page.locator('#username').fill('olivia');
    await page.locator('#password').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#code').waitFor();
    await page.locator('#code').fill(totpCode(secret, t0 + 30_000));
    await page.getByRole('button', { name: '登录' }).click();
    // Back on the page she signed out from, two-step sign-in shown as on.
    await page.getByRole('heading', { name: '我的账号' }).waitFor();
    await page.getByTestId('two-step').getByText('已开启').waitFor();
    await b.shot('signed-in-with-code');
  });
});
