import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/**
 * Releases in the console: a draft becomes the default template, then a rollout to three mini
 * programs is previewed, started, its audits decided on the sandbox page (one rejected, retried
 * and passed), and all three end released with their version history.
 */
type Item = { appid: string; state: string; auditid: number | null };

describe('console: templates and rollouts', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let templateId: number;

  const json = async <T>(path: string): Promise<T> => {
    const res = await sb.admin(path);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  /** Waits until the rollout's items satisfy `pred`, through the API. */
  const itemsWhen = (id: number, what: string, pred: (items: Item[]) => boolean) =>
    eventually(
      async () => {
        const { items } = await json<{ items: Item[] }>(`/api/admin/rollouts/${id}/items`);
        return pred(items) ? items : undefined;
      },
      15_000,
      what,
    );

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('a draft is added to the library and set as the default template', async () => {
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: 'first release',
    });
    const { page } = b;
    await signIn(page, sb, '/templates');
    await page.getByRole('heading', { name: '代码模板' }).waitFor();
    const draft = page.locator(`tr[data-draft="${draft_id}"]`);
    await draft.waitFor();
    await b.shot('templates-draft');
    await draft.getByRole('button', { name: '添加到模板库' }).click();
    await draft.getByText('已在模板库').waitFor();
    const list = await json<{ items: Array<{ template_id: number; draft_id: number }> }>(
      '/api/admin/templates',
    );
    templateId = list.items.find((t) => t.draft_id === draft_id)?.template_id as number;
    assert.ok(templateId, JSON.stringify(list));

    const row = page.locator(`tr[data-template="${templateId}"]`);
    await row.waitFor();
    assert.equal(await page.getByTestId(`usage-count-${templateId}`).innerText(), '0');
    await row.getByRole('button', { name: '设为默认' }).click();
    await page.locator(`tr[data-template="${templateId}"][data-default="true"]`).waitFor();
    assert.match(await row.innerText(), /默认/);
    await page.getByText(`模板 #${templateId} 已设为默认模板`).waitFor();
    await b.shot('templates-default');
  });

  test('a rollout to three mini programs: preview, start, audits decided on the sandbox page, a rejection retried, all released', async () => {
    const appids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const appid = await authorizeMerchant(sb, { nickname: `Rollout shop ${i + 1}` });
      await prepareForAudit(sb, appid);
      appids.push(appid);
    }
    const [okA, okB, rejected] = appids as [string, string, string];
    const { page } = b;

    // The overview: no rollout running, the month's audit quota.
    await signIn(page, sb);
    await page.getByTestId('stat-rollouts-running').waitFor();
    assert.equal(await page.getByTestId('stat-rollouts-running').innerText(), '0');
    const quota = await json<{ auditQuota: { rest: number; limit: number } | null }>(
      '/api/admin/overview',
    );
    assert.ok(quota.auditQuota, 'the quota is read through an authorized mini program');
    assert.equal(
      await page.getByTestId('stat-audit-quota').innerText(),
      String(quota.auditQuota.rest),
    );

    // The form: the default template preselected with its version; three appids; a preview.
    await page.getByRole('link', { name: '批量发布', exact: true }).click();
    await page.getByRole('link', { name: '新建发布' }).click();
    await page.getByRole('heading', { name: '新建发布' }).waitFor();
    assert.equal(await page.locator('#rollout-template').inputValue(), String(templateId));
    assert.equal(await page.locator('#rollout-version').inputValue(), '1.0.0');
    await page.getByLabel('指定小程序').check();
    await page.getByRole('button', { name: '预览' }).click();
    await page.locator('#appids-error', { hasText: '请至少填写一个 appid' }).waitFor();
    await page.locator('#rollout-appids').fill(appids.join('\n'));
    await page.locator('#rollout-waves').fill('50, 40');
    await page.getByRole('button', { name: '预览' }).click();
    await page.locator('#waves-error').waitFor();
    await page.locator('#rollout-waves').fill('100');
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByTestId('preview').waitFor();
    for (const appid of appids) {
      const app = page.locator(`li.preview-app[data-appid="${appid}"]`);
      await app.waitFor();
      assert.equal(await app.getAttribute('data-ok'), 'true');
      assert.deepEqual(JSON.parse(await page.getByTestId(`ext-json-${appid}`).innerText()), {
        extAppid: appid,
        ext: {},
      });
      assert.equal(await app.locator('li[data-check][data-ok="true"]').count(), 6);
    }
    assert.match(
      await page.getByTestId('quota-message').innerText(),
      new RegExp(`本次发布需要 3 次审核，本月还剩 ${quota.auditQuota.rest} 次`),
    );
    // Every target passes: Start needs no confirmation, and says so beside it.
    assert.equal(
      await page.getByTestId('preflight-summary').innerText(),
      '已检查的 3 个小程序全部通过预检',
    );
    assert.match(await page.getByTestId('preview-waves').innerText(), /100%\s+3/);
    await b.shot('rollout-preview');

    await page.getByRole('button', { name: '开始发布' }).click();
    await page.getByRole('heading', { name: /发布 #\d+/ }).waitFor();
    const id = Number(/\/rollouts\/(\d+)/.exec(page.url())?.[1]);
    assert.ok(id > 0, page.url());
    await page.getByText('每 2 秒自动刷新').waitFor();
    const auditing = await itemsWhen(id, 'all three auditing', (items) =>
      items.every((i) => i.state === 'auditing'),
    );
    // The live page catches up by itself.
    await page
      .locator('[data-testid="overall"] li[data-state="auditing"] strong', { hasText: '3' })
      .waitFor();
    await b.shot('rollout-auditing');

    // The sandbox page: two audits pass, one is rejected with a reason.
    await page.getByRole('link', { name: '沙箱' }).click();
    const auditOf = (appid: string) =>
      page.locator(`li.audit[data-auditid="${auditing.find((i) => i.appid === appid)?.auditid}"]`);
    for (const appid of [okA, okB]) {
      await auditOf(appid).getByRole('button', { name: '通过' }).click();
      await auditOf(appid).and(page.locator('[data-status="0"]')).waitFor();
    }
    await auditOf(rejected).getByLabel('驳回原因').fill('The home page shows a blank screen');
    await auditOf(rejected).getByRole('button', { name: '驳回' }).click();
    await auditOf(rejected).and(page.locator('[data-status="1"]')).waitFor();
    await b.shot('sandbox-decided');

    // Back on the rollout: halted on the rejection, grouped under its reason, retried.
    await page.getByRole('link', { name: '批量发布', exact: true }).click();
    await page.getByRole('link', { name: `#${id}` }).click();
    const group = page.locator('[data-testid="errors"] li', {
      hasText: 'The home page shows a blank screen',
    });
    await group.waitFor({ timeout: 15_000 });
    assert.match(await group.innerText(), /1 个/);
    assert.match(await group.innerText(), new RegExp(rejected));
    await page.getByTestId('halted').waitFor();
    await b.shot('rollout-failed');
    const failedRow = page.locator(`tr[data-appid="${rejected}"]`);
    assert.equal(await failedRow.getAttribute('data-state'), 'failed');
    assert.equal(
      await failedRow.getByRole('link').getAttribute('href'),
      `/console/authorizers/${rejected}`,
    );
    await group.getByRole('button', { name: '重试' }).click();
    await page.getByText('已重试 1 个小程序').waitFor();
    const first = auditing.find((i) => i.appid === rejected)?.auditid;
    const again = await itemsWhen(id, 'the rejected one in audit again', (items) =>
      items.some((i) => i.appid === rejected && i.state === 'auditing' && i.auditid !== first),
    );

    // Its second audit passes, a few emulated seconds after the first decision.
    await sb.control('/clock', { advanceSeconds: 2 });
    await page.getByRole('link', { name: '沙箱' }).click();
    const second = page.locator(
      `li.audit[data-auditid="${again.find((i) => i.appid === rejected)?.auditid}"]`,
    );
    await second.getByRole('button', { name: '通过' }).click();
    await second.and(page.locator('[data-status="0"]')).waitFor();

    // All three released.
    await page.getByRole('link', { name: '批量发布', exact: true }).click();
    await page.locator(`tr[data-rollout="${id}"]`).waitFor();
    await b.shot('rollouts-list');
    await page.getByRole('link', { name: `#${id}` }).click();
    await page
      .locator('[data-testid="rollout"][data-status="completed"]')
      .waitFor({ timeout: 15_000 });
    assert.equal(
      await page.locator('[data-testid="overall"] li[data-state="released"] strong').innerText(),
      '3',
    );
    for (const appid of appids) {
      await page.locator(`tr[data-appid="${appid}"][data-state="released"]`).waitFor();
    }

    // The version history of the retried one: committed, rejected, committed again, released.
    await failedRow.getByRole('button', { name: '版本历史' }).click();
    const history = page.getByTestId(`history-${rejected}`);
    await history.locator('li[data-kind="released"]').waitFor();
    assert.match(
      await history.locator('li[data-kind="audit_failed"]').innerText(),
      /The home page shows a blank screen/,
    );
    assert.equal(await history.locator('li[data-kind="submitted"]').count(), 2);
    await b.shot('rollout-released');

    // The template runs on three mini programs; the overview shows no rollout running.
    const templates = await json<{ items: Array<{ template_id: number; usage: number }> }>(
      '/api/admin/templates',
    );
    assert.equal(templates.items.find((t) => t.template_id === templateId)?.usage, 3);
    const overview = await json<{
      rollouts: { running: number };
      auditQuota: { rest: number } | null;
    }>('/api/admin/overview');
    assert.equal(overview.rollouts.running, 0);
    assert.equal(overview.auditQuota?.rest, quota.auditQuota.rest - 4);

    // English, and on a phone.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: `Rollout #${id}` }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await b.shot('rollout-phone-en');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: '中文' }).click();
  });
});
