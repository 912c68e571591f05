import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * What the log shows an operator: errors with their stack and request id, one line per request
 * when asked, and the client's address behind a trusted proxy.
 */
type Line = Record<string, unknown> & { msg?: string; reqId?: string };

function captureLog() {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { lines, logger };
}

const CLIENT = '203.0.113.7';

describe('errors in the log', () => {
  const log = captureLog();
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ options: { logger: log.logger } });
    // A database that lost a table: the tenant list fails with the database's own error.
    await sb.openwx.db.exec('ALTER TABLE tenants RENAME TO tenants_lost');
  });
  after(() => sb.stop());

  test('a 500 logs the error with its stack and the request id, and the answer names the id', async () => {
    const res = await sb.admin('/api/admin/tenants');
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: { code: 'internal', message: 'internal error' } });
    const reqId = res.headers.get('x-request-id');
    assert.ok(reqId, 'the answer carries its request id');
    const line = log.lines.find((l) => l.msg === 'unexpected error');
    assert.ok(line, 'the error is logged');
    assert.equal(line.reqId, reqId);
    assert.equal(line['level'], 50);
    const err = line['err'] as { type: string; message: string; stack: string };
    assert.equal(err.message, 'relation "tenants" does not exist');
    assert.match(err.stack, /relation "tenants" does not exist\n\s+at /);
    assert.equal(line['ip'], '127.0.0.1');
  });

  test('requests are not logged unless OPENWX_LOG_REQUESTS is set', async () => {
    assert.equal((await sb.admin('/api/admin/status')).status, 200);
    assert.equal(log.lines.filter((l) => l.msg === 'request').length, 0);
  });

  test('the admin token never appears in the log', () => {
    assert.ok(!JSON.stringify(log.lines).includes(sb.adminToken));
  });
});

describe('OPENWX_LOG_REQUESTS=1 without a trusted proxy', () => {
  const log = captureLog();
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({
      env: { OPENWX_LOG_REQUESTS: '1' },
      options: { logger: log.logger },
    });
  });
  after(() => sb.stop());

  test('one line per request: method, route, status, time, request id, client address', async () => {
    const res = await sb.admin('/api/admin/authorizers/wx0000000000000000', {
      headers: { 'x-forwarded-for': CLIENT },
    });
    assert.equal(res.status, 404);
    const line = log.lines.find(
      (l) => l.msg === 'request' && l.reqId === res.headers.get('x-request-id'),
    );
    assert.ok(line, 'the request is logged');
    assert.equal(line['method'], 'GET');
    assert.equal(line['route'], '/api/admin/authorizers/:appid');
    assert.equal(line['status'], 404);
    assert.equal(typeof line['ms'], 'number');
    // X-Forwarded-For from a proxy that is not trusted changes nothing.
    assert.equal(line['ip'], '127.0.0.1');
  });
});

for (const trust of ['127.0.0.1', '1']) {
  describe(`OPENWX_TRUST_PROXY=${trust}`, () => {
    const log = captureLog();
    let sb: Sandbox;
    before(async () => {
      sb = await startSandbox({
        env: { OPENWX_LOG_REQUESTS: '1', OPENWX_TRUST_PROXY: trust },
        options: { logger: log.logger },
      });
    });
    after(() => sb.stop());

    test('the request line and the audit of a key reveal carry the client address', async () => {
      const res = await sb.admin('/api/admin/platform-settings/reveal-aes-key', {
        method: 'POST',
        headers: { 'x-forwarded-for': `${CLIENT}` },
      });
      assert.equal(res.status, 200);
      const reqId = res.headers.get('x-request-id');
      const request = log.lines.find((l) => l.msg === 'request' && l.reqId === reqId);
      assert.equal(request?.['ip'], CLIENT);
      assert.equal(request?.['route'], '/api/admin/platform-settings/reveal-aes-key');
      const audit = log.lines.find((l) => l.msg === 'secret revealed to the admin console');
      assert.equal(audit?.['ip'], CLIENT);
      // The key itself is not in the log.
      const { aesKey } = (await res.json()) as { aesKey: string };
      assert.ok(!JSON.stringify(log.lines).includes(aesKey));
    });
  });
}
