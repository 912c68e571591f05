import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeMerchant } from '../support/flows.ts';
import { post } from '../support/pushes.ts';
import { freePort } from '../support/processes.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { helpers, options, startReceiver } from '../support/webhooks.ts';

/** /metrics: off unless a setting turns it on, protected, bounded, with the standard names. */
const METRICS_TOKEN = 'fake-metrics-token-0123456789abcdef';

type ErrorAnswer = { error: { code: string; message: string } };

/** The value of one series (`name{labels}`), or undefined when it is not in the text. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics are off by default', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.stop());

  test('/metrics answers 404 naming the settings that turn it on', async () => {
    const res = await fetch(`${sb.url}/metrics`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as ErrorAnswer;
    assert.equal(body.error.code, 'metrics_disabled');
    assert.match(body.error.message, /OPENWX_METRICS_TOKEN/);
    assert.match(body.error.message, /OPENWX_METRICS_PORT/);
    // The admin token does not open it either.
    assert.equal((await sb.admin('/metrics')).status, 404);
  });
});

describe('metrics behind OPENWX_METRICS_TOKEN', () => {
  let sb: Sandbox;
  const scrape = async () => {
    const res = await fetch(`${sb.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(res.status, 200);
    return res.text();
  };
  before(async () => {
    sb = await startSandbox({ env: { OPENWX_METRICS_TOKEN: METRICS_TOKEN }, options });
  });
  after(() => sb.stop());

  test('a scrape needs the metrics token: 401 without it or with another one', async () => {
    const none = await fetch(`${sb.url}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.match(((await none.json()) as ErrorAnswer).error.message, /OPENWX_METRICS_TOKEN/);
    for (const token of [`${METRICS_TOKEN}x`, METRICS_TOKEN.slice(1), sb.adminToken]) {
      const wrong = await fetch(`${sb.url}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(wrong.status, 401, `token ${token.slice(0, 8)}…`);
    }
    assert.match(await scrape(), /openwx_database_ready 1/);
  });

  test('the Node.js metrics keep their standard names', async () => {
    const text = await scrape();
    assert.match(text, /^process_cpu_user_seconds_total \d/m);
    assert.match(text, /^process_resident_memory_bytes \d/m);
    assert.match(text, /^nodejs_heap_size_used_bytes \d/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds \d/m);
    assert.doesNotMatch(text, /openwx_process_/);
  });

  test('pushes, WeChat calls, the ticket and the component token', async () => {
    await sb.control('/push-ticket', {});
    await post(`${sb.url}/api/openwx/auth`, { query: 'timestamp=1&nonce=1', body: '<xml/>' });
    await eventually(async () => (await sb.admin('/api/tokens/component')).status === 200);
    const text = await scrape();
    assert.match(text, /openwx_callback_duration_seconds_count\{kind="auth",outcome="stored"\} \d/);
    assert.equal(
      value(text, 'openwx_callback_duration_seconds_count{kind="auth",outcome="rejected"}'),
      1,
    );
    assert.equal(
      value(
        text,
        'openwx_wechat_api_duration_seconds_count{endpoint="api_component_token",errcode="0"}',
      ),
      1,
    );
    assert.ok((value(text, 'openwx_ticket_age_seconds') ?? -1) >= 0, 'a ticket arrived');
    // The emulator's token lives 7200 s; refreshed ahead, so between 0 and 7200 s left.
    const left = value(text, 'openwx_component_token_expires_in_seconds') ?? -1;
    assert.ok(left > 0 && left <= 7200, `component token expires in ${left} s`);
    assert.equal(value(text, 'openwx_token_refresh_total{kind="component",outcome="ok"}'), 1);
    assert.doesNotMatch(text, /ticket@@@/);
  });

  test('no appid anywhere once merchants are authorized; proxied paths count as one endpoint', async () => {
    const first = await authorizeMerchant(sb, { nickname: 'Metrics shop A' });
    const appids = [first, await authorizeMerchant(sb, { nickname: 'Metrics shop B' })];
    for (const appid of appids) {
      assert.equal((await sb.admin(`/api/admin/authorizers/${appid}`)).status, 200);
      const proxied = await sb.admin(`/api/proxy/${appid}/wxa/getversioninfo`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(proxied.status, 200, await proxied.text());
    }
    await sb.openwx.maintain();
    const text = await scrape();
    assert.doesNotMatch(text, /[{,]appid=/, 'no appid label');
    for (const appid of appids) assert.ok(!text.includes(appid), `${appid} is not a label`);
    assert.doesNotMatch(text, /endpoint="[^"]*\//, 'no proxied path as an endpoint label');
    assert.match(
      text,
      /openwx_wechat_api_duration_seconds_count\{endpoint="proxy",errcode="0"\} 2/,
    );
    // Both merchants' tokens are fresh, counted by the scheduler's census.
    assert.equal(value(text, 'openwx_authorizer_tokens{health="valid"}'), 2);
    assert.equal(value(text, 'openwx_authorizer_tokens{health="expired"}'), 0);
    assert.equal(value(text, 'openwx_authorizer_tokens{health="failing"}'), 0);
    // Requests by route pattern and status; a path nobody serves is "unmatched".
    assert.equal((await fetch(`${sb.url}/no/such/${first}`)).status, 404);
    const after = await scrape();
    assert.equal(
      value(
        after,
        'openwx_http_request_duration_seconds_count{method="GET",route="/api/admin/authorizers/:appid",status_code="200"}',
      ),
      2,
    );
    assert.match(
      after,
      /openwx_http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1/,
    );
    assert.ok(!after.includes(first), 'an unmatched path is not a label');
  });

  test('a failing authorizer token and a waiting job show in their gauges', async () => {
    const { db } = sb.openwx;
    await db.query(
      `UPDATE tokens SET failures = 1 WHERE key = (
         SELECT key FROM tokens WHERE kind = 'authorizer' ORDER BY key LIMIT 1)`,
    );
    await db.query(
      `INSERT INTO jobs (type, payload, run_at) VALUES ('metrics.later', '{}', now() + interval '1 hour')`,
    );
    await sb.openwx.maintain();
    const text = await scrape();
    assert.equal(value(text, 'openwx_authorizer_tokens{health="failing"}'), 1);
    assert.equal(value(text, 'openwx_authorizer_tokens{health="valid"}'), 1);
    assert.equal(value(text, 'openwx_jobs_queued{type="metrics.later"}'), 1);
  });

  test('jobs by type and outcome, webhook deliveries by outcome', async () => {
    const h = helpers(() => sb);
    const rx = await startReceiver((i) => (i === 0 ? 500 : 200));
    try {
      await h.createHook({ url: rx.url });
      const appid = await authorizeMerchant(sb, { nickname: 'Metrics shop C' });
      await h.received(rx, (r) => r.body.type === 'authorized' && r.body.appid === appid, 'push');
      const text = await eventually(async () => {
        const t = await scrape();
        return (value(t, 'openwx_webhook_deliveries_total{outcome="delivered"}') ?? 0) >= 1 && t;
      });
      assert.ok((value(text, 'openwx_webhook_deliveries_total{outcome="failed"}') ?? 0) >= 1);
      // The authorization push ran the exchange job on this instance.
      assert.match(
        text,
        /openwx_jobs_finished_total\{type="authorization\.exchange",outcome="done"\} \d/,
      );
      assert.match(text, /# TYPE openwx_jobs_queued gauge/);
      assert.match(text, /# TYPE openwx_jobs_running gauge/);
    } finally {
      await rx.close();
    }
  });
});

describe('metrics on OPENWX_METRICS_PORT', () => {
  let sb: Sandbox;
  let metricsPort: number;
  before(async () => {
    metricsPort = await freePort();
    sb = await startSandbox({
      env: { OPENWX_METRICS_PORT: String(metricsPort), OPENWX_METRICS_TOKEN: METRICS_TOKEN },
    });
  });
  after(() => sb.stop());

  test('the metrics port serves /metrics without auth, and the main port does not serve it', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await res.text(), /^process_cpu_user_seconds_total \d/m);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/api/admin/status`)).status, 404);
    const main = await fetch(`${sb.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(main.status, 404);
    assert.match(((await main.json()) as ErrorAnswer).error.message, /OPENWX_METRICS_PORT/);
  });

  test('stop closes the metrics port', async () => {
    await sb.openwx.stop();
    await assert.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`));
  });
});
