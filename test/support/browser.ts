import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumLaunch } from './chromium.ts';
import type { Sandbox } from './sandbox.ts';

/**
 * A Chromium driven by playwright-core, for the console's browser tests: one browser per test
 * file, each with a fresh profile, and a screenshot of each page kept in
 * test-artifacts/screenshots/ (not committed). Which Chromium: see chromium.ts (Debian's when
 * installed, else the one packaged in npm; never a browser downloaded at run time).
 */
export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as test-artifacts/screenshots/<test file>-<name>.png. */
  shot(name: string, page?: Page): Promise<void>;
  close(): Promise<void>;
}

export async function launchBrowser(
  testFile: string,
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<ConsoleBrowser> {
  const { executablePath, args, env } = await chromiumLaunch();
  const profile = mkdtempSync(join(tmpdir(), 'openwx-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args,
    ...(env ? { env } : {}),
    viewport: opts.viewport ?? { width: 1280, height: 860 },
    locale: 'zh-CN',
    timeout: 30_000,
  });
  context.setDefaultTimeout(10_000);
  await withChineseFont(context);
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOTS, { recursive: true });
  const prefix = basename(testFile).replace(/\.test\.ts$/, '');
  return {
    context,
    page,
    async shot(name, p = page) {
      // The font's pieces load as text needs them: drawn before they arrive, text is boxes.
      await p.evaluate(async () => {
        // (No named function in here: the test's compiler would wrap it in a helper the page lacks.)
        for (let i = 0; i < 40; i++) {
          await document.fonts.ready;
          await new Promise((ok) => requestAnimationFrame(() => ok(undefined)));
          if (i > 0 && document.fonts.status === 'loaded') break;
        }
      });
      await p.screenshot({ path: join(SCREENSHOTS, `${prefix}-${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A Chinese font for the console's pages, whatever fonts the machine has: a bare machine (CI,
 * the bundled Chromium) has no CJK font, and its screenshots would show Chinese as boxes. The
 * console's font stack ends with 'Noto Sans SC'; the tests give the browser that font (SIL OFL,
 * from the devDependency @fontsource/noto-sans-sc, regular weight) as a web font served from the page's own origin, so the console's CSP (font-src
 * 'self') holds. Nothing of this reaches openwx: the requests are answered by the browser.
 */
const FONT_PATH = '/__test-fonts/';
const FONT_FILES = join(process.cwd(), 'node_modules', '@fontsource', 'noto-sans-sc', 'files');
/** Its regular weight in pieces by unicode-range: a page loads the pieces its text needs. */
const fontCss = () =>
  readFileSync(join(FONT_FILES, '..', '400.css'), 'utf8').replaceAll(
    'url(./files/',
    `url(${FONT_PATH}`,
  );

async function withChineseFont(context: BrowserContext): Promise<void> {
  await context.route(`**${FONT_PATH}*`, async (route) => {
    const name = basename(new URL(route.request().url()).pathname);
    if (name === 'fonts.css') return route.fulfill({ contentType: 'text/css', body: fontCss() });
    try {
      return await route.fulfill({
        contentType: 'font/woff2',
        body: readFileSync(join(FONT_FILES, name)),
      });
    } catch {
      return route.fulfill({ status: 404, body: '' });
    }
  });
  // The console's page links the font's stylesheet (a link from its own origin, as CSP wants).
  await context.route('**/console/**', async (route) => {
    if (route.request().resourceType() !== 'document') return route.fallback();
    const res = await route.fetch();
    const html = await res.text();
    const link = `<link rel="stylesheet" href="${FONT_PATH}fonts.css">`;
    return route.fulfill({ response: res, body: html.replace('</head>', `${link}</head>`) });
  });
}

/** The console's URL for a path, on the sandbox's public URL (its authorization domain). */
export function consoleUrl(sb: Sandbox, path = '/'): string {
  return `${sb.openwx.config.publicUrl}/console${path === '/' ? '/' : path}`;
}

/** Signs in on the sign-in page with the sandbox's admin token and waits for the overview. */
export async function signIn(page: Page, sb: Sandbox, path = '/'): Promise<void> {
  await page.goto(consoleUrl(sb, path));
  // Start signed out, whatever an earlier test of the file left in this tab.
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  // Once operator accounts exist the account form is offered first: choose the admin token.
  await page.getByRole('tab', { name: '管理员令牌' }).click();
  await page.locator('#token').fill(sb.adminToken);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header.topbar').waitFor();
}
