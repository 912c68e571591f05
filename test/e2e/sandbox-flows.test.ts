import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { ensureComponentToken } from '../support/flows.ts';

/**
 * The sandbox page drives the flows: a draft uploaded as the developer tool would (a missing
 * version is said next to the field), a one-click authorization for a chosen tenant, a message
 * sent from an account picked by name, and a decision on an audit no longer in review.
 */
type Json = Record<string, unknown>;

describe('console: the sandbox page drives the flows', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  const call = async (path: string, method: string, body: unknown) => {
    const res = await sb.admin(path, {
      method,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const json = (await res.json()) as Json;
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('a draft without a version is refused next to the field; with one it lands in the draft box', async () => {
    const { page } = b;
    await signIn(page, sb, '/sandbox');
    const drafts = page.getByTestId('drafts');
    await drafts.getByLabel('版本描述').fill('from the sandbox page');
    await drafts.getByRole('button', { name: '上传' }).click();
    await drafts.locator('#user_version-error', { hasText: '请填写版本号' }).waitFor();
    assert.deepEqual((await sb.control<{ drafts: unknown[] }>('/drafts')).drafts, []);
    await b.shot('draft-missing-version');

    await drafts.getByLabel('版本号').fill('2.1.0');
    await drafts.getByRole('button', { name: '上传' }).click();
    await drafts.getByRole('status').filter({ hasText: '已上传草稿' }).waitFor();
    await drafts.getByTestId('draft-list').locator('li', { hasText: '2.1.0' }).waitFor();
    assert.equal(await drafts.locator('#user_version-error').count(), 0);
    // openwx sees it in WeChat's draft box, ready to become a template.
    const box = await sb.admin('/api/admin/templates/drafts');
    assert.equal(box.status, 200);
    assert.match(await box.text(), /"user_version":"2\.1\.0"/);
  });

  test('one click authorizes an account for the chosen tenant; a message is sent from an account picked by name', async () => {
    const tenant = await call('/api/admin/tenants', 'POST', { name: 'Sandbox tenant' });
    const { page } = b;
    await page.reload();
    const select = page.getByLabel('一键授权给租户');
    await select.locator('option', { hasText: 'Sandbox tenant' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: 'Sandbox tenant' });
    const row = page.getByTestId('merchants').locator('li', { hasText: '演示小程序 Demo MP' });
    await row.getByRole('button', { name: '一键授权' }).click();
    await row.filter({ hasText: '已授权' }).waitFor();
    const appid = (await row.locator('code').innerText()).trim();
    const detail = await eventually(async () => {
      const r = await sb.admin(`/api/admin/authorizers/${appid}`);
      return r.status === 200 ? ((await r.json()) as { tenant_id: string | null }) : undefined;
    }, 8000);
    assert.equal(detail.tenant_id, tenant['id']);

    const account = page.locator('#message-appid');
    const option = account.locator('option', { hasText: '演示小程序 Demo MP' });
    await option.waitFor({ state: 'attached' });
    assert.equal(await option.getAttribute('value'), appid);
    await account.selectOption(appid);
    await page.getByLabel('内容').fill('hello from a user');
    await page.getByRole('button', { name: '发送' }).click();
    await page.getByRole('status').filter({ hasText: '已推送到消息与事件接收URL' }).waitFor();
    await b.shot('authorized-for-tenant');
  });

  test('deciding an audit that was decided meanwhile says so in the operator’s language', async () => {
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'audited',
    });
    const tpl = await call('/api/admin/templates', 'POST', { draft_id });
    await call('/api/admin/templates/default', 'PUT', { template_id: tpl['template_id'] });
    const authorizers = await sb.call<{ items: Array<{ appid: string }> }>(
      '/api/admin/authorizers',
    );
    const appid = authorizers.body.items[0]?.appid ?? '';
    assert.ok(appid, 'the mini program authorized in the test before');
    await call(`/api/proxy/${appid}/cgi-bin/wxopen/addcategory`, 'POST', {
      categories: [{ first: 1, second: 101 }],
    });
    await call(`/api/proxy/${appid}/cgi-bin/component/setprivacysetting`, 'POST', {
      privacy_ver: 2,
      owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
      setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'to show your profile' }],
    });
    await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
    await call(`/api/admin/authorizers/${appid}/code/commit`, 'POST', {
      user_version: '1.0.0',
      user_desc: 'version 1.0.0',
    });
    const step = await call(`/api/admin/authorizers/${appid}/code/submit`, 'POST', {
      item_list: [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }],
    });
    const auditid = step['auditid'] as number;

    const { page } = b;
    await page.reload();
    const audit = page.locator(`li.audit[data-auditid="${auditid}"]`);
    await audit.waitFor();
    assert.match(await audit.innerText(), /审核中/);
    // WeChat decides it while the page still shows it in review.
    await sb.control(`/audits/${auditid}`, { result: 'success' });
    await audit.getByRole('button', { name: '通过' }).click();
    await audit.getByRole('alert').filter({ hasText: '已不在审核中' }).waitFor();
    await page.locator(`li.audit[data-auditid="${auditid}"][data-status="0"]`).waitFor();
    assert.doesNotMatch(await audit.innerText(), /has status|cannot/);
    await b.shot('audit-not-in-flight');
  });

  test('the legal person confirms a registration; a filing decision with none under review says so', async () => {
    const created = await call('/api/admin/registrations', 'POST', {
      kind: 'beta',
      name: 'Fake Sandbox Trial',
      openid: 'o_fake_openid_sandbox',
    });
    const { page } = b;
    await page.reload();
    const task = page.getByTestId('registrations').locator('li', { hasText: 'Fake Sandbox Trial' });
    await task.waitFor();
    assert.match(await task.innerText(), /试用小程序/);
    await task.getByRole('button', { name: '法人确认' }).click();
    await page
      .getByTestId('registrations')
      .getByRole('status')
      .filter({ hasText: '法人已确认' })
      .waitFor();
    await eventually(
      async () => {
        const r = await sb.call<Json>(`/api/admin/registrations/${String(created['id'])}`);
        return r.body['appid'] !== null || undefined;
      },
      10_000,
      'the trial mini program created',
    );

    // The mini program authorized earlier has no filing under review: a decision is refused,
    // in Chinese, and nothing changes.
    const reviews = page.getByTestId('reviews');
    await page.reload();
    const mp = reviews.locator('#review-appid option', { hasText: '演示小程序 Demo MP' });
    await mp.waitFor({ state: 'attached' });
    await reviews.getByLabel('小程序').selectOption((await mp.getAttribute('value')) ?? '');
    const filing = reviews.locator('li[data-step="filing"]');
    await filing.getByRole('button', { name: '驳回' }).click();
    await reviews.getByRole('alert').filter({ hasText: '这个小程序没有审核中的备案' }).waitFor();
    const face = reviews.locator('li[data-step="face"]');
    await face.getByRole('button', { name: '通过' }).click();
    await reviews.getByRole('alert').filter({ hasText: '没有等待中的人脸核验' }).waitFor();
    await b.shot('decisions');
  });

  test('in English and on a phone: the same panels, the missing version said in English', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'English' }).click();
    const drafts = page.getByTestId('drafts');
    await drafts.getByRole('heading', { name: 'Upload a code draft' }).waitFor();
    await drafts.getByRole('button', { name: 'Upload' }).click();
    await drafts.locator('#user_version-error', { hasText: 'Enter a version' }).waitFor();
    await page
      .getByRole('heading', { name: "Play WeChat's legal persons and reviewers" })
      .waitFor();
    await page.getByRole('heading', { name: 'Reset the sandbox' }).waitFor();
    // The refusal shown before the switch is now in English too.
    await page
      .getByTestId('reviews')
      .getByRole('alert')
      .filter({ hasText: 'No face verification of this mini program is waiting' })
      .waitFor();
    await b.shot('sandbox-en');
    await page.setViewportSize({ width: 390, height: 844 });
    await b.shot('sandbox-phone-en');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: '中文' }).click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('drafts').getByRole('heading', { name: '上传代码草稿' }).waitFor();
    await b.shot('sandbox-phone-zh');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
