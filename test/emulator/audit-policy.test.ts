import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { xmlText } from '../../src/crypto/xml.ts';
import { advance, createHarness, type Harness } from './harness.ts';
import { commit, setup, submit, type Setup } from './pipeline.ts';

/** Resolves once `n` pushes have arrived; fails after `ms` instead of hanging. */
async function pushes(h: Harness, n: number, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fewer than ${n} pushes after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([h.platform.waitFor(n), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('emulator: audit policy timer', () => {
  let h: Harness;
  let s: Setup;
  beforeEach(async () => {
    h = await createHarness();
    s = await setup(h);
  });
  afterEach(() => h.close());

  it('decides audits and pushes weapp_audit_success with no API call', async () => {
    h.emulator.start();
    const policy = await h.control('POST', '/audit-policy', { auto_pass_after_seconds: 60 });
    assert.equal(policy.status, 200);
    assert.equal((await commit(h, s))['errcode'], 0);
    const auditid = await submit(h, s);
    const before = h.platform.received.length;

    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(h.platform.received.length, before, 'not due yet');
    assert.equal(h.emulator.state.calls.get('/wxa/get_auditstatus'), undefined);
    const calls = h.emulator.state.calls.get('/wxa/submit_audit');

    await advance(h, 61);
    await pushes(h, before + 1);
    const push = h.platform.last();
    assert.ok(push.url.pathname.endsWith(`/callback/${s.appid}`));
    assert.equal(xmlText(push.xml, 'Event'), 'weapp_audit_success');
    assert.equal(h.emulator.state.calls.get('/wxa/submit_audit'), calls);
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 0);
  });

  it('keeps failing the given share of audits deterministically', async () => {
    h.emulator.start();
    await h.control('POST', '/audit-policy', { auto_pass_after_seconds: 0, fail_percent: 100 });
    assert.equal((await commit(h, s))['errcode'], 0);
    const before = h.platform.received.length;
    const auditid = await submit(h, s);
    await pushes(h, before + 1);
    assert.equal(xmlText(h.platform.last().xml, 'Event'), 'weapp_audit_fail');
    assert.equal((await h.api('get_auditstatus', { auditid }, s.token))['status'], 1);

    // Off again: a new audit stays in flight.
    await h.control('POST', '/audit-policy', { auto_pass_after_seconds: null });
    const next = await submit(h, s);
    await advance(h, 3600);
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal((await h.api('get_auditstatus', { auditid: next }, s.token))['status'], 2);
  });
});
