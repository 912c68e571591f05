import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createSealer, parseMasterKey } from '../../src/crypto/seal.ts';
import { secretAad } from '../../src/services/webhook/service.ts';
import { createWebhookQueries } from '../../src/store/queries/webhooks.ts';
import { authorizeMerchant } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import {
  helpers,
  options,
  signatureMatches,
  startReceiver,
  type Hook,
  type ReceivedWebhook,
} from '../support/webhooks.ts';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/): every delivery carries webhook-id,
 * webhook-timestamp and webhook-signature, checked here with the reference library
 * (standardwebhooks' Webhook.verify) the way a receiver in any stack would; secrets are
 * `whsec_` + base64, caller-provided ones are checked, and rotation keeps the previous secret
 * valid for a grace period.
 */
type View = Hook & {
  secret_format: 'standard' | 'legacy';
  secret_rotated_at: string | null;
  previous_secret_expires_at: string | null;
};
type ErrorAnswer = {
  error: { code: string; message: string; field?: string; params?: Record<string, unknown> };
};

const b64Secret = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;

/** Webhook.verify with the received raw body and headers: true when a signature matches. */
function verifies(secret: string, r: ReceivedWebhook, raw = false): boolean {
  const wh = raw ? new Webhook(secret, { format: 'raw' }) : new Webhook(secret);
  try {
    wh.verify(r.raw, r.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

const signatures = (r: ReceivedWebhook) => String(r.headers['webhook-signature']).split(' ');

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`Standard Webhooks deliveries (${kind})`, () => {
    let sb: Sandbox;
    let appid: string;
    const h = helpers(() => sb);
    before(async () => {
      sb = await startSandbox({ db: kind, options });
      appid = await authorizeMerchant(sb, { nickname: 'Standard shop' });
    });
    after(() => sb.stop());

    test('a new webhook gets a whsec_ secret; every attempt verifies with Webhook.verify, webhook-id stays the same', async () => {
      const rx = await startReceiver((n) => (n === 0 ? 500 : 200));
      try {
        const hook = await h.createHook({ url: rx.url, events: ['text'] });
        assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
        const key = Buffer.from(hook.secret.slice('whsec_'.length), 'base64');
        assert.equal(key.length, 32);
        assert.equal((hook as View).secret_format, 'standard');

        await h.sendText(appid, 'standard hello');
        await eventually(async () => rx.received.length >= 2, 8000, 'a retry');
        const [first, second] = rx.received as [ReceivedWebhook, ReceivedWebhook];
        for (const r of [first, second]) {
          assert.ok(verifies(hook.secret, r), 'Webhook.verify accepts the delivery');
          assert.ok(signatureMatches(hook.secret, r), 'X-Openwx-Signature still matches');
          assert.equal(signatures(r).length, 1);
          assert.match(String(r.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);
          assert.equal(r.headers['webhook-timestamp'], r.headers['x-openwx-timestamp']);
          assert.equal(r.body.data['Content'], 'standard hello');
        }
        assert.equal(first.headers['webhook-id'], second.headers['webhook-id']);
        assert.equal(first.headers['webhook-id'], `msg_${first.headers['x-openwx-delivery']}`);
        assert.ok(!verifies(b64Secret(32), second), 'another secret does not verify');
        // A changed body no longer verifies.
        assert.ok(!verifies(hook.secret, { ...second, raw: second.raw.replace('hello', 'hellO') }));
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
      } finally {
        await rx.close();
      }
    });

    test('rotate-secret: both secrets verify during the grace period, the old one no longer after it', async () => {
      const rx = await startReceiver();
      try {
        const hook = await h.createHook({ url: rx.url, events: ['text'] });
        const oldSecret = hook.secret;

        const rotated = await sb.call<View & { secret: string }>(
          `/api/admin/webhooks/${hook.id}/rotate-secret`,
          'POST',
        );
        assert.equal(rotated.status, 200);
        const newSecret = rotated.body.secret;
        assert.match(newSecret, /^whsec_/);
        assert.notEqual(newSecret, oldSecret);
        // The default grace period is 24 hours.
        const { secret_rotated_at: at, previous_secret_expires_at: until } = rotated.body;
        assert.ok(at && until);
        assert.equal(Date.parse(until) - Date.parse(at), 24 * 3600_000);
        const shown = (await sb.call<View>(`/api/admin/webhooks/${hook.id}`)).body;
        assert.equal(shown.secret, undefined, 'the new secret is shown only once');
        assert.equal(shown.previous_secret_expires_at, until);

        await h.sendText(appid, 'during the grace period');
        const during = await h.received(
          rx,
          (r) => r.body.data['Content'] === 'during the grace period',
          'delivery during the grace period',
        );
        assert.equal(signatures(during).length, 2);
        assert.ok(verifies(newSecret, during), 'the new secret verifies');
        assert.ok(verifies(oldSecret, during), 'the old secret verifies');
        assert.ok(signatureMatches(oldSecret, during), 'X-Openwx-Signature: the old secret');

        // A second rotation with a grace period of 1 s: once it is over, only the newest signs.
        const again = await sb.call<View & { secret: string }>(
          `/api/admin/webhooks/${hook.id}/rotate-secret`,
          'POST',
          { graceSeconds: 1 },
        );
        assert.equal(again.status, 200);
        const newest = again.body.secret;
        const end = Date.parse(again.body.previous_secret_expires_at ?? '');
        await eventually(async () => Date.now() > end + 100, 5000, 'the end of the grace period');
        assert.equal(
          (await sb.call<View>(`/api/admin/webhooks/${hook.id}`)).body.previous_secret_expires_at,
          null,
        );
        await h.sendText(appid, 'after the grace period');
        const afterGrace = await h.received(
          rx,
          (r) => r.body.data['Content'] === 'after the grace period',
          'delivery after the grace period',
        );
        assert.equal(signatures(afterGrace).length, 1);
        assert.ok(verifies(newest, afterGrace), 'the newest secret verifies');
        assert.ok(!verifies(newSecret, afterGrace), 'the previous secret fails after its grace');
        assert.ok(!verifies(oldSecret, afterGrace), 'the first secret fails');
        assert.ok(signatureMatches(newest, afterGrace), 'X-Openwx-Signature: the newest secret');
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
      } finally {
        await rx.close();
      }
    });
  });
}

describe('Standard Webhooks secrets and event types (pglite)', () => {
  let sb: Sandbox;
  let appid: string;
  const h = helpers(() => sb);
  const count = async () =>
    ((await (await sb.admin('/api/admin/webhooks')).json()) as { items: Hook[] }).items.length;
  before(async () => {
    sb = await startSandbox({ options });
    appid = await authorizeMerchant(sb);
  });
  after(() => sb.stop());

  test('a caller-provided secret must be whsec_ + base64 of 24 to 64 bytes: else 400 webhook_secret_invalid and nothing stored', async () => {
    const before = await count();
    const bad: [string, unknown][] = [
      ['too short a text', 'short'],
      ['printable but not whsec_', 'an-old-style-secret-1234567890'],
      ['base64 without the prefix', randomBytes(32).toString('base64')],
      ['23 bytes', b64Secret(23)],
      ['65 bytes', b64Secret(65)],
      ['not base64', `whsec_${'!'.repeat(44)}`],
      ['base64url', `whsec_${randomBytes(32).toString('base64url')}-_`],
      ['missing padding', b64Secret(32).replace(/=+$/, '')],
      ['empty key', 'whsec_'],
      ['very long', `whsec_${'A'.repeat(4000)}`],
      ['a number', 1234567890123],
      [
        'a space inside',
        `whsec_${randomBytes(15).toString('base64')} ${randomBytes(15).toString('base64')}`,
      ],
    ];
    for (const [name, secret] of bad) {
      const res = await sb.call<ErrorAnswer>('/api/admin/webhooks', 'POST', {
        url: 'http://127.0.0.1:9/h',
        secret,
      });
      assert.equal(res.status, 400, name);
      assert.equal(res.body.error.code, 'webhook_secret_invalid', name);
      assert.equal(res.body.error.field, 'secret', name);
      assert.match(res.body.error.message, /whsec_/);
    }
    assert.equal(await count(), before);

    const rx = await startReceiver();
    try {
      for (const bytes of [24, 64]) {
        const secret = b64Secret(bytes);
        const hook = await h.createHook({ url: rx.url, events: ['text'], secret });
        assert.equal(hook.secret, secret);
        await h.sendText(appid, `key of ${bytes} bytes`);
        const got = await h.received(
          rx,
          (r) => r.body.data['Content'] === `key of ${bytes} bytes`,
          `delivery with a ${bytes}-byte key`,
        );
        assert.ok(verifies(secret, got), `${bytes} bytes: Webhook.verify`);
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
      }
    } finally {
      await rx.close();
    }
  });

  test('an unknown event type is 400 webhook_event_type_unknown naming the type, on create and update', async () => {
    const before = await count();
    const created = await sb.call<ErrorAnswer>('/api/admin/webhooks', 'POST', {
      url: 'http://127.0.0.1:9/h',
      events: ['text', 'no_such_event'],
    });
    assert.equal(created.status, 400);
    assert.equal(created.body.error.code, 'webhook_event_type_unknown');
    assert.equal(created.body.error.field, 'events');
    assert.deepEqual(created.body.error.params, { reason: 'not_in_list', type: 'no_such_event' });
    assert.match(created.body.error.message, /no_such_event/);
    assert.equal(await count(), before);

    const hook = await h.createHook({ url: 'http://127.0.0.1:9/h', events: ['text'] });
    const updated = await sb.call<ErrorAnswer>(`/api/admin/webhooks/${hook.id}`, 'PATCH', {
      events: ['subscribe', 'Subscribe'],
    });
    assert.equal(updated.status, 400);
    assert.equal(updated.body.error.code, 'webhook_event_type_unknown');
    assert.deepEqual(updated.body.error.params, { reason: 'not_in_list', type: 'Subscribe' });
    assert.deepEqual((await sb.call<View>(`/api/admin/webhooks/${hook.id}`)).body.events, ['text']);
    await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
  });

  test('PATCH: changes what is given; a bad secret changes nothing; a new secret is shown once and signs at once', async () => {
    const rx = await startReceiver();
    try {
      const hook = await h.createHook({
        url: 'http://127.0.0.1:9/h',
        events: ['text'],
        receive_secrets: true,
      });
      const refused = await sb.call<ErrorAnswer>(`/api/admin/webhooks/${hook.id}`, 'PATCH', {
        url: rx.url,
        secret: 'whsec_tooshort',
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'webhook_secret_invalid');
      const unchanged = (await sb.call<View>(`/api/admin/webhooks/${hook.id}`)).body;
      assert.equal(unchanged.url, 'http://127.0.0.1:9/h');
      assert.equal(unchanged.secret_rotated_at, null);

      const empty = await sb.call<ErrorAnswer>(`/api/admin/webhooks/${hook.id}`, 'PATCH', {});
      assert.equal(empty.status, 400);
      const missing = await sb.call<ErrorAnswer>(
        '/api/admin/webhooks/00000000-0000-4000-8000-000000000000',
        'PATCH',
        { receive_secrets: true },
      );
      assert.equal(missing.status, 404);

      const secret = b64Secret(32);
      const changed = await sb.call<View>(`/api/admin/webhooks/${hook.id}`, 'PATCH', {
        url: rx.url,
        events: null,
        secret,
      });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.secret, secret);
      assert.equal(changed.body.url, rx.url);
      assert.equal(changed.body.events, null);
      assert.equal(changed.body.receive_secrets, true, 'a field not given is kept');
      assert.equal((await sb.call<View>(`/api/admin/webhooks/${hook.id}`)).body.secret, undefined);
      await h.sendText(appid, 'after patch');
      const got = await h.received(
        rx,
        (r) => r.body.data['Content'] === 'after patch',
        'delivery after patch',
      );
      assert.equal(signatures(got).length, 1);
      assert.ok(verifies(secret, got));
      assert.ok(!verifies(hook.secret, got), 'the replaced secret has no grace period');
      await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await rx.close();
    }
  });

  test('rotate-secret refuses a grace period out of bounds and an unknown webhook, changing nothing', async () => {
    const hook = await h.createHook({ url: 'http://127.0.0.1:9/h' });
    for (const graceSeconds of [-1, 7 * 24 * 3600 + 1, 1.5, 'soon']) {
      const res = await sb.call<ErrorAnswer>(
        `/api/admin/webhooks/${hook.id}/rotate-secret`,
        'POST',
        { graceSeconds },
      );
      assert.equal(res.status, 400, String(graceSeconds));
      assert.equal(res.body.error.code, 'bad_request');
      assert.equal(res.body.error.field, 'graceSeconds', String(graceSeconds));
    }
    assert.equal(
      (await sb.call<View>(`/api/admin/webhooks/${hook.id}`)).body.secret_rotated_at,
      null,
    );
    const missing = await sb.call<ErrorAnswer>(
      '/api/admin/webhooks/00000000-0000-4000-8000-000000000000/rotate-secret',
      'POST',
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    const week = await sb.call<View & { secret: string }>(
      `/api/admin/webhooks/${hook.id}/rotate-secret`,
      'POST',
      { graceSeconds: 7 * 24 * 3600 },
    );
    assert.equal(week.status, 200);
    await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
  });

  test('a webhook stored with an older-style secret keeps working and gets a standard secret on rotation', async () => {
    const rx = await startReceiver();
    try {
      const legacy = 'an-older-style-secret!1234';
      const id = 'legacy-secret-hook';
      const sealer = createSealer(parseMasterKey(sb.openwx.config.masterKey));
      await createWebhookQueries(sb.openwx.db).insert({
        id,
        url: rx.url,
        eventTypes: ['text'],
        tenantId: null,
        secretSealed: sealer.seal(legacy, secretAad(id)),
        receiveSecrets: false,
        at: new Date(),
      });
      assert.equal((await sb.call<View>(`/api/admin/webhooks/${id}`)).body.secret_format, 'legacy');
      await h.sendText(appid, 'legacy secret');
      const old = await h.received(
        rx,
        (r) => r.body.data['Content'] === 'legacy secret',
        'legacy delivery',
      );
      assert.ok(signatureMatches(legacy, old), 'X-Openwx-Signature as before');
      assert.ok(verifies(legacy, old, true), 'webhook-signature keyed with the secret’s bytes');

      const rotated = await sb.call<View & { secret: string }>(
        `/api/admin/webhooks/${id}/rotate-secret`,
        'POST',
        { graceSeconds: 3600 },
      );
      assert.equal(rotated.status, 200);
      assert.equal(rotated.body.secret_format, 'standard');
      await h.sendText(appid, 'rotated legacy');
      const got = await h.received(
        rx,
        (r) => r.body.data['Content'] === 'rotated legacy',
        'delivery after rotating a legacy secret',
      );
      assert.ok(verifies(rotated.body.secret, got), 'the new standard secret verifies');
      assert.ok(verifies(legacy, got, true), 'the legacy secret verifies during the grace period');
      assert.ok(signatureMatches(legacy, got));
      await sb.admin(`/api/admin/webhooks/${id}`, { method: 'DELETE' });

      // A secret generated before (whsec_ + 40 letters and digits) is valid base64: Standard
      // Webhooks libraries take it as it is.
      const generated = `whsec_${'Ab3dEf6hIj'.repeat(4)}`;
      const oldId = 'old-generated-secret-hook';
      await createWebhookQueries(sb.openwx.db).insert({
        id: oldId,
        url: rx.url,
        eventTypes: ['text'],
        tenantId: null,
        secretSealed: sealer.seal(generated, secretAad(oldId)),
        receiveSecrets: false,
        at: new Date(),
      });
      const oldView = (await sb.call<View>(`/api/admin/webhooks/${oldId}`)).body;
      assert.equal(oldView.secret_format, 'standard');
      await h.sendText(appid, 'old generated secret');
      const fromOld = await h.received(
        rx,
        (r) => r.body.data['Content'] === 'old generated secret',
        'delivery with an old generated secret',
      );
      assert.ok(verifies(generated, fromOld), 'Webhook.verify with the old generated secret');
      assert.ok(signatureMatches(generated, fromOld));
      await sb.admin(`/api/admin/webhooks/${oldId}`, { method: 'DELETE' });
    } finally {
      await rx.close();
    }
  });

  test('the secret is stored sealed, the previous one too', async () => {
    const hook = await h.createHook({ url: 'http://127.0.0.1:9/h' });
    const rotated = await sb.call<{ secret: string }>(
      `/api/admin/webhooks/${hook.id}/rotate-secret`,
      'POST',
      { graceSeconds: 60 },
    );
    const rows = await sb.openwx.db.query<Record<string, unknown>>(
      'SELECT * FROM webhooks WHERE id = $1',
      [hook.id],
    );
    const stored = JSON.stringify(rows.rows[0]);
    for (const s of [hook.secret, rotated.body.secret]) {
      assert.ok(!stored.includes(s), 'no secret in clear');
      assert.ok(!stored.includes(s.slice('whsec_'.length, 30)), 'not even its key');
    }
    assert.match(String(rows.rows[0]?.['previous_secret_sealed']), /^v1:/);
    await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
  });
});
