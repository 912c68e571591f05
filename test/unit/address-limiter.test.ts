import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAddressLimiter } from '../../src/http/address-limiter.ts';

test('an address may fail `burst` times, then waits for the bucket to refill', () => {
  let now = 1_000_000;
  const limiter = createAddressLimiter({ burst: 3, perMinute: 6 }, () => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfter('192.0.2.1'), undefined);
    limiter.spend('192.0.2.1');
  }
  assert.equal(limiter.retryAfter('192.0.2.1'), 10, 'one failure back every 10 s');
  assert.equal(limiter.retryAfter('192.0.2.2'), undefined, 'another address is not affected');
  now += 10_000;
  assert.equal(limiter.retryAfter('192.0.2.1'), undefined);
  limiter.spend('192.0.2.1');
  assert.equal(limiter.retryAfter('192.0.2.1'), 10);
});

test('at most maxKeys addresses are remembered, the least recently seen forgotten first', () => {
  const limiter = createAddressLimiter({ burst: 1, perMinute: 1, maxKeys: 2 }, () => 0);
  limiter.spend('192.0.2.1');
  limiter.spend('192.0.2.2');
  assert.notEqual(limiter.retryAfter('192.0.2.2'), undefined);
  limiter.spend('192.0.2.3');
  // 192.0.2.1 was forgotten: a full bucket again.
  assert.equal(limiter.retryAfter('192.0.2.1'), undefined);
  assert.notEqual(limiter.retryAfter('192.0.2.3'), undefined);
});
