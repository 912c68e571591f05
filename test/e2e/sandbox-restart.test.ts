import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { freePort, startCli, waitForHttp, type Proc } from '../support/processes.ts';
import { eventually, type Sandbox } from '../support/sandbox.ts';

/**
 * `npm start` (a real `openwx serve` process), an account authorized from the console, Ctrl-C,
 * `npm start` again on the same data directory: the console still shows it authorized, and its
 * token is refreshed on request as before.
 */
describe('console: the sandbox keeps its world across a restart', () => {
  let b: ConsoleBrowser;
  let dataDir: string;
  let port: number;
  const procs: Proc[] = [];

  const start = async (): Promise<{ proc: Proc; sb: Sandbox }> => {
    const proc = startCli(['serve'], {
      OPENWX_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      OPENWX_LOG_LEVEL: 'warn',
      OPENWX_EMULATOR_TICKET_INTERVAL: '0',
    });
    procs.push(proc);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, 60_000);
    const { adminToken } = JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as {
      adminToken: string;
    };
    // What signIn() reads of a sandbox: the public URL and the admin token.
    const sb = { openwx: { config: { publicUrl: url } }, adminToken, url } as unknown as Sandbox;
    return { proc, sb };
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openwx-e2e-restart-'));
    port = await freePort();
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an account authorized before the restart is still authorized and its token refreshes', async () => {
    const first = await start();
    const { page } = b;
    await signIn(page, first.sb, '/sandbox');
    await page.getByRole('button', { name: '立即推送' }).click();
    await page.getByRole('status').filter({ hasText: '已推送' }).waitFor();
    const row = page.getByTestId('merchants').locator('li', { hasText: '演示小程序 Demo MP' });
    await row.getByRole('button', { name: '一键授权' }).click();
    await row.filter({ hasText: '已授权' }).waitFor();
    const appid = (await row.locator('code').innerText()).trim();
    const admin = (path: string, method = 'GET') =>
      fetch(`${first.sb.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${first.sb.adminToken}` },
      });
    await eventually(
      async () => (await admin(`/api/tokens/authorizers/${appid}`)).status === 200 || undefined,
      10_000,
      'the authorizer token',
    );
    await first.proc.stop();

    const second = await start();
    await signIn(page, second.sb, '/sandbox');
    const again = page.getByTestId('merchants').locator('li', { hasText: appid });
    await again.filter({ hasText: '已授权' }).waitFor();
    await b.shot('after-restart');
    const refreshed = await admin(`/api/admin/authorizers/${appid}/token/refresh`, 'POST');
    assert.equal(refreshed.status, 200, await refreshed.text());
    // The authorizer's page shows it, with no token failure.
    await page.goto(`${second.sb.url}/console/authorizers/${appid}`);
    await page.getByText(appid).first().waitFor();
    const detail = (await (await admin(`/api/admin/authorizers/${appid}`)).json()) as {
      status: string;
      token?: { status?: string };
    };
    assert.equal(detail.status, 'authorized');
    assert.notEqual(detail.token?.status, 'failing');
    await b.shot('authorizer-after-restart');
  });
});
