import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/core/errors.ts';
import { deliveryFailureOf, timedOut } from '../../src/services/webhook/delivery-errors.ts';
import { checkWebhookUrl, RefusedTargetError } from '../../src/services/webhook/target.ts';

/** Each way a delivery attempt fails reads as a stable code with the values its sentence needs. */
const nodeError = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

test('network failures read as their codes', () => {
  const host = 'hooks.example.com';
  const cases: Array<[unknown, string, Record<string, unknown>]> = [
    [
      new TypeError('fetch failed', {
        cause: nodeError('connect ECONNREFUSED 192.0.2.1:443', {
          code: 'ECONNREFUSED',
          address: '192.0.2.1',
          port: 443,
        }),
      }),
      'connection_refused',
      { address: '192.0.2.1', port: 443 },
    ],
    [nodeError('socket hang up', { code: 'ECONNRESET' }), 'connection_reset', {}],
    [
      nodeError('getaddrinfo ENOTFOUND hooks.example.com', {
        code: 'ENOTFOUND',
        hostname: 'hooks.example.com',
      }),
      'dns',
      { host },
    ],
    [new Error('getaddrinfo EAI_AGAIN hooks.example.com'), 'dns', { host }],
    [new Error('hooks.example.com has no address'), 'dns', { host }],
    [
      nodeError('connect EHOSTUNREACH 192.0.2.7:80', {
        code: 'EHOSTUNREACH',
        address: '192.0.2.7',
      }),
      'unreachable',
      { address: '192.0.2.7' },
    ],
    [
      nodeError('certificate has expired', { code: 'CERT_HAS_EXPIRED' }),
      'tls',
      { tls_code: 'CERT_HAS_EXPIRED' },
    ],
    [
      nodeError("Hostname/IP does not match certificate's altnames", {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      }),
      'tls',
      { tls_code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    ],
    [
      nodeError('connect ETIMEDOUT 192.0.2.9:443', { code: 'ETIMEDOUT' }),
      'timeout',
      { seconds: 10 },
    ],
    [nodeError('something odd', { code: 'EWHATEVER' }), 'network', { error_code: 'EWHATEVER' }],
    [new Error('something odd'), 'network', {}],
  ];
  for (const [err, code, params] of cases) {
    assert.deepEqual(deliveryFailureOf(err, host, 10_000), { code, params }, String(err));
  }
  assert.deepEqual(timedOut(1500), { code: 'timeout', params: { seconds: 1.5 } });
});

test('a refused target and a URL no longer accepted read as their codes', () => {
  assert.deepEqual(
    deliveryFailureOf(new RefusedTargetError('hooks.example.test', '10.0.0.8', 'private'), '', 1),
    {
      code: 'address_forbidden',
      params: { host: 'hooks.example.test', address: '10.0.0.8', kind: 'private' },
    },
  );
  assert.deepEqual(
    deliveryFailureOf(new RefusedTargetError('h', '100.64.0.1', 'shared (CGNAT)'), '', 1).params[
      'kind'
    ],
    'shared',
  );
  let refused: unknown;
  try {
    checkWebhookUrl('https://user:fake-pass@hooks.example.com/in');
  } catch (err) {
    refused = err;
  }
  assert.ok(refused instanceof AppError);
  assert.deepEqual(deliveryFailureOf(refused, 'hooks.example.com', 1), {
    code: 'url_invalid',
    params: { reason: 'url_credentials' },
  });
});
