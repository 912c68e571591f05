import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * A mini program's page in the console after a rejected audit: next to the reason, the categories
 * it names with what to do about each (the emulator's tree has 餐饮 3 / 点餐平台 301, 工具 1 /
 * 效率 101; 工具-效率 is added by the audit preparation).
 */
describe('console: categories named by a rejected audit', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let appid: string;
  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'template',
    });
    const tpl = await sb.call<{ template_id: number }>('/api/admin/templates', 'POST', {
      draft_id,
    });
    await sb.call('/api/admin/templates/default', 'PUT', { template_id: tpl.body.template_id });
    appid = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Console audit shop' });
    await prepareForAudit(sb, appid);
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('the reason shows each category, whether it can be added, and what to do', async () => {
    const code = `/api/admin/authorizers/${appid}/code`;
    const committed = await sb.call(`${code}/commit`, 'POST', {
      user_version: '1.0.0',
      user_desc: 'v',
    });
    assert.equal(committed.status, 201, JSON.stringify(committed.body));
    const submitted = await sb.call<{ auditid: number }>(`${code}/submit`, 'POST', {
      item_list: [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }],
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    await sb.control(`/audits/${submitted.body.auditid}`, {
      result: 'fail',
      reason: '1:请补充选择：餐饮－点餐平台、工具-效率类目<br>2:建议申请企业主体小程序金融类目',
    });
    await eventually(
      async () => {
        const s = await sb.call<{ audit: { state: string } | null }>(code);
        return s.body.audit?.state === 'failed' ? true : undefined;
      },
      8000,
      'audit failed',
    );

    const { page } = b;
    await signIn(page, sb, `/authorizers/${appid}`);
    const list = page.getByTestId('audit-advice');
    await list.waitFor();
    const row = (name: string) => list.locator(`li[data-category="${name}"]`);
    await row('餐饮-点餐平台').getByText('可添加').waitFor();
    await row('餐饮-点餐平台').getByText('在服务类目中添加“餐饮-点餐平台”').waitFor();
    assert.equal(await row('工具-效率').getAttribute('data-status'), 'already_added');
    await row('金融').getByText('请移除相关功能或更换主体').waitFor();
    const reason = await page.getByTestId('audit-reason').innerText();
    assert.match(
      reason,
      /餐饮－点餐平台、工具-效率类目\n2:建议申请/,
      'each numbered item on its own line',
    );
    await b.shot('audit-advice');
  });
});
