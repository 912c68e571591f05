import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeMerchant } from '../support/flows.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Every change made with the admin token lands in the audit trail (who, what, when, from where,
 * the outcome; before and after for tenants and profiles), secrets redacted; GETs do not.
 */
interface Entry {
  id: number;
  at: string;
  actor: { kind: string; id: string | null; name: string | null };
  ip: string;
  method: string;
  route: string;
  params: Record<string, string>;
  appid: string | null;
  status: number;
  requestId: string;
  body: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
type Page = { items: Entry[]; next: number | null };

const CLIENT = '203.0.113.7';

for (const db of ['pglite', 'postgres'] as const) {
  describe(`audit trail (${db})`, () => {
    let sb: Sandbox;
    const page = async (query = ''): Promise<Page> => {
      const res = await sb.call<Page>(`/api/admin/audit${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    /** The entry of one answer, found by its request id. */
    const entryOf = async (res: Response): Promise<Entry> => {
      const id = res.headers.get('x-request-id');
      const found = (await page('?limit=200')).items.find((e) => e.requestId === id);
      assert.ok(found, `an entry for request ${id}`);
      return found;
    };
    const send = (path: string, method: string, body?: unknown, headers = {}) =>
      sb.admin(path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      });

    before(async () => {
      sb = await startSandbox({ db, env: { OPENWX_TRUST_PROXY: '127.0.0.1' } });
    });
    after(() => sb?.stop());

    test('a tenant created and patched: actor, address, route, status, before and after', async () => {
      const created = await send(
        '/api/admin/tenants',
        'POST',
        { name: 'Shop A' },
        {
          'x-forwarded-for': CLIENT,
        },
      );
      assert.equal(created.status, 201);
      const tenant = (await created.json()) as { id: string };
      const c = await entryOf(created);
      assert.deepEqual(c.actor, { kind: 'admin_token', id: null, name: null });
      assert.equal(c.ip, CLIENT);
      assert.equal(c.method, 'POST');
      assert.equal(c.route, '/api/admin/tenants');
      assert.equal(c.status, 201);
      assert.deepEqual(c.body, { name: 'Shop A' });
      assert.ok(Math.abs(Date.parse(c.at) - Date.now()) < 3600_000);

      const patched = await send(`/api/admin/tenants/${tenant.id}`, 'PATCH', { name: 'Shop B' });
      assert.equal(patched.status, 200);
      const p = await entryOf(patched);
      assert.equal(p.route, '/api/admin/tenants/:id');
      assert.deepEqual(p.params, { id: tenant.id });
      assert.equal(p.before?.['name'], 'Shop A');
      assert.equal(p.after?.['name'], 'Shop B');
      assert.equal(p.ip, '127.0.0.1', 'without X-Forwarded-For, the peer');
    });

    test('a profile edited: before and after', async () => {
      const created = await sb.call<{ id: string }>('/api/admin/profiles', 'POST', {
        name: 'first',
        webview_domains: ['https://a.example.com'],
      });
      assert.equal(created.status, 201);
      const res = await send(`/api/admin/profiles/${created.body.id}`, 'PATCH', {
        name: 'second',
      });
      assert.equal(res.status, 200, await res.clone().text());
      const e = await entryOf(res);
      assert.equal(e.before?.['name'], 'first');
      assert.equal(e.after?.['name'], 'second');
    });

    test('a key created and revoked is recorded, the key itself nowhere in the trail', async () => {
      const tenant = (await sb.call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'K' }))
        .body;
      const created = await send(`/api/admin/tenants/${tenant.id}/keys`, 'POST', { name: 'ci' });
      assert.equal(created.status, 201);
      const { id: keyId, key } = (await created.json()) as { id: string; key: string };
      assert.equal((await entryOf(created)).route, '/api/admin/tenants/:id/keys');
      const revoked = await send(`/api/admin/tenants/${tenant.id}/keys/${keyId}`, 'DELETE');
      assert.ok(revoked.status < 300);
      const r = await entryOf(revoked);
      assert.equal(r.method, 'DELETE');
      assert.deepEqual(r.params, { id: tenant.id, keyId });

      // A body field named like a secret is redacted.
      const secret = `whsec_${Buffer.from('fake-webhook-secret-0001-fake-key').toString('base64')}`;
      const hook = await send('/api/admin/webhooks', 'POST', {
        url: 'https://hooks.example.com/in',
        secret,
      });
      assert.equal(hook.status, 201, await hook.clone().text());
      assert.equal((await entryOf(hook)).body?.['secret'], '[redacted]');

      const table = await sb.openwx.db.query<{ t: string }>(
        'SELECT string_agg(audit_log::text, E"\\n") AS t FROM audit_log'.replace(/"/g, "'"),
      );
      const text = table.rows[0]?.t ?? '';
      assert.ok(text.length > 0);
      assert.ok(!text.includes(key), 'the created key is not stored');
      assert.ok(!text.includes(sb.adminToken), 'the admin token is not stored');
      assert.ok(!text.includes(secret), 'the webhook secret is not stored');
    });

    test('a code action on a mini program records its appid; a refused change its status', async () => {
      const appid = await authorizeMerchant(sb, { nickname: 'Audit shop' });
      const res = await send(`/api/admin/authorizers/${appid}/code/commit`, 'POST', {});
      assert.equal(res.status, 400);
      const e = await entryOf(res);
      assert.equal(e.route, '/api/admin/authorizers/:appid/code/commit');
      assert.equal(e.appid, appid);
      assert.equal(e.params['appid'], appid);
      assert.equal(e.status, 400);

      const byApp = await page(`?appid=${appid}`);
      assert.ok(byApp.items.length > 0);
      assert.ok(byApp.items.every((i) => i.appid === appid));
    });

    test('the reveal of the key is recorded; GETs, tenant calls and bad tokens are not', async () => {
      const reveal = await send('/api/admin/platform-settings/reveal-aes-key', 'POST');
      assert.equal(reveal.status, 200);
      const { aesKey } = (await reveal.json()) as { aesKey: string };
      const e = await entryOf(reveal);
      assert.equal(e.route, '/api/admin/platform-settings/reveal-aes-key');
      assert.ok(!JSON.stringify(e).includes(aesKey));

      const get = await sb.admin('/api/admin/tenants');
      assert.equal(get.status, 200);
      const bad = await fetch(`${sb.url}/api/admin/tenants`, {
        method: 'POST',
        headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      });
      assert.equal(bad.status, 401);
      const ids = new Set((await page('?limit=200')).items.map((i) => i.requestId));
      assert.ok(!ids.has(get.headers.get('x-request-id') ?? ''));
      assert.ok(!ids.has(bad.headers.get('x-request-id') ?? ''));
      assert.ok((await page('?limit=200')).items.every((i) => i.method !== 'GET'));
    });

    test('an ICP application is recorded by its fields, never the personal data in them', async () => {
      const idNumber = '110101199001010000';
      const phone = '13800000000';
      const res = await send('/api/admin/authorizers/wxfake00000000001/icp/application', 'POST', {
        icp_subject: { principal_info: { certificate_number: idNumber, mobile: phone } },
        icp_applets: {},
        icp_materials: {},
      });
      const e = await entryOf(res);
      assert.equal(e.route, '/api/admin/authorizers/:appid/icp/application');
      assert.deepEqual(e.body, {
        personal_data_omitted: true,
        fields: ['icp_subject', 'icp_applets', 'icp_materials'],
      });
      const table = await sb.openwx.db.query<{ t: string }>(
        "SELECT string_agg(audit_log::text, ' ') AS t FROM audit_log",
      );
      assert.ok(!(table.rows[0]?.t ?? '').includes(idNumber));
      assert.ok(!(table.rows[0]?.t ?? '').includes(phone));
    });

    test('filters and pagination', async () => {
      for (const name of ['p1', 'p2', 'p3'])
        assert.equal((await sb.call('/api/admin/tenants', 'POST', { name })).status, 201);
      const posts = await page('?route=/api/admin/tenants&method=POST');
      assert.ok(posts.items.length >= 3);
      assert.ok(posts.items.every((i) => i.route === '/api/admin/tenants'));
      const ids = posts.items.map((i) => i.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
        'newest first',
      );

      const first = await page('?route=/api/admin/tenants&limit=2');
      assert.equal(first.items.length, 2);
      assert.ok(first.next !== null);
      const second = await page(`?route=/api/admin/tenants&limit=2&before=${first.next}`);
      assert.ok(second.items.length > 0);
      assert.ok(second.items.every((i) => i.id < (first.next ?? 0)));

      assert.ok((await page('?actor=admin_token')).items.length > 0);
      assert.equal((await page('?actor=someone-else')).items.length, 0);
      const future = encodeURIComponent(new Date(Date.now() + 3600_000).toISOString());
      assert.equal((await page(`?since=${future}`)).items.length, 0);
      assert.ok((await page(`?until=${future}`)).items.length > 0);

      const badFilter = await sb.call<{ error: { code: string } }>(
        '/api/admin/audit?since=yesterday',
      );
      assert.equal(badFilter.status, 400);
    });
  });
}
