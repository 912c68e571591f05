import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, Response } from 'playwright-core';
import { consoleUrl, launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/**
 * The console in the operator's language, with data in the states that show reasons: a mini
 * program that fails its pre-flight, a rollout started anyway after the preview's warning and
 * halted by that failure, a registration WeChat refused. Every page is visited in Chinese and must show no
 * sentence of the server's English; actions the state does not allow are disabled and say why;
 * every page is photographed in both languages at 1280×800 and 390×844
 * (test-artifacts/screenshots/, not committed), with the layout checked on the way.
 */
type Rollout = { id: number; status: string; halted_code: string | null };
type Json = Record<string, unknown>;

/**
 * Three or more English words in a row, separated by spaces: a sentence, not an appid, a code,
 * a URL or a list of event types.
 */
const ENGLISH_RUN = /(?<![\w./:@-])[A-Za-z][a-z']+(?: [A-Za-z][a-z']+){2,}(?![\w./@-])/g;
/** English that may be on a Chinese page: names of things and the language switch. */
const ALLOWED = [/^openwx\b/i];

describe('console: every word in the operator’s language', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let ready: string; // passes its pre-flight
  let bare: string; // no category, no privacy guide, not filed: fails it
  let tenantId: string;
  let rolloutId: number;
  /** The English sentences the API sent while the pages were shown. */
  const serverEnglish = new Set<string>();
  const notFound: string[] = [];

  const json = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
    const res = await sb.call<T>(path, method, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  /** Collects every English text field of an API answer (message, detail, reason, warnings). */
  const collect = (v: unknown, key = ''): void => {
    if (typeof v === 'string') {
      if (/^(message|detail|reason|halted_reason|warnings|errmsg|failure_reason)$/.test(key)) {
        if (/[a-z]{3,} [a-z]{2,} [a-z]{2,}/i.test(v)) serverEnglish.add(v);
      }
      return;
    }
    if (Array.isArray(v)) for (const x of v) collect(x, key);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) collect(x, k);
  };
  const onResponse = async (res: Response) => {
    if (res.status() === 404) notFound.push(res.url());
    if (!res.url().includes('/api/')) return;
    if (!(res.headers()['content-type'] ?? '').includes('json')) return;
    try {
      collect(await res.json());
    } catch {
      // a body already gone (navigation): nothing to collect
    }
  };

  /** Opens a console page and waits until nothing is loading any more. */
  const visit = async (page: Page, path: string) => {
    await page.goto(consoleUrl(sb, path));
    await page.locator('header.topbar').waitFor();
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => undefined);
    await page
      .locator('.state.loading')
      .first()
      .waitFor({ state: 'detached', timeout: 5000 })
      .catch(() => undefined);
  };

  /** The sentences of English on the page (visible text only). */
  const englishOn = async (page: Page): Promise<string[]> => {
    const text = await page.locator('body').innerText();
    const runs = [...text.matchAll(ENGLISH_RUN)].map((m) => m[0]);
    const fromServer = [...serverEnglish].filter((s) => text.includes(s));
    return [...runs.filter((r) => !ALLOWED.some((a) => a.test(r))), ...fromServer];
  };

  const pages = () => [
    ['overview', '/'],
    ['authorizers', '/authorizers'],
    ['authorizer-ready', `/authorizers/${ready}`],
    ['authorizer-bare', `/authorizers/${bare}`],
    ['icp', `/authorizers/${bare}/icp`],
    ['onboarding', '/onboarding'],
    ['tenants', '/tenants'],
    ['tenant', `/tenants/${tenantId}`],
    ['profiles', '/profiles'],
    ['webhooks', '/webhooks'],
    ['events', '/events'],
    ['templates', '/templates'],
    ['rollouts', '/rollouts'],
    ['rollout', `/rollouts/${rolloutId}`],
    ['audit', '/audit'],
    ['operators', '/operators'],
    ['account', '/account'],
    ['settings', '/settings'],
    ['sandbox', '/sandbox'],
  ];

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version: '1.0.0',
      user_desc: '春季菜单',
    });
    await json('/api/admin/templates', 'POST', { draft_id });
    const list = await json<{ items: Array<{ template_id: number; draft_id: number }> }>(
      '/api/admin/templates',
    );
    const templateId = list.items.find((x) => x.draft_id === draft_id)?.template_id;
    await json('/api/admin/templates/default', 'PUT', { template_id: templateId });
    tenantId = (await json<{ id: string }>('/api/admin/tenants', 'POST', { name: '连锁面包店' }))
      .id;
    ready = await authorizeMerchant(sb, { nickname: '阿尔法面包' });
    await prepareForAudit(sb, ready);
    bare = await authorizeMerchant(sb, { nickname: '贝塔咖啡' });
    await json(`/api/admin/authorizers/${bare}/code/commit`, 'POST', {
      user_version: '0.9.0',
      user_desc: '试用版',
    });
    // A trial registration WeChat refused (status 1001: the subject's creation limit).
    const reg = await json<{ id: string }>('/api/admin/registrations', 'POST', {
      kind: 'beta',
      name: '试用小店一号',
      openid: 'o_fake_openid_lang',
    });
    const { registrations } = await sb.control<{
      registrations: Array<{ id: string; data: Record<string, unknown> }>;
    }>('/registrations');
    const task = registrations.find((x) => x.data['name'] === '试用小店一号');
    assert.ok(task, 'the emulator holds the registration task');
    await sb.control(`/registrations/${task.id}`, {
      result: 'rejected',
      status: 1001,
      reason: '主体创建小程序数量达到上限',
    });
    await eventually(
      async () =>
        (await json<{ status: string }>(`/api/admin/registrations/${reg.id}`)).status === 'failed',
      8000,
      'the registration failed',
    );
    b = await launchBrowser(import.meta.filename, { viewport: { width: 1280, height: 800 } });
    b.page.on('response', (res) => void onResponse(res));
    await signIn(b.page, sb);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('the rollout preview says how many fail pre-flight and asks before starting anyway', async () => {
    const { page } = b;
    await visit(page, '/rollouts/new');
    await page.getByLabel('指定小程序').check();
    await page.locator('#rollout-appids').fill(`${ready}\n${bare}`);
    await page.locator('#rollout-threshold').fill('0');
    await page.getByRole('button', { name: '预览' }).click();
    const preview = page.getByTestId('preview');
    await preview.waitFor();
    // The page brings the preview into view, with Start and the summary at its top.
    await eventually(
      async () => (await preview.boundingBox())?.y !== undefined && (await inView(page)),
      5000,
      'the preview scrolled into view',
    );
    assert.equal(
      await page.getByTestId('preflight-summary').innerText(),
      '2 个小程序中有 1 个预检未通过',
    );
    await page.locator(`li.preview-app[data-appid="${bare}"][data-ok="false"]`).waitFor();
    assert.match(
      await page
        .locator(`li.preview-app[data-appid="${bare}"] li[data-check="privacy"]`)
        .innerText(),
      /未设置隐私保护指引/,
    );
    await b.shot('preview-failing');

    // Start asks first; "not now" starts nothing.
    await page.getByTestId('start-rollout').click();
    const confirm = page.getByTestId('start-confirm');
    assert.match(await confirm.innerText(), /2 个小程序中有 1 个预检未通过.*仍然开始吗/s);
    await b.shot('preview-confirm');
    await confirm.getByRole('button', { name: '先不开始' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await json<{ total: number }>('/api/admin/rollouts')).total, 0);

    // Starting anyway: the one that fails pre-flight fails and halts the rollout.
    await page.getByTestId('start-rollout').click();
    await confirm.getByRole('button', { name: '仍然开始' }).click();
    await page.getByRole('heading', { name: /发布 #\d+/ }).waitFor();
    rolloutId = Number(/\/rollouts\/(\d+)/.exec(page.url())?.[1]);
    const halted = await eventually(
      async () => {
        const r = await json<Rollout>(`/api/admin/rollouts/${rolloutId}`);
        return r.status === 'halted' ? r : undefined;
      },
      20_000,
      'the rollout halted',
    );
    assert.equal(halted.halted_code, 'wave_failures_above_threshold');
    await page.getByTestId('halted').waitFor({ timeout: 10_000 });
    assert.match(
      await page.getByTestId('halted').innerText(),
      /第 1 批：2 个小程序中有 1 个失败（50%），超过了 0% 的阈值/,
    );
    const group = page.locator('[data-testid="errors"] li', { hasText: '预检未通过：' });
    assert.match(await group.innerText(), /预检未通过：隐私保护指引/);
  });

  test('no page in Chinese shows a sentence of the server’s English', async () => {
    const { page } = b;
    const found: string[] = [];
    for (const [name, path] of pages()) {
      await visit(page, path as string);
      for (const e of await englishOn(page)) found.push(`${name}: ${e}`);
    }
    assert.deepEqual(found, [], 'English on Chinese pages');
    // The reasons are there, in Chinese: a registration's failure with its status's meaning.
    await visit(page, '/onboarding');
    await page
      .getByText('注册失败（微信状态 1001）：主体创建小程序的数量已达上限')
      .first()
      .waitFor();
    assert.ok(serverEnglish.size > 0, 'the API answered English messages to compare against');
  });

  test('a field the API refuses says why under the field, in Chinese', async () => {
    const { page } = b;
    await visit(page, `/authorizers/${bare}/icp`);
    // The filing field left empty: the route's schema refuses it (minLength 1), naming the field.
    await page.locator('#icp-media-field').fill('');
    await page.locator('#icp-media-file').setInputFiles({
      name: 'front.png',
      mimeType: 'image/png',
      buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    });
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/authorizers/${bare}/icp/media`) && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: '上传', exact: true }).click();
    const res = await refused;
    assert.equal(res.status(), 400);
    const { error } = (await res.json()) as { error: { field: string; params: Json } };
    assert.equal(error.field, 'icp_order_field');
    assert.equal(error.params['reason'], 'required');
    const under = page.locator('#icp_order_field-error');
    await under.waitFor();
    assert.equal(await under.innerText(), '请填写“所属备案字段”');
    assert.deepEqual(await englishOn(page), [], 'no English on the page');
    await b.shot('field-refused');
  });

  test('actions the state does not allow are disabled and say why', async () => {
    const { page } = b;
    // Committed but failing its pre-flight: no submit, nothing to release, roll back or open.
    await visit(page, `/authorizers/${bare}`);
    const actions = page.getByTestId('code-actions');
    await page.locator('[data-testid="preflight"] li[data-ok="false"]').first().waitFor();
    const why = async (name: string) => {
      const button = actions.getByRole('button', { name, exact: true });
      assert.equal(await button.isDisabled(), true, `${name} disabled`);
      return button.getAttribute('title');
    };
    assert.equal(await why('提交审核'), '提审前检查未通过');
    assert.equal(await why('撤回审核'), '没有进行中的审核');
    assert.equal(await why('发布'), '没有审核通过、待发布的版本');
    assert.equal(await why('回退到上一版本'), '还没有线上版本');
    await actions.locator('.why-disabled li[data-why="提交审核"]').waitFor();
    await b.shot('actions-disabled');

    // A cancelled rollout: nothing to pause, resume or cancel, each saying why.
    await json(`/api/admin/rollouts/${rolloutId}/cancel`, 'POST');
    await visit(page, `/rollouts/${rolloutId}`);
    await page.locator('[data-testid="rollout"][data-status="cancelled"]').waitFor();
    const pause = page.getByTestId('rollout-pause');
    assert.equal(await pause.isDisabled(), true);
    assert.equal(await pause.getAttribute('title'), '发布已取消，不能暂停');
    const cancel = page.getByRole('button', { name: '取消发布' });
    assert.equal(await cancel.isDisabled(), true);
    assert.equal(await cancel.getAttribute('title'), '发布已取消，不能再取消');
    await page.getByTestId('controls-why').waitFor();
  });

  test('every page in both languages at 1280×800 and 390×844: screenshots, header, badges, favicon', async () => {
    const { page } = b;
    const problems: string[] = [];
    for (const lang of ['zh', 'en'] as const) {
      await page.evaluate((l) => localStorage.setItem('openwx.lang', l), lang);
      for (const size of [
        { width: 1280, height: 800 },
        { width: 390, height: 844 },
      ]) {
        await page.setViewportSize(size);
        for (const [name, path] of pages()) {
          await visit(page, path as string);
          const where = `${name} ${lang} ${size.width}`;
          if (size.width === 1280) {
            // The header is one row: brand, menu and tools side by side.
            const header = await page.locator('header.topbar').boundingBox();
            if (!header || header.height > 64)
              problems.push(`${where}: header ${header?.height}px`);
          }
          // A badge is one line: never a word broken one character per line.
          const tall = await page.locator('.badge').evaluateAll((l) =>
            l
              .filter((e) => (e as HTMLElement).offsetParent !== null)
              .filter(
                (e) =>
                  e.getBoundingClientRect().height >
                  2 * parseFloat(getComputedStyle(e).lineHeight || '20'),
              )
              .map((e) => (e as HTMLElement).innerText),
          );
          for (const t of tall) problems.push(`${where}: badge "${t}" wraps`);
          await b.shot(`${name}-${lang}-${size.width}x${size.height}`);
        }
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => localStorage.setItem('openwx.lang', 'zh'));
    assert.deepEqual(problems, []);
    assert.deepEqual(
      notFound.filter((u) => !u.includes('/api/')),
      [],
      'no 404 for the favicon or any asset',
    );
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    assert.ok(icon, 'the console names its icon');
  });

  test('a failed webhook delivery says why in Chinese, the server’s text only in its title', async () => {
    const { page } = b;
    const { createServer } = await import('node:net');
    const { startReceiver } = await import('../support/webhooks.ts');
    const broken = await startReceiver(() => 500);
    // A port on 127.0.0.1 with nothing listening: the connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    try {
      const hooks = [
        await json<{ id: string }>('/api/admin/webhooks', 'POST', {
          url: broken.url,
          events: ['text'],
        }),
        await json<{ id: string }>('/api/admin/webhooks', 'POST', {
          url: `http://127.0.0.1:${port}/hook`,
          events: ['text'],
        }),
      ];
      await sb.control('/messages', {
        appid: ready,
        openid: 'oUSER000000000000000000000077',
        content: '你好',
      });
      for (const hook of hooks) {
        await eventually(
          async () =>
            (
              await json<{ items: Array<{ last_error_code: string | null }> }>(
                `/api/admin/webhooks/${hook.id}/deliveries`,
              )
            ).items.some((d) => d.last_error_code !== null),
          8000,
          'a failed attempt',
        );
      }
      await visit(page, '/webhooks');
      const http = page.locator('[data-testid="deliveries"] [data-error-code="http_status"]');
      await http.first().waitFor();
      assert.equal(await http.first().innerText(), '接收方返回 HTTP 500');
      assert.match((await http.first().getAttribute('title')) ?? '', /^HTTP 500/);
      const refused = page.locator(
        '[data-testid="deliveries"] [data-error-code="connection_refused"]',
      );
      assert.equal(await refused.first().innerText(), `接收方 127.0.0.1:${port} 拒绝了连接`);
      assert.match((await refused.first().getAttribute('title')) ?? '', /ECONNREFUSED/);
      assert.deepEqual(await englishOn(page), [], 'no English on the webhooks page');
      await b.shot('webhook-deliveries-failed');
      for (const hook of hooks)
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await broken.close();
    }
  });

  test('a failing token says why in Chinese: the errcode worded, not the client’s English', async () => {
    const { page } = b;
    await sb.control('/faults', { endpoint: 'api_authorizer_token', errcode: 61003, times: 1 });
    const res = await sb.call(`/api/admin/authorizers/${bare}/token/refresh`, 'POST', {});
    assert.equal(res.status, 502, JSON.stringify(res.body));
    await visit(page, '/authorizers');
    const badge = page.locator(`tr:has-text("${bare}") [data-token="failing"]`).first();
    await badge.waitFor();
    assert.equal(
      await badge.getAttribute('title'),
      '最近一次令牌刷新失败：微信返回错误码 61003，openwx 会退避后重试',
    );
    assert.deepEqual(await englishOn(page), [], 'no English on the authorizers page');
  });
});

/** The preview's top is within the window (the page scrolled to it). */
async function inView(page: Page): Promise<boolean> {
  return page.getByTestId('preview').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight / 2;
  });
}
