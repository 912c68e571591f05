import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errcodeLabel, endpointLabel } from '../../src/app/metrics.ts';
import { failureReason } from '../../src/app/database-startup.ts';
import { trustProxyOption } from '../../src/http/app.ts';

/** The small rules behind the metrics labels, the start-up log line and OPENWX_TRUST_PROXY. */

test('WeChat call labels come from bounded sets', () => {
  assert.equal(endpointLabel('api_component_token'), 'api_component_token');
  assert.equal(endpointLabel('proxy:/wxa/getversioninfo'), 'proxy');
  assert.equal(endpointLabel('proxy:/cgi-bin/anything/at/all'), 'proxy');
  assert.equal(endpointLabel('not_an_endpoint'), 'other');
  assert.equal(errcodeLabel('0'), '0');
  assert.equal(errcodeLabel('transport'), 'transport');
  assert.equal(errcodeLabel('40001'), '40001');
  assert.equal(errcodeLabel('-1'), '-1');
  assert.equal(errcodeLabel('4000123'), 'other');
  assert.equal(errcodeLabel('undefined'), 'other');
});

test('a refused connection is named even when both addresses of localhost refused it', () => {
  const both = new AggregateError(
    [new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')],
    '',
  );
  assert.equal(failureReason(both), 'connect ECONNREFUSED ::1:5432');
  assert.equal(
    failureReason(new Error('password authentication failed')),
    'password authentication failed',
  );
  assert.equal(failureReason('plain'), 'plain');
});

test('a hop count trusts that many proxies, the peer first', () => {
  const trust = trustProxyOption(1);
  assert.equal(typeof trust, 'function');
  const fn = trust as (address: string, hop: number) => boolean;
  assert.equal(fn('127.0.0.1', 0), true);
  assert.equal(fn('198.51.100.1', 1), false);
  assert.deepEqual(trustProxyOption(['127.0.0.1', '10.0.0.0/8']), ['127.0.0.1', '10.0.0.0/8']);
  assert.equal(trustProxyOption(false), false);
});
