import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/**
 * The authorizers list (filters in the query string) and one mini program's page: commit, a
 * refused release, a pre-flight failure, a failed audit with its reason, a passed one released,
 * and the version history.
 */
describe('console: authorizers', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let alpha: string;
  let beta: string;
  let news: string;
  let templateId: number;

  const auditidOf = async (appid: string) => {
    const res = await sb.admin(`/api/admin/authorizers/${appid}/code`);
    const state = (await res.json()) as { audit: { auditid: number } | null };
    assert.ok(state.audit, 'an audit was submitted');
    return state.audit.auditid;
  };
  /** The audit's result, a few emulated seconds after the submission (its own CreateTime). */
  const decide = async (auditid: number, body: Record<string, unknown>) => {
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${auditid}`, body);
  };

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '2.1.0',
      user_desc: 'spring menu',
    });
    const added = await sb.admin('/api/admin/templates', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ draft_id }),
    });
    assert.equal(added.status, 201, await added.clone().text());
    templateId = ((await added.json()) as { template_id: number }).template_id;
    alpha = await authorizeMerchant(sb, { nickname: 'Alpha bakery' });
    beta = await authorizeMerchant(sb, { nickname: 'Beta books' });
    news = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Gamma news' });
    await prepareForAudit(sb, alpha);
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('the list filters by type and search, kept in the query string', async () => {
    const { page } = b;
    await signIn(page, sb, '/authorizers');
    await page.getByRole('link', { name: '授权方' }).click();
    const rows = page.locator('[data-testid="authorizers-table"] tbody tr');
    await page.locator(`tr[data-appid="${news}"]`).waitFor();
    assert.equal(await rows.count(), 3);
    await b.shot('list');

    await page.locator('#f-type').selectOption('officialaccount');
    await page.waitForURL(/type=officialaccount/);
    await page.locator(`tr[data-appid="${alpha}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-appid'))), [
      news,
    ]);

    await page.locator('#f-type').selectOption('miniprogram');
    await page.locator('#f-q').fill('Alpha');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await page.waitForURL(/q=Alpha/);
    await page.locator(`tr[data-appid="${beta}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-appid'))), [
      alpha,
    ]);
    assert.match(await page.getByTestId('authorizers-total').innerText(), /共 1 个/);

    // A bad value in a link is the API's 400, shown plainly.
    await page.goto(`${sb.openwx.config.publicUrl}/console/authorizers?audit=sometimes`);
    await page.locator('.error-box', { hasText: 'audit' }).waitFor();
  });

  test('a mini program: commit, release disabled with its reason, failed audit with its reason, pass, release', async () => {
    const { page } = b;
    await page.goto(`${sb.openwx.config.publicUrl}/console/authorizers?q=Alpha`);
    await page.locator(`tr[data-appid="${alpha}"] a`).click();
    await page.waitForURL(new RegExp(`/console/authorizers/${alpha}$`));
    await page.getByRole('heading', { name: 'Alpha bakery' }).waitFor();
    await page.getByTestId('func-info').waitFor();
    await page.getByTestId('preflight').waitFor();

    // Commit the template from the library (the version is checked before sending).
    await page.locator('#template_id').selectOption(String(templateId));
    await page.getByRole('button', { name: '提交代码' }).click();
    await page.locator('#user_version-error', { hasText: '请填写版本号' }).waitFor();
    await page.locator('#user_version').fill('2.1.0');
    await page.locator('#user_desc').fill('spring menu for Alpha');
    await page.getByRole('button', { name: '提交代码' }).click();
    await page.getByTestId('action-notice').filter({ hasText: '版本 2.1.0' }).waitFor();
    await page.locator('[data-testid="timeline"] li[data-kind="committed"]').waitFor();
    await page.getByTestId('trial-qr').waitFor();

    // Nothing passed an audit yet: release is disabled and says why.
    const release = page.getByRole('button', { name: '发布', exact: true });
    assert.equal(await release.isDisabled(), true);
    assert.equal(await release.getAttribute('title'), '没有审核通过、待发布的版本');
    await page
      .getByTestId('code-actions')
      .locator('.why-disabled li[data-why="发布"]', { hasText: '没有审核通过、待发布的版本' })
      .waitFor();

    // Submit, and WeChat rejects it with a reason.
    await page.getByRole('button', { name: '提交审核', exact: true }).click();
    await page.getByTestId('action-notice').filter({ hasText: '已提交审核' }).waitFor();
    const first = await auditidOf(alpha);
    await decide(first, { result: 'fail', reason: 'The menu page shows no prices' });
    await page
      .getByTestId('audit-reason')
      .filter({ hasText: 'The menu page shows no prices' })
      .waitFor();
    assert.match(
      await page.locator('li[data-kind="audit_failed"]').innerText(),
      /审核驳回[\s\S]*The menu page shows no prices/,
    );

    // Submit again, it passes, and the release goes through from the page.
    await page.getByRole('button', { name: '提交审核', exact: true }).click();
    await page.getByTestId('action-notice').filter({ hasText: '已提交审核' }).waitFor();
    const second = await auditidOf(alpha);
    assert.notEqual(second, first);
    await decide(second, { result: 'success' });
    await page.locator('[data-testid="audit-state"][data-state="passed"]').waitFor();
    await page.getByRole('button', { name: '发布', exact: true }).click();
    await page.getByRole('button', { name: '确认' }).click();
    await page.getByTestId('action-notice').filter({ hasText: '已发布' }).waitFor();
    await page.locator('[data-testid="timeline"] li[data-kind="released"]').waitFor();
    const kinds = await page
      .locator('[data-testid="timeline"] li')
      .evaluateAll((l) => l.map((x) => x.getAttribute('data-kind')));
    assert.deepEqual(kinds, [
      'committed',
      'submitted',
      'audit_failed',
      'submitted',
      'audit_passed',
      'released',
    ]);
    assert.match(await page.getByTestId('online-version').innerText(), /2\.1\.0/);
    await b.shot('detail');

    // The list now shows the released version and filters on it.
    await page.goto(`${sb.openwx.config.publicUrl}/console/authorizers?released_version=2.1.0`);
    await page.locator(`tr[data-appid="${alpha}"]`).waitFor();
    assert.equal(await page.locator('[data-testid="authorizers-table"] tbody tr').count(), 1);
  });

  test('a failing pre-flight disables submit, saying why, and lists the checks that failed in Chinese', async () => {
    const commit = await sb.admin(`/api/admin/authorizers/${beta}/code/commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ template_id: templateId, user_version: '2.1.0', user_desc: 'b' }),
    });
    assert.equal(commit.status, 201, await commit.text());
    const { page } = b;
    await page.goto(`${sb.openwx.config.publicUrl}/console/authorizers/${beta}`);
    await page.getByTestId('preflight').waitFor();
    const failures = page.getByTestId('preflight');
    await failures.locator('li[data-check="privacy"][data-ok="false"]').waitFor();
    const submit = page.getByRole('button', { name: '提交审核', exact: true });
    assert.equal(await submit.isDisabled(), true);
    assert.equal(await submit.getAttribute('title'), '提审前检查未通过');
    assert.match(
      await failures.locator('li[data-check="privacy"]').innerText(),
      /隐私保护指引[\s\S]*未设置隐私保护指引/,
    );
    assert.match(
      await failures.locator('li[data-check="categories"]').innerText(),
      /类目[\s\S]*没有已通过的类目/,
    );
    await b.shot('preflight-refused');

    // On a phone the table folds into cards.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${sb.openwx.config.publicUrl}/console/authorizers`);
    await page.locator(`tr[data-appid="${beta}"]`).waitFor();
    assert.equal(await page.locator('.authz-table thead').isVisible(), false);
    await b.shot('list-phone');
  });
});
