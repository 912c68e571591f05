import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { helpers, options, startReceiver, type Receiver } from '../support/webhooks.ts';

/**
 * The overview as an operator opens it after a busy day: what needs them first (a rejected
 * audit, a webhook given up), then the platform's health, the counts, and charts of the pushes,
 * token refreshes, audits and webhook deliveries of the last 24 hours and 30 days, in Chinese and
 * in English, on a laptop and on a phone.
 */
const ITEMS = [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }];

describe('console: overview with charts', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let ok: Receiver;
  let failing: Receiver;
  const h = helpers(() => sb);

  async function submit(appid: string, version: string): Promise<number> {
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: version,
      user_desc: `version ${version}`,
    });
    const tpl = await sb.call<{ template_id: number }>('/api/admin/templates', 'POST', {
      draft_id,
    });
    assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
    const code = `/api/admin/authorizers/${appid}/code`;
    const c = await sb.call(`${code}/commit`, 'POST', {
      template_id: tpl.body.template_id,
      user_version: version,
      user_desc: `version ${version}`,
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const s = await sb.call<{ auditid: number }>(`${code}/submit`, 'POST', { item_list: ITEMS });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    return s.body.auditid;
  }

  before(async () => {
    sb = await startSandbox({ options });
    ok = await startReceiver(() => 200);
    failing = await startReceiver(() => 500);
    await ensureComponentToken(sb);
    await h.createHook({ url: ok.url });
    await h.createHook({ url: failing.url, events: ['text'] });
    const appid = await authorizeMerchant(sb, { type: 'miniprogram', nickname: 'Chart shop' });
    await prepareForAudit(sb, appid);
    for (const content of ['hello', 'price?', 'thanks']) await h.sendText(appid, content);
    const audit = await submit(appid, '1.0.0');
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${audit}`, { result: 'fail', reason: 'The home page is empty' });
    // The failing receiver's deliveries are given up (the test's retry window is 1 s).
    await eventually(
      async () =>
        (await sb.call<{ webhooks: { dead: number } }>('/api/admin/overview')).body.webhooks.dead >=
        3,
      15_000,
      'dead deliveries',
    );
    await eventually(
      async () =>
        (await sb.call<{ totals: { audits_rejected: number } }>('/api/admin/stats')).body.totals
          .audits_rejected === 1,
      8000,
      'the rejected audit',
    );
    b = await launchBrowser(import.meta.filename, { viewport: { width: 1280, height: 800 } });
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
    await ok?.close();
    await failing?.close();
  });

  const total = async (chart: string, series: string) =>
    Number(
      await b.page.getByTestId(`chart-${chart}`).locator(`[data-series="${series}"] b`).innerText(),
    );

  test('needs-you first, then health and counts, then charts with the day’s data, in Chinese and English', async () => {
    const { page } = b;
    await signIn(page, sb);
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await page.getByTestId('chart-pushes').locator('canvas').first().waitFor();

    // The order an operator reads in: what needs them, health, counts, activity.
    const headings = await page.locator('main h2').allInnerTexts();
    const at = (text: string) => headings.indexOf(text);
    assert.ok(at('需要处理') >= 0, headings.join(' | '));
    assert.ok(at('需要处理') < at('平台状态'), headings.join(' | '));
    assert.ok(at('平台状态') < at('数量'), headings.join(' | '));
    assert.ok(at('数量') < at('运行情况'), headings.join(' | '));

    // What needs the operator: the rejected audit and the dead deliveries, in red.
    assert.equal(await page.getByTestId('stat-audits-rejected').innerText(), '1');
    assert.ok(Number(await page.getByTestId('stat-webhook-dead').innerText()) >= 3);
    assert.equal(
      await page
        .locator('.stat.bad')
        .filter({ has: page.getByTestId('stat-webhook-dead') })
        .count(),
      1,
    );
    assert.equal(await page.getByTestId('stat-authorized').innerText(), '1');

    // The charts of the last 24 hours hold what happened.
    assert.ok((await total('pushes', 'pushes')) >= 4, 'the authorization and three messages');
    assert.ok((await total('tokens', 'token_refreshes')) >= 1);
    assert.equal(await total('audits', 'audits_submitted'), 1);
    assert.equal(await total('audits', 'audits_rejected'), 1);
    assert.ok((await total('webhooks', 'webhook_delivered')) >= 4);
    assert.ok((await total('webhooks', 'webhook_dead')) >= 3);
    for (const chart of ['pushes', 'tokens', 'audits', 'webhooks'])
      assert.equal(await page.getByTestId(`chart-${chart}`).locator('canvas').count(), 1, chart);
    await page.getByTestId('chart-pushes').getByText('推送', { exact: true }).waitFor();
    await b.shot('zh-1280');

    // The last 30 days, by day: today holds the same.
    await page.getByRole('button', { name: '30 天' }).click();
    await page.locator('.charts[data-range="30d"]').waitFor();
    assert.equal(await total('audits', 'audits_rejected'), 1);
    assert.ok((await total('pushes', 'pushes')) >= 4);
    await b.shot('zh-1280-30d');

    // In English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('heading', { name: 'Needs you' }).waitFor();
    await page.getByRole('heading', { name: 'Platform health' }).waitFor();
    await page.getByRole('heading', { name: 'Pushes received' }).waitFor();
    await page.getByRole('button', { name: '24 hours' }).click();
    await page.locator('.charts[data-range="24h"]').waitFor();
    assert.equal(await total('audits', 'audits_rejected'), 1);
    await page.getByTestId('chart-audits').getByText('Rejected', { exact: true }).waitFor();
    await b.shot('en-1280');

    // On a phone the charts stack, one per row, as wide as the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('chart-webhooks').locator('canvas').waitFor();
    const box = await page.getByTestId('chart-webhooks').boundingBox();
    assert.ok(box && box.width <= 390, `chart width ${box?.width}`);
    await b.shot('en-390');
    // The language switch sits in the wide header.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '运行情况' }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('chart-webhooks').locator('canvas').waitFor();
    await b.shot('zh-390');
  });
});
