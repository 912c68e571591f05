import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeMerchant } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { options, startReceiver, type Receiver } from '../support/webhooks.ts';

/**
 * The admin lists the console filters on: events by source and time, and the deliveries of every
 * webhook by status. A bad filter value is refused with 400 naming the field.
 */
describe('admin lists: event filters and deliveries of all webhooks', () => {
  let sb: Sandbox;
  let ok: Receiver;
  let failing: Receiver;
  let appid: string;
  const json = { 'content-type': 'application/json' };
  const getJson = async <T>(path: string): Promise<T> => {
    const res = await sb.admin(path);
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  type EventPage = { items: { id: number; source: string; type: string }[]; next: number | null };
  type DeliveryPage = {
    items: { id: number; webhook_id: string; status: string }[];
    next: number | null;
  };

  before(async () => {
    sb = await startSandbox({ options });
    ok = await startReceiver(() => 200);
    failing = await startReceiver(() => 500);
    for (const rx of [ok, failing]) {
      const res = await sb.admin('/api/admin/webhooks', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ url: rx.url }),
      });
      assert.equal(res.status, 201);
    }
    appid = await authorizeMerchant(sb, { nickname: 'Filter shop' });
    await sb.control('/messages', { appid, openid: 'oFILTER', content: 'hello' });
  });
  after(async () => {
    await sb?.stop();
    await ok?.close();
    await failing?.close();
  });

  test('events filter by source and received time', async () => {
    const all = await eventually(async () => {
      const page = await getJson<EventPage>('/api/admin/events?limit=200');
      return page.items.some((e) => e.type === 'text') ? page : undefined;
    });
    const messages = await getJson<EventPage>('/api/admin/events?source=message');
    assert.ok(messages.items.length > 0);
    assert.ok(messages.items.every((e) => e.source === 'message'));
    const auth = await getJson<EventPage>('/api/admin/events?source=auth');
    assert.ok(auth.items.some((e) => e.type === 'authorized'));
    assert.ok(auth.items.every((e) => e.source === 'auth'));
    assert.equal(
      messages.items.length +
        auth.items.length +
        all.items.filter((e) => e.source === 'internal').length,
      all.items.length,
    );

    const future = new Date(Date.now() + 3600_000).toISOString();
    const past = new Date(Date.now() - 3600_000).toISOString();
    assert.equal(
      (await getJson<EventPage>(`/api/admin/events?since=${encodeURIComponent(future)}`)).items
        .length,
      0,
    );
    assert.equal(
      (await getJson<EventPage>(`/api/admin/events?until=${encodeURIComponent(past)}`)).items
        .length,
      0,
    );
    const within = await getJson<EventPage>(
      `/api/admin/events?limit=200&since=${encodeURIComponent(past)}&until=${encodeURIComponent(future)}`,
    );
    assert.equal(within.items.length, all.items.length);
  });

  test('a bad event filter is refused naming the field', async () => {
    for (const [query, field] of [
      ['source=wechat', 'source'],
      ['since=yesterday', 'since'],
      ['until=2026-13-45', 'until'],
    ] as const) {
      const res = await sb.admin(`/api/admin/events?${query}`);
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: { field?: string } };
      assert.equal(body.error.field, field, query);
    }
  });

  test('deliveries of every webhook, filtered by status', async () => {
    const delivered = await eventually(
      async () => {
        const page = await getJson<DeliveryPage>('/api/admin/webhook-deliveries?status=delivered');
        return page.items.length > 0 ? page : undefined;
      },
      8000,
      'a delivered delivery',
    );
    assert.ok(delivered.items.every((d) => d.status === 'delivered'));
    const failed = await eventually(
      async () => {
        const page = await getJson<DeliveryPage>('/api/admin/webhook-deliveries?status=failed');
        const dead = await getJson<DeliveryPage>('/api/admin/webhook-deliveries?status=dead');
        return page.items.length + dead.items.length > 0
          ? [...page.items, ...dead.items]
          : undefined;
      },
      8000,
      'a failed delivery',
    );
    const hooks = new Set([...delivered.items, ...failed].map((d) => d.webhook_id));
    assert.equal(hooks.size, 2, 'deliveries of both webhooks are listed');

    const all = await getJson<DeliveryPage>('/api/admin/webhook-deliveries?limit=1');
    assert.equal(all.items.length, 1);
    assert.ok(all.next !== null);
    const second = await getJson<DeliveryPage>(
      `/api/admin/webhook-deliveries?limit=1&before=${all.next}`,
    );
    assert.ok((second.items[0]?.id ?? Infinity) < (all.items[0]?.id ?? 0));

    const bad = await sb.admin('/api/admin/webhook-deliveries?status=lost');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { field?: string } }).error.field, 'status');
  });

  test('the profile list names the tenants each profile is given to', async () => {
    const post = async <T>(method: string, path: string, body: unknown): Promise<T> => {
      const res = await sb.admin(path, { method, headers: json, body: JSON.stringify(body) });
      assert.ok(res.status < 300, `${path}: ${await res.clone().text()}`);
      return (await res.json()) as T;
    };
    const tenant = await post<{ id: string }>('POST', '/api/admin/tenants', { name: 'Given' });
    const base = await post<{ id: string }>('POST', '/api/admin/profiles', { name: 'Base' });
    const own = await post<{ id: string }>('POST', '/api/admin/profiles', { name: 'Own' });
    await post('PUT', `/api/admin/tenants/${tenant.id}/profile`, { profile_id: own.id });
    type List = { items: { id: string; tenant_ids: string[] }[] };
    const list = await getJson<List>('/api/admin/profiles');
    assert.deepEqual(list.items.find((p) => p.id === own.id)?.tenant_ids, [tenant.id]);
    assert.deepEqual(list.items.find((p) => p.id === base.id)?.tenant_ids, []);
  });
});
