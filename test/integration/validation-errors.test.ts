import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * A body that breaks a route's schema answers 400 `bad_request` with the field and the rule it
 * broke (`params.reason` and the values its sentence needs), so that the console can word it in
 * the operator's language; the English message stays.
 */
type ErrorBody = {
  error: { code: string; message: string; field?: string; params?: Record<string, unknown> };
};

describe('schema validation errors carry their rule', () => {
  let sb: Sandbox;
  const post = (path: string, body: string) =>
    sb.admin(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.stop());

  test('a missing required field: reason required, with the field', async () => {
    const res = await post('/api/admin/tenants', JSON.stringify({ ext: {} }));
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(error.code, 'bad_request');
    assert.equal(error.field, 'name');
    assert.deepEqual(error.params, { reason: 'required', field: 'name' });
    assert.match(error.message, /name/, 'the English message stays');
  });

  test('a value too long: reason too_long, with the limit', async () => {
    const res = await post('/api/admin/tenants', JSON.stringify({ name: 'x'.repeat(201) }));
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(error.code, 'bad_request');
    assert.equal(error.field, 'name');
    assert.deepEqual(error.params, { reason: 'too_long', field: 'name', limit: 200 });
  });

  test('a malformed JSON body: reason body_malformed, and nothing is created', async () => {
    const before = (await (await sb.admin('/api/admin/tenants')).json()) as { total: number };
    const res = await post('/api/admin/tenants', '{"name": "Shop",');
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(error.code, 'bad_request');
    assert.equal(error.field, 'body');
    assert.deepEqual(error.params, { reason: 'body_malformed', field: 'body' });
    const after = (await (await sb.admin('/api/admin/tenants')).json()) as { total: number };
    assert.equal(after.total, before.total, 'nothing changed');
  });
});
