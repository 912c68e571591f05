import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { post } from '../support/pushes.ts';
import { freePort, runCli, startCli, waitForHttp } from '../support/processes.ts';

/** What an operator touches: auth on the admin API, health, metrics, docs, the CLI. */
describe('operations', () => {
  let sb: Sandbox;
  const metricsToken = 'fake-metrics-token-0123456789abcdef';
  before(async () => {
    sb = await startSandbox({ env: { OPENWX_METRICS_TOKEN: metricsToken } });
  });
  after(() => sb.stop());

  test('the admin API and the token broker need the admin token', async () => {
    for (const path of ['/api/admin/status', '/api/admin/events', '/api/tokens/component']) {
      assert.equal((await fetch(`${sb.url}${path}`)).status, 401);
      const wrong = await fetch(`${sb.url}${path}`, {
        headers: { authorization: 'Bearer not-the-token-at-all' },
      });
      assert.equal(wrong.status, 401);
      assert.match(
        ((await wrong.json()) as { error: { message: string } }).error.message,
        /Bearer/,
      );
    }
    assert.equal((await sb.admin('/api/admin/status')).status, 200);
  });

  test('status warns while no ticket has arrived', async () => {
    const s = (await (await sb.admin('/api/admin/status')).json()) as {
      warnings: string[];
      ticket: { receivedAt: null };
    };
    assert.equal(s.ticket.receivedAt, null);
    assert.match(s.warnings.join(' '), /authorization event URL/);
    // Asking for a token before any ticket: a clear 503, not a hang.
    const t = await sb.admin('/api/tokens/component');
    assert.equal(t.status, 503);
    assert.match(((await t.json()) as { error: { message: string } }).error.message, /ticket/);
  });

  test('a silent ticket push makes openwx ask WeChat to restart it, once', async () => {
    assert.equal(await sb.openwx.tokens.restartTicketPushIfLate(), true);
    assert.equal(await sb.openwx.tokens.restartTicketPushIfLate(), false);
    const stats = await sb.control<{ calls: Record<string, number> }>('/stats');
    assert.equal(stats.calls['/cgi-bin/component/api_start_push_ticket'], 1);
    await eventually(
      async () =>
        (
          (await (await sb.admin('/api/admin/status')).json()) as {
            ticket: { receivedAt: string | null };
          }
        ).ticket.receivedAt,
    );
  });

  test('health, OpenAPI docs and metrics', async () => {
    for (const probe of ['/livez', '/readyz', '/healthz'])
      assert.deepEqual(await (await fetch(`${sb.url}${probe}`)).json(), { status: 'ok' });
    const root = await fetch(`${sb.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/console');
    const spec = (await (await fetch(`${sb.url}/docs/json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const p of [
      '/api/openwx/auth',
      '/api/openwx/callback/{appid}',
      '/api/admin/status',
      '/api/admin/events',
      '/api/tokens/component',
      '/api/tokens/authorizers/{appid}',
      '/livez',
      '/readyz',
      '/metrics',
    ]) {
      assert.ok(spec.paths[p], `OpenAPI documents ${p}`);
    }
    assert.equal((await fetch(`${sb.url}/docs`)).status, 200);
    await sb.control('/push-ticket', {});
    await post(`${sb.url}/api/openwx/auth`, { query: 'timestamp=1&nonce=1', body: '<xml/>' });
    await eventually(async () => (await sb.admin('/api/tokens/component')).status === 200);
    const text = await (
      await fetch(`${sb.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
    ).text();
    assert.match(text, /openwx_callback_duration_seconds_count\{kind="auth",outcome="stored"\} 2/);
    assert.match(
      text,
      /openwx_callback_duration_seconds_count\{kind="auth",outcome="rejected"\} 1/,
    );
    assert.match(
      text,
      /openwx_wechat_api_duration_seconds_count\{endpoint="api_component_token",errcode="0"\} 1/,
    );
    assert.match(text, /openwx_ticket_age_seconds \d/);
    assert.match(text, /openwx_component_token_expires_in_seconds \d/);
    assert.match(text, /# TYPE openwx_jobs_queued gauge/);
    assert.doesNotMatch(text, /ticket@@@/);
  });
});

describe('the openwx command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openwx-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an invalid setting stops start-up with one line naming the key and the rule', async () => {
    const r = await runCli(['serve'], {
      OPENWX_DATA_DIR: dir,
      OPENWX_COMPONENT_APPID: 'wx0123456789abcdef',
      OPENWX_COMPONENT_APPSECRET: 'fake-secret-0123456789',
      OPENWX_COMPONENT_TOKEN: 'faketoken',
      OPENWX_COMPONENT_AES_KEY: 'tooshort',
      OPENWX_MASTER_KEY: '0'.repeat(64),
      OPENWX_ADMIN_TOKEN: 'fake-admin-token-0123456789',
      OPENWX_PUBLIC_URL: 'https://wx.example.com',
    });
    assert.equal(r.code, 1);
    assert.equal(r.output.trim().split('\n').length, 1);
    assert.match(
      r.output,
      /^config error: OPENWX_COMPONENT_AES_KEY: must be exactly 43 letters or digits/,
    );
    const domain = await runCli(['serve'], {
      OPENWX_DATA_DIR: dir,
      OPENWX_SERVER_DOMAINS: 'http://api.example.com',
    });
    assert.equal(domain.code, 1);
    assert.match(
      domain.output,
      /OPENWX_SERVER_DOMAINS: "http:\/\/api.example.com" must be a bare host/,
    );
  });

  test('doctor prints the values for the WeChat console', async () => {
    const r = await runCli(['doctor'], {
      OPENWX_DATA_DIR: dir,
      OPENWX_PUBLIC_URL: 'https://wx.example.com',
    });
    assert.match(r.output, /授权发起页域名[^\n]*\n\s+wx\.example\.com\n/);
    assert.match(r.output, /https:\/\/wx\.example\.com\/api\/openwx\/auth/);
    assert.match(r.output, /https:\/\/wx\.example\.com\/api\/openwx\/callback\/\$APPID\$/);
    assert.match(r.output, /消息加解密Key[^\n]*\n\s+[A-Za-z0-9]{43}\n/);
    // No ticket has ever arrived in this data dir: doctor says so and fails.
    assert.match(r.output, /FAIL\s+ticket: no component_verify_ticket received yet/);
    assert.equal(r.code, 1);
  });

  test('the emulator command refuses a missing --push-to and unknown commands fail', async () => {
    const r = await runCli(['emulator'], { OPENWX_DATA_DIR: dir });
    assert.equal(r.code, 2);
    assert.match(r.output, /--push-to is required/);
    const u = await runCli(['frobnicate'], { OPENWX_DATA_DIR: dir });
    assert.equal(u.code, 2);
    assert.match(u.output, /unknown command "frobnicate"/);
  });
});

test('SIGTERM stops a running server cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openwx-stop-'));
  const port = await freePort();
  const proc = startCli(['serve'], {
    OPENWX_DATA_DIR: dir,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENWX_LOG_LEVEL: 'warn',
    OPENWX_EMULATOR_TICKET_INTERVAL: '0',
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    const exited = new Promise<number | null>((resolve) =>
      proc.child.once('exit', (code) => resolve(code)),
    );
    proc.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(proc.output(), /SIGTERM received: finishing in-flight work/);
  } finally {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
