import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { ensureComponentToken } from '../support/flows.ts';

/**
 * Security headers on the console, the API, the API document and openwx's own pages, and the
 * one page that must send its origin to WeChat (the authorization start page).
 */
describe('security headers', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
  });
  after(() => sb.stop());

  /** The CSP's directives by name. */
  const csp = (res: Response) =>
    new Map(
      (res.headers.get('content-security-policy') ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map((d) => [d[0] as string, d.slice(1).join(' ')]),
    );
  const common = (res: Response) => {
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(csp(res).get('frame-ancestors'), "'none'");
  };

  test('the console: scripts and styles from its own files only, no frames, no referrer', async () => {
    for (const path of ['/console', '/console/authorizers']) {
      const res = await fetch(`${sb.url}${path}`);
      common(res);
      const p = csp(res);
      assert.equal(p.get('script-src'), "'self'", path);
      assert.equal(p.get('default-src'), "'self'");
      assert.doesNotMatch(p.get('style-src') ?? '', /unsafe-inline/);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  test('the API: JSON answers may load nothing', async () => {
    for (const res of [
      await sb.admin('/api/admin/status'),
      await fetch(`${sb.url}/api/admin/status`),
      await fetch(`${sb.url}/no/such/route`),
    ]) {
      common(res);
      assert.equal(csp(res).get('default-src'), "'none'");
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  test('the API document at /docs: scripts from its files, inline styles allowed', async () => {
    const res = await fetch(`${sb.url}/docs/`);
    assert.equal(res.status, 200);
    common(res);
    const p = csp(res);
    assert.equal(p.get('script-src'), "'self'");
    assert.match(p.get('style-src') ?? '', /'unsafe-inline'/);
    // Every script the page loads is a file of its own origin.
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  });

  test('the authorization start page sends its origin to WeChat’s page, nothing more', async () => {
    const link = await (
      await sb.admin('/api/admin/authorizations', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      })
    ).json();
    const res = await fetch((link as { start_url: string }).start_url);
    assert.equal(res.status, 200);
    common(res);
    assert.equal(res.headers.get('referrer-policy'), 'origin');
    assert.equal(csp(res).get('script-src'), undefined);
    // The return page, whose URL carries the auth_code, sends no referrer onwards.
    const back = await fetch(`${sb.url}/api/openwx/authorized`);
    common(back);
    assert.equal(back.headers.get('referrer-policy'), 'no-referrer');
  });
});
