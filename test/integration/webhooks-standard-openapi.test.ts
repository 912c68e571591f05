import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { WEBHOOK_EVENT_TYPES } from '../../src/services/webhook/event-types.ts';
import { authorizeMerchant } from '../support/flows.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { helpers, options, startReceiver } from '../support/webhooks.ts';

/**
 * The OpenAPI document's `webhooks` section (OpenAPI 3.1): one entry per event type a webhook can
 * subscribe to, whose example validates against its schema, and whose schema accepts what
 * deliveries really carry.
 */
type Entry = {
  post: {
    summary?: string;
    parameters?: { name: string; in: string }[];
    requestBody: {
      content: {
        'application/json': {
          schema: Record<string, unknown>;
          examples: Record<string, { value: unknown }>;
        };
      };
    };
  };
};
type Doc = {
  openapi: string;
  webhooks?: Record<string, Entry>;
  paths: Record<string, Record<string, unknown>>;
};

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let sb: Sandbox;
let doc: Doc;
const h = helpers(() => sb);
before(async () => {
  sb = await startSandbox({ options });
  doc = (await (await fetch(`${sb.url}/docs/json`)).json()) as Doc;
});
after(() => sb.stop());

const ajv = addFormats(new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }));
const validator = (schema: Record<string, unknown>) => ajv.compile(schema);

test('every event type has a webhooks entry whose example validates against its schema', () => {
  assert.equal(doc.openapi, '3.1.0');
  const webhooks = doc.webhooks ?? {};
  assert.deepEqual(Object.keys(webhooks).sort(), [...WEBHOOK_EVENT_TYPES].sort());
  for (const type of WEBHOOK_EVENT_TYPES) {
    const entry = webhooks[type];
    assert.ok(entry?.post.summary, `${type} has a summary`);
    const headers = (entry.post.parameters ?? []).filter((p) => p.in === 'header');
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
      assert.ok(
        headers.some((p) => p.name === name),
        `${type} documents ${name}`,
      );
    const body = entry.post.requestBody.content['application/json'];
    const examples = Object.values(body.examples);
    assert.ok(examples.length > 0, `${type} has an example`);
    const validate = validator(body.schema);
    for (const ex of examples) {
      assert.ok(validate(ex.value), `${type}: ${JSON.stringify(validate.errors)}`);
      assert.equal((ex.value as { type: string }).type, type);
    }
    // The schema is not a blank cheque: another type's body, or one without data, is refused.
    const other = { ...(examples[0]?.value as Record<string, unknown>), type: `${type}_other` };
    assert.ok(!validate(other), `${type} refuses another type`);
    const noData = { ...(examples[0]?.value as Record<string, unknown>) };
    delete noData['data'];
    assert.ok(!validate(noData), `${type} requires data`);
  }
  // The admin routes that manage secrets are documented too.
  assert.ok(doc.paths['/api/admin/webhooks/{id}/rotate-secret']?.['post']);
  assert.ok(doc.paths['/api/admin/webhooks/{id}']?.['patch']);
});

test('what deliveries really carry validates against the documented schema of its type', async () => {
  const rx = await startReceiver();
  try {
    const hook = await h.createHook({ url: rx.url });
    const appid = await authorizeMerchant(sb, { nickname: 'Schema shop' });
    await h.sendText(appid, 'schema check');
    await h.received(rx, (r) => r.body.type === 'authorized', 'authorized');
    await h.received(rx, (r) => r.body.type === 'text', 'text');
    const missing = { ...(rx.ofType('text')[0]?.body ?? {}), data: {} };
    for (const r of rx.received) {
      const entry = doc.webhooks?.[r.body.type];
      assert.ok(entry, `${r.body.type} is documented`);
      const validate = validator(entry.post.requestBody.content['application/json'].schema);
      assert.ok(validate(JSON.parse(r.raw)), `${r.body.type}: ${JSON.stringify(validate.errors)}`);
    }
    const text = doc.webhooks?.['text'];
    assert.ok(text);
    const validateText = validator(text.post.requestBody.content['application/json'].schema);
    assert.ok(!validateText(missing), 'a text without its documented fields is refused');
    await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
  } finally {
    await rx.close();
  }
});
