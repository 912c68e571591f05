import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeMerchant } from '../support/flows.ts';
import { post, push, textMessageXml } from '../support/pushes.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import {
  helpers,
  options,
  signatureMatches,
  startReceiver,
  type Delivery,
  type Hook,
} from '../support/webhooks.ts';

/**
 * Webhooks through real HTTP: openwx in sandbox mode posts to a node:http receiver on 127.0.0.1.
 * Timeout, backoff and retry window are shortened so that retries and dead letters take about a
 * second; the default 24-hour schedule is tested with a manual clock in webhooks-outbox.test.ts.
 */
for (const kind of ['pglite', 'postgres'] as const) {
  describe(`webhook delivery (${kind})`, () => {
    let sb: Sandbox;
    const h = helpers(() => sb);
    before(async () => {
      sb = await startSandbox({ db: kind, options });
    });
    after(() => sb.stop());

    test('an authorization and a message arrive signed, with the documented fields', async () => {
      const rx = await startReceiver();
      try {
        const hook = await h.createHook({ url: rx.url });
        assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
        assert.equal(hook.events, null);
        assert.equal(hook.receive_secrets, false);
        const appid = await authorizeMerchant(sb, { nickname: 'Webhook shop' });
        await h.sendText(appid, 'hello webhook');

        const auth = await h.received(rx, (r) => r.body.type === 'authorized', 'authorized');
        assert.equal(auth.body.appid, appid);
        assert.equal(auth.body.data['AuthorizationCode'], '[redacted]');
        const msg = await h.received(
          rx,
          (r) => r.body.type === 'text' && r.body.data['Content'] === 'hello webhook',
          'text message',
        );
        for (const r of [auth, msg]) assert.ok(signatureMatches(hook.secret, r), 'signature');
        assert.ok(!signatureMatches('whsec_not_the_secret_at_all', msg));
        assert.deepEqual(Object.keys(msg.body).sort(), [
          'appid',
          'data',
          'id',
          'received_at',
          'tenant_id',
          'type',
        ]);
        assert.equal(msg.body.appid, appid);
        assert.equal(msg.body.tenant_id, null);
        assert.equal(msg.headers['x-openwx-event'], 'text');
        assert.equal(msg.headers['content-type'], 'application/json');
        const ts = Number(msg.headers['x-openwx-timestamp']);
        assert.ok(Math.abs(ts - Date.now() / 1000) < 60, 'timestamp in unix seconds');
        assert.equal(new Date(msg.body.received_at).toISOString(), msg.body.received_at);

        const stored = (await (await sb.admin(`/api/admin/events/${msg.body.id}`)).json()) as {
          type: string;
          appid: string;
        };
        assert.deepEqual([stored.type, stored.appid], ['text', appid]);

        const list = await eventually(async () => {
          const items = await h.deliveries(hook.id);
          return items.find((d) => d.event_id === msg.body.id && d.status === 'delivered')
            ? items
            : undefined;
        });
        const d = list.find((x) => x.event_id === msg.body.id) as Delivery;
        assert.equal(String(d.id), msg.headers['x-openwx-delivery']);
        assert.deepEqual([d.event_type, d.attempts, d.last_status_code], ['text', 1, 200]);
        assert.equal(d.next_attempt_at, null);
        assert.ok(
          list.some((x) => x.event_type === 'authorized'),
          'the authorization was delivered too',
        );
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
      } finally {
        await rx.close();
      }
    });

    test('a receiver that times out, then answers 500, is retried until it takes the event', async () => {
      const answers = ['hang', 500, 200] as const;
      const rx = await startReceiver((n) => answers[Math.min(n, 2)] ?? 200);
      try {
        const hook = await h.createHook({ url: rx.url, events: ['text'] });
        const appid = await authorizeMerchant(sb);
        await h.sendText(appid, 'retry me');
        const d = await eventually(
          async () => (await h.deliveries(hook.id)).find((x) => x.status === 'delivered'),
          8000,
          'delivered after retries',
        );
        assert.equal(d.attempts, 3);
        assert.equal(rx.received.length, 3);
        assert.ok(rx.received.every((r) => r.body.id === d.event_id));
        assert.ok(rx.received.every((r) => r.headers['x-openwx-delivery'] === String(d.id)));
        assert.ok(rx.received.every((r) => signatureMatches(hook.secret, r)));
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
      } finally {
        await rx.close();
      }
    });
  });
}

describe('webhooks (pglite)', () => {
  let sb: Sandbox;
  let appid: string;
  const h = helpers(() => sb);
  const userNameOf = async (a: string) =>
    ((await (await sb.admin(`/api/admin/authorizers/${a}`)).json()) as { user_name: string })
      .user_name;
  before(async () => {
    sb = await startSandbox({ options });
    appid = await authorizeMerchant(sb);
  });
  after(() => sb.stop());

  test('bad input is refused with a 4xx naming the field, and nothing changes', async () => {
    const count = async () =>
      ((await (await sb.admin('/api/admin/webhooks')).json()) as { items: Hook[] }).items.length;
    const before = await count();
    const cases: [string, RequestInit, number, string, string?][] = [
      ['ftp URL', h.json({ url: 'ftp://127.0.0.1/hook' }), 400, 'url'],
      ['javascript URL', h.json({ url: 'javascript:alert(1)' }), 400, 'url'],
      ['file URL', h.json({ url: 'file:///etc/passwd' }), 400, 'url'],
      ['not a URL', h.json({ url: 'hook' }), 400, 'url'],
      [
        'malformed JSON',
        { method: 'POST', body: '{"url": ', headers: { 'content-type': 'application/json' } },
        400,
        'body',
      ],
      [
        'unknown event type',
        h.json({ url: 'http://127.0.0.1:9/h', events: ['text', 'no_such_event'] }),
        400,
        'events',
        'webhook_event_type_unknown',
      ],
      [
        'unknown tenant_id',
        h.json({ url: 'http://127.0.0.1:9/h', tenant_id: 'nobody' }),
        400,
        'tenant_id',
      ],
      [
        'short secret',
        h.json({ url: 'http://127.0.0.1:9/h', secret: 'short' }),
        400,
        'secret',
        'webhook_secret_invalid',
      ],
    ];
    for (const [name, init, status, field, code = 'bad_request'] of cases) {
      const res = await sb.admin('/api/admin/webhooks', init);
      const body = (await res.json()) as {
        error: { code: string; message: string; field?: string };
      };
      assert.equal(res.status, status, name);
      assert.equal(body.error.code, code, name);
      assert.equal(body.error.field, field, `${name}: ${body.error.message}`);
      assert.ok(body.error.message.length > 0);
    }
    assert.equal(await count(), before);

    const hook = await h.createHook({ url: 'http://127.0.0.1:9/h' });
    const missing = '00000000-0000-4000-8000-000000000000';
    const notFound: [string, string, RequestInit][] = [
      ['GET webhook', `/api/admin/webhooks/${missing}`, {}],
      ['DELETE webhook', `/api/admin/webhooks/${missing}`, { method: 'DELETE' }],
      ['deliveries', `/api/admin/webhooks/${missing}/deliveries`, {}],
      [
        'redeliver, unknown webhook',
        `/api/admin/webhooks/${missing}/deliveries/1/redeliver`,
        { method: 'POST' },
      ],
      [
        'redeliver, unknown delivery',
        `/api/admin/webhooks/${hook.id}/deliveries/999999/redeliver`,
        { method: 'POST' },
      ],
      [
        'redeliver, bad delivery id',
        `/api/admin/webhooks/${hook.id}/deliveries/abc/redeliver`,
        { method: 'POST' },
      ],
    ];
    for (const [name, path, init] of notFound) {
      const res = await sb.admin(path, init);
      assert.equal(res.status, 404, name);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
    }
    assert.equal((await fetch(`${sb.url}/api/admin/webhooks`)).status, 401);
    assert.equal(
      (await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' })).status,
      204,
    );
    assert.equal((await sb.admin(`/api/admin/webhooks/${hook.id}`)).status, 404);
    assert.equal(await count(), before);
  });

  test('the tenant filter and the event-type filter', async () => {
    const created = await sb.admin('/api/admin/tenants', h.json({ name: 'Tenant A' }));
    assert.equal(created.status, 201);
    const tenantId = ((await created.json()) as { id: string }).id;
    const other = await authorizeMerchant(sb, { type: 'officialaccount', nickname: 'Other' });
    const assigned = await sb.admin(`/api/admin/authorizers/${appid}`, {
      ...h.json({ tenant_id: tenantId }),
      method: 'PATCH',
    });
    assert.equal(assigned.status, 200);
    const [rxTenant, rxType, rxAll] = [
      await startReceiver(),
      await startReceiver(),
      await startReceiver(),
    ];
    try {
      const byTenant = await h.createHook({ url: rxTenant.url, tenant_id: tenantId });
      assert.equal(byTenant.tenant_id, tenantId);
      const byType = await h.createHook({ url: rxType.url, events: ['subscribe'] });
      const all = await h.createHook({ url: rxAll.url });
      await h.sendText(appid, 'for tenant a');
      await h.sendText(other, 'for nobody');
      const subscribe = `<xml><ToUserName><![CDATA[${await userNameOf(other)}]]></ToUserName><FromUserName><![CDATA[oUSER000000000000000000000043]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
      await sb.control('/events', { appid: other, xml: subscribe });
      // Once the unfiltered webhook has all three, every webhook's deliveries are fanned out.
      await eventually(async () => rxAll.received.length >= 3, 8000, 'three events');
      await eventually(async () => rxTenant.received.length >= 1 && rxType.received.length >= 1);
      assert.deepEqual(
        rxTenant.received.map((r) => [
          r.body.type,
          r.body.appid,
          r.body.tenant_id,
          r.body.data['Content'],
        ]),
        [['text', appid, tenantId, 'for tenant a']],
      );
      assert.deepEqual(
        rxType.received.map((r) => [r.body.type, r.body.appid, r.body.tenant_id]),
        [['subscribe', other, null]],
      );
      assert.equal(rxType.received[0]?.headers['x-openwx-event'], 'subscribe');
      assert.equal((await h.deliveries(byTenant.id)).length, 1);
      assert.equal((await h.deliveries(byType.id)).length, 1);
      for (const hook of [byTenant, byType, all])
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await Promise.all([rxTenant.close(), rxType.close(), rxAll.close()]);
    }
  });

  test('an authorization through a tenant’s link reaches that tenant’s webhook', async () => {
    const created = await sb.admin('/api/admin/tenants', h.json({ name: 'Tenant B' }));
    const tenantId = ((await created.json()) as { id: string }).id;
    const rx = await startReceiver();
    try {
      const hook = await h.createHook({ url: rx.url, tenant_id: tenantId, events: ['authorized'] });
      const link = await sb.admin('/api/admin/authorizations', h.json({ tenant_id: tenantId }));
      assert.equal(link.status, 201);
      const { pre_auth_code: preAuthCode } = (await link.json()) as { pre_auth_code: string };
      const newAppid = await authorizeMerchant(sb, { preAuthCode, nickname: 'Tenant B shop' });
      const got = await h.received(rx, (r) => r.body.type === 'authorized', 'authorized');
      assert.deepEqual([got.body.appid, got.body.tenant_id], [newAppid, tenantId]);
      await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await rx.close();
    }
  });

  test('after the retry window a delivery is dead; redeliver sends it again', async () => {
    const rx = await startReceiver(() => 500);
    try {
      const hook = await h.createHook({ url: rx.url, events: ['text'] });
      await h.sendText(appid, 'doomed');
      const dead = await eventually(
        async () => (await h.deliveries(hook.id)).find((d) => d.status === 'dead'),
        8000,
        'dead delivery',
      );
      assert.ok(dead.attempts >= 2, `attempts ${dead.attempts}`);
      assert.equal(dead.last_status_code, 500);
      assert.match(dead.last_error ?? '', /HTTP 500/);
      assert.equal(dead.next_attempt_at, null);
      const sent = rx.received.length;
      assert.equal(sent, dead.attempts);

      rx.answer = () => 200;
      const path = `/api/admin/webhooks/${hook.id}/deliveries/${dead.id}/redeliver`;
      const res = await sb.admin(path, { method: 'POST' });
      assert.equal(res.status, 202);
      assert.equal(((await res.json()) as Delivery).status, 'pending');
      const done = await eventually(
        async () => (await h.deliveries(hook.id)).find((d) => d.status === 'delivered'),
        5000,
        'redelivered',
      );
      assert.equal(done.id, dead.id);
      assert.equal(done.attempts, dead.attempts + 1);
      assert.equal(rx.received.length, sent + 1);
      // A delivered one can be sent again too.
      assert.equal((await sb.admin(path, { method: 'POST' })).status, 202);
      await eventually(async () => rx.received.length === sent + 2, 5000, 'second redelivery');
      assert.equal(rx.received.at(-1)?.headers['x-openwx-delivery'], String(dead.id));
      await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await rx.close();
    }
  });

  test('token.refreshed goes only to a webhook marked receive_secrets; the token is never stored in clear', async () => {
    const [rxSecret, rxPlain] = [await startReceiver(), await startReceiver()];
    try {
      const secretHook = await h.createHook({
        url: rxSecret.url,
        events: ['token.refreshed'],
        receive_secrets: true,
      });
      const plainHook = await h.createHook({ url: rxPlain.url });
      const listed = ((await (await sb.admin('/api/admin/webhooks')).json()) as { items: Hook[] })
        .items;
      assert.equal(listed.find((x) => x.id === secretHook.id)?.receive_secrets, true);
      assert.equal(listed.find((x) => x.id === plainHook.id)?.receive_secrets, false);
      assert.ok(listed.every((x) => x.secret === undefined));
      assert.equal(
        ((await (await sb.admin(`/api/admin/webhooks/${plainHook.id}`)).json()) as Hook).secret,
        undefined,
      );

      const fresh = await sb.openwx.tokens.forceRefresh('authorizer', appid);
      const got = await h.received(
        rxSecret,
        (r) => r.body.type === 'token.refreshed' && r.body.appid === appid,
        'token.refreshed',
      );
      assert.ok(signatureMatches(secretHook.secret, got));
      assert.deepEqual(got.body.data, {
        kind: 'authorizer',
        appid,
        access_token: fresh.access_token,
        expires_at: fresh.expires_at,
      });
      assert.equal(got.body.appid, appid);

      // A refresh failure reaches the unmarked webhook, which never sees token.refreshed.
      await sb.control('/faults', { endpoint: 'api_authorizer_token', errcode: 61023, times: 1 });
      await assert.rejects(sb.openwx.tokens.forceRefresh('authorizer', appid));
      const failed = await h.received(
        rxPlain,
        (r) => r.body.type === 'token.refresh_failed',
        'failure',
      );
      assert.equal(failed.body.data['kind'], 'authorizer');
      assert.match(String(failed.body.data['error']), /61023/);
      assert.deepEqual(
        rxPlain.received.filter((r) => r.body.type === 'token.refreshed'),
        [],
      );
      assert.ok(
        (await h.deliveries(plainHook.id)).every((d) => d.event_type !== 'token.refreshed'),
      );
      assert.ok(rxSecret.received.every((r) => r.body.type === 'token.refreshed'));

      const leaks = await sb.openwx.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE raw LIKE $1 OR decoded::text LIKE $1 OR query::text LIKE $1`,
        [`%${fresh.access_token}%`],
      );
      assert.equal(leaks.rows[0]?.n, 0);
      const sealed = await sb.openwx.db.query<{ sealed: string }>(
        'SELECT sealed FROM event_secrets WHERE event_id = $1',
        [got.body.id],
      );
      assert.ok(sealed.rows[0] && !sealed.rows[0].sealed.includes(fresh.access_token));
      const shown = (await (await sb.admin(`/api/admin/events/${got.body.id}`)).json()) as {
        source: string;
        decoded: Record<string, unknown>;
      };
      assert.equal(shown.source, 'internal');
      assert.equal(shown.decoded['access_token'], '[redacted]');
      for (const hook of [secretHook, plainHook])
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await sb.control('/faults', undefined, 'DELETE');
      await Promise.all([rxSecret.close(), rxPlain.close()]);
    }
  });

  test('the push endpoint answers at once while the receiver hangs', async () => {
    const rx = await startReceiver(() => 'hang');
    try {
      const hook = await h.createHook({ url: rx.url, events: ['text'] });
      const url = `${sb.url}/api/openwx/callback/${appid}`;
      // The original id of the account: openwx refuses a push addressed to another one.
      const to = await userNameOf(appid);
      const first = await post(
        url,
        push(sb.openwx.config, textMessageXml('880000000000000001', 'hello', to)),
      );
      assert.equal(await first.text(), 'success');
      await h.received(rx, () => true, 'the first delivery, left hanging');

      const started = performance.now();
      const second = await post(
        url,
        push(sb.openwx.config, textMessageXml('880000000000000002', 'hello', to)),
      );
      const elapsed = performance.now() - started;
      assert.equal(second.status, 200);
      assert.equal(await second.text(), 'success');
      assert.ok(elapsed < 1000, `push took ${Math.round(elapsed)} ms`);
      // The receiver still has not answered the first delivery: nothing was counted yet.
      const pending = await h.deliveries(hook.id);
      assert.ok(pending.some((d) => d.attempts === 0 && d.status === 'pending'));
      await h.received(rx, (r) => r.body.data['MsgId'] === '880000000000000002', 'second delivery');
      await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await rx.close();
    }
  });
});
