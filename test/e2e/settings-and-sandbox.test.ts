import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';

/** The platform settings page, and an audit decided on the sandbox page. */
type Json = Record<string, unknown>;

describe('console: platform settings and sandbox', () => {
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
  /** A mini program with a submitted audit, set up through the admin API. */
  const submitAudit = async () => {
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'first template',
    });
    const tpl = await call('/api/admin/templates', 'POST', { draft_id });
    await call('/api/admin/templates/default', 'PUT', { template_id: tpl['template_id'] });
    const appid = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Audit shop' });
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
    return { appid, auditid: step['auditid'] as number };
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

  test('platform settings show the message URL with $APPID$ and a masked key, revealed on request', async () => {
    const { page } = b;
    await signIn(page, sb, '/settings');
    const row = (id: string) => page.locator(`[data-setting="${id}"] code.value`);
    await row('messageUrl').waitFor();
    const { publicUrl, component } = sb.openwx.config;
    assert.equal(await row('messageUrl').innerText(), `${publicUrl}/api/openwx/callback/$APPID$`);
    assert.equal(await row('authEventUrl').innerText(), `${publicUrl}/api/openwx/auth`);
    assert.equal(await row('authDomain').innerText(), 'localhost');
    const masked = await row('aesKey').innerText();
    assert.notEqual(masked, component.aesKey);
    assert.ok(!masked.includes(component.aesKey.slice(4, -4)), 'the key is masked');
    assert.match(masked, /•{10,}/);
    assert.match(await page.getByTestId('ticket-seen').innerText(), /已收到/);
    assert.ok(await page.locator('[data-setting="messageUrl"] button.copy').isVisible());
    await b.shot('platform-settings');
    await page.locator('[data-setting="aesKey"]').getByRole('button', { name: '显示' }).click();
    await page.locator('[data-setting="aesKey"] code[data-masked="false"]').waitFor();
    assert.equal(await row('aesKey').innerText(), component.aesKey);
    await page.locator('[data-setting="aesKey"]').getByRole('button', { name: '隐藏' }).click();
    assert.equal(await row('aesKey').innerText(), masked);
  });

  test('the sandbox page rejects an audit with a reason; the overview counted it in flight', async () => {
    const { appid, auditid } = await submitAudit();
    const { page } = b;
    await signIn(page, sb);
    await page.getByTestId('stat-audits').waitFor();
    assert.equal(await page.getByTestId('stat-audits').innerText(), '1');

    await page.getByRole('link', { name: '沙箱' }).click();
    const audit = page.locator(`li.audit[data-auditid="${auditid}"]`);
    await audit.waitFor();
    assert.match(await audit.innerText(), /审核中/);
    await audit.getByRole('button', { name: '驳回' }).click();
    await audit.locator('#reason-error', { hasText: '驳回时请填写原因' }).waitFor();
    await audit.getByLabel('驳回原因').fill('Screenshots do not match the pages');
    await b.shot('sandbox-audit');
    await audit.getByRole('button', { name: '驳回' }).click();
    await page.locator(`li.audit[data-auditid="${auditid}"][data-status="1"]`).waitFor();
    assert.match(await audit.innerText(), /审核驳回/);
    assert.match(await audit.innerText(), /Screenshots do not match the pages/);
    await b.shot('sandbox-audit-decided');

    const state = await eventually(async () => {
      const s = (await (await sb.admin(`/api/admin/authorizers/${appid}/code`)).json()) as {
        audit: { state: string; reason: string | null } | null;
      };
      return s.audit?.state === 'failed' ? s : undefined;
    }, 8000);
    assert.match(state.audit?.reason ?? '', /Screenshots do not match/);
    await page.getByRole('link', { name: '概览' }).click();
    await page.getByTestId('stat-audits').waitFor();
    assert.equal(await page.getByTestId('stat-audits').innerText(), '0');
  });

  test('the sandbox page creates a merchant account and authorizes it in one click', async () => {
    const { page } = b;
    await page.getByRole('link', { name: '沙箱' }).click();
    await page.getByLabel('名称').first().fill('One-click shop');
    await page.getByRole('button', { name: '新建帐号' }).click();
    const row = page.getByTestId('merchants').locator('li', { hasText: 'One-click shop' });
    await row.waitFor();
    assert.match(await row.innerText(), /未授权/);
    await row.getByRole('button', { name: '一键授权' }).click();
    await row.filter({ hasText: '已授权' }).waitFor();
    const appid = (await row.locator('code').innerText()).trim();
    // openwx learned of it the normal way: the push, then the code exchanged for tokens.
    await eventually(
      async () => (await sb.admin(`/api/tokens/authorizers/${appid}`)).status === 200 || undefined,
      8000,
      'the authorizer token',
    );
    await b.shot('sandbox-authorized');
  });
});
