import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { createRateLimiter } from '../../src/jobs/rate-limiter.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';

/**
 * The token bucket in the database that rollouts draw from: the burst passes at once, then one
 * call per 1/rate seconds, shared by every instance using the same bucket name; a 45011 holds
 * the instance back.
 */
for (const kind of DB_KINDS) {
  describe(`rate limiter on ${kind}`, () => {
    it('lets the burst through, then waits 1/rate per call, shared by two instances', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const waits: number[] = [];
        const sleep = async (ms: number) => {
          waits.push(ms);
          clock.advance(ms);
        };
        const opts = { db, clock, name: 'wechat.test', perSecond: 5, burst: 5, sleep };
        const a = createRateLimiter(opts);
        const b = createRateLimiter(opts);
        for (let i = 0; i < 3; i++) await a.take();
        for (let i = 0; i < 2; i++) await b.take();
        assert.deepEqual(waits, [], 'the burst of 5 passes without waiting');
        const start = clock.now();
        await a.take();
        await b.take();
        assert.ok(waits.length > 0, 'the sixth call waits');
        // Two more calls at 5 per second take 400 ms (give or take rounding to whole ms).
        assert.ok(Math.abs(clock.now() - start - 400) <= 10, `waited ${clock.now() - start} ms`);
        // A quiet second refills the bucket, but never above the burst.
        clock.advance(10_000);
        waits.length = 0;
        for (let i = 0; i < 5; i++) await a.take();
        assert.deepEqual(waits, []);
        await a.take();
        assert.ok(waits.length > 0, 'no more than the burst after a long pause');
      }));

    it('takes a tenth of a second’s worth from the shared bucket at a time', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        const sleep = async (ms: number) => clock.advance(ms);
        const opts = { db, clock, name: 'wechat.chunks', perSecond: 100, sleep };
        const a = createRateLimiter(opts);
        const b = createRateLimiter(opts);
        const left = async () =>
          Number(
            (
              await db.query<{ tokens: number }>(
                `SELECT tokens FROM rate_buckets WHERE name = 'wechat.chunks'`,
              )
            ).rows[0]?.tokens,
          );
        await a.take();
        assert.equal(await left(), 90, 'one instance took 10 tokens for its next calls');
        for (let i = 0; i < 9; i++) await a.take();
        assert.equal(await left(), 90, 'those 9 calls did not touch the bucket');
        await b.take();
        assert.equal(await left(), 80);
        const start = clock.now();
        for (let i = 0; i < 9 + 80 + 10; i++) await b.take();
        // 100 + 10 calls in all from a bucket of 100 at 100/s: the last 10 waited ~0.1 s.
        assert.ok(clock.now() - start >= 90, `waited ${clock.now() - start} ms`);
      }));

    it('holds back after WeChat says "too fast" (45011)', () =>
      withDb(kind, async (db) => {
        const clock = new ManualClock();
        let waited = 0;
        const limiter = createRateLimiter({
          db,
          clock,
          name: 'wechat.backoff',
          perSecond: 100,
          sleep: async (ms) => {
            waited += ms;
            clock.advance(ms);
          },
        });
        await limiter.take();
        assert.equal(waited, 0);
        limiter.backOff(1000);
        await limiter.take();
        assert.ok(waited >= 1000, `waited ${waited} ms`);
      }));
  });
}
