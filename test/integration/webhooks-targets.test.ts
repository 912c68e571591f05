import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig, ConfigError } from '../../src/config/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { createSealer } from '../../src/crypto/seal.ts';
import type { Db } from '../../src/store/db.ts';
import { createEventQueries } from '../../src/store/queries/events.ts';
import { createWebhookQueries } from '../../src/store/queries/webhooks.ts';
import { createWebhookDelivery } from '../../src/services/webhook/delivery.ts';
import { replyExcerpt } from '../../src/services/webhook/post.ts';
import { createWebhookService, secretAad } from '../../src/services/webhook/service.ts';
import {
  createTargetPolicy,
  refusedAddressKind,
  type ResolvedAddress,
} from '../../src/services/webhook/target.ts';
import { freshPglite } from '../support/databases.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { startReceiver } from '../support/webhooks.ts';

/**
 * Webhook targets: no credentials in the URL; no loopback, private, link-local, shared or metadata
 * address unless allowed, checked at creation and again on the address each delivery connects to;
 * passwords kept out of logs and views; a failing answer stored as a short, clean excerpt.
 */
interface ErrorAnswer {
  error: { code: string; message: string; field?: string; params?: Record<string, unknown> };
}

describe('creating a webhook with private targets refused', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ env: { OPENWX_WEBHOOK_ALLOW_PRIVATE: '0' } });
  });
  after(() => sb.stop());

  const create = (url: string) => sb.call<ErrorAnswer>('/api/admin/webhooks', 'POST', { url });

  test('a URL with a user name and password is refused, naming the field, without echoing the password', async () => {
    const res = await create('https://hookuser:not-a-real-pass@hooks.example.com/in');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'webhook_url_credentials');
    assert.equal(res.body.error.field, 'url');
    assert.ok(!JSON.stringify(res.body).includes('not-a-real-pass'));
  });

  for (const [url, kind] of [
    ['http://10.0.0.1/hook', 'private'],
    ['http://192.168.1.20:8080/hook', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'metadata'],
    ['http://[fd00:ec2::254]/', 'metadata'],
    ['http://127.0.0.1:9000/hook', 'loopback'],
    ['http://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['http://100.64.0.9/hook', 'shared (CGNAT)'],
    ['http://[fe80::1]/hook', 'link-local'],
    ['http://0.0.0.0/hook', 'unspecified'],
  ] as const) {
    test(`${url} is refused as ${kind}`, async () => {
      const res = await create(url);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'webhook_url_forbidden');
      assert.equal(res.body.error.field, 'url');
      assert.equal(res.body.error.params?.['kind'], kind);
      assert.match(res.body.error.message, /OPENWX_WEBHOOK_ALLOW_PRIVATE=1/);
    });
  }

  test('a name that resolves to a loopback address (localhost) is refused', async () => {
    const res = await create('http://localhost:9000/hook');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'webhook_url_forbidden');
    assert.equal(res.body.error.params?.['kind'], 'loopback');
    assert.match(res.body.error.message, /localhost resolves to/);
  });

  test('a public address is accepted', async () => {
    const res = await create('https://192.0.2.10/hook');
    assert.equal(res.status, 201);
  });
});

test('address kinds: documentation ranges pass, every refused range is named', () => {
  for (const ok of ['192.0.2.1', '198.51.100.7', '203.0.113.9', '2001:db8::1', '172.32.0.1'])
    assert.equal(refusedAddressKind(ok), undefined, ok);
  assert.equal(refusedAddressKind('172.31.255.254'), 'private');
  assert.equal(refusedAddressKind('fc12::3'), 'private');
  assert.equal(refusedAddressKind('::1'), 'loopback');
  assert.equal(refusedAddressKind('::'), 'unspecified');
  assert.equal(refusedAddressKind('::ffff:a9fe:a9fe'), 'metadata');
  assert.equal(refusedAddressKind('169.254.10.1'), 'link-local');
});

test('private targets: allowed by default in sandbox mode, refused in live mode unless OPENWX_WEBHOOK_ALLOW_PRIVATE=1', () => {
  const dir = () => `/tmp/openwx-test-config-${randomBytes(6).toString('hex')}`;
  const live = {
    OPENWX_COMPONENT_APPID: 'wx0123456789abcdef',
    OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
    OPENWX_COMPONENT_TOKEN: 'openwxTestToken1',
    OPENWX_COMPONENT_AES_KEY: 'a'.repeat(43),
    OPENWX_MASTER_KEY: randomBytes(32).toString('hex'),
    OPENWX_ADMIN_TOKEN: 'x'.repeat(32),
    OPENWX_PUBLIC_URL: 'https://wx.example.com',
  };
  assert.equal(loadConfig({ OPENWX_DATA_DIR: dir() }).webhookAllowPrivate, true);
  assert.equal(loadConfig({ ...live, OPENWX_DATA_DIR: dir() }).webhookAllowPrivate, false);
  assert.equal(
    loadConfig({ ...live, OPENWX_DATA_DIR: dir(), OPENWX_WEBHOOK_ALLOW_PRIVATE: '1' })
      .webhookAllowPrivate,
    true,
  );
  assert.throws(
    () => loadConfig({ OPENWX_DATA_DIR: dir(), OPENWX_WEBHOOK_ALLOW_PRIVATE: 'sometimes' }),
    (err) => err instanceof ConfigError && err.key === 'OPENWX_WEBHOOK_ALLOW_PRIVATE',
  );
});

/** An outbox on PGlite with a host name table standing in for DNS, and a captured pino log. */
async function outbox(allowPrivate: boolean, names: Map<string, ResolvedAddress[]>) {
  const db = await freshPglite();
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sealer = createSealer(randomBytes(32));
  const lines: string[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    }),
  );
  const targets = createTargetPolicy({
    allowPrivate,
    lookup: (host) => {
      const found = names.get(host);
      return found
        ? Promise.resolve(found)
        : Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
    },
  });
  const webhooks = createWebhookService({ db, sealer, clock, log, targets });
  const engine = createWebhookDelivery({ db, sealer, clock, log, targets });
  let n = 0;
  return {
    db,
    sealer,
    clock,
    lines,
    webhooks,
    /** Stores one event, fans it out and sends what is due. */
    async deliverOne(): Promise<void> {
      n += 1;
      await storeEvent(db, `target-${n}`, new Date(clock.now()));
      assert.equal(await engine.dispatchOnce(), 1);
      await engine.sendDue();
      await engine.idle();
    },
  };
}

function storeEvent(db: Db, key: string, at: Date) {
  return createEventQueries(db).insert({
    dedupeKey: key,
    source: 'message',
    appid: null,
    type: 'text',
    raw: '<xml/>',
    query: {},
    decoded: { Content: key },
    createTime: null,
    receivedAt: at,
  });
}

test('a name that resolves to a loopback address at delivery time is refused and recorded as failed', async () => {
  const rx = await startReceiver();
  const names = new Map([['hooks.example.test', [{ address: '192.0.2.10', family: 4 }]]]);
  const o = await outbox(false, names);
  try {
    const port = new URL(rx.url).port;
    const hook = await o.webhooks.create({ url: `http://hooks.example.test:${port}/hook` });
    names.set('hooks.example.test', [{ address: '127.0.0.1', family: 4 }]);
    await o.deliverOne();
    const [d] = (await o.webhooks.listDeliveries(hook.id, { limit: 1 })).items;
    assert.equal(d?.status, 'failed');
    assert.equal(d?.last_status_code, null);
    assert.match(d?.last_error ?? '', /^refused: .*127\.0\.0\.1, a loopback address/);
    assert.equal(rx.received.length, 0, 'nothing reached the receiver');
    assert.ok(o.lines.some((l) => l.includes('webhook delivery failed')));
  } finally {
    await rx.close();
    await o.db.close();
  }
});

test('a delivery connects to the address it checked, whatever the system resolver knows', async () => {
  const rx = await startReceiver();
  const names = new Map([['hooks.example.test', [{ address: '127.0.0.1', family: 4 }]]]);
  const o = await outbox(true, names);
  try {
    const port = new URL(rx.url).port;
    const hook = await o.webhooks.create({ url: `http://hooks.example.test:${port}/hook` });
    await o.deliverOne();
    const [d] = (await o.webhooks.listDeliveries(hook.id, { limit: 1 })).items;
    assert.equal(d?.status, 'delivered');
    assert.equal(rx.received[0]?.headers.host, `hooks.example.test:${port}`);
  } finally {
    await rx.close();
    await o.db.close();
  }
});

test('a stored URL with a password: not delivered, and the password is in no log line, error or view', async () => {
  const rx = await startReceiver();
  const o = await outbox(true, new Map());
  try {
    const port = new URL(rx.url).port;
    const id = 'legacy-hook';
    await createWebhookQueries(o.db).insert({
      id,
      url: `http://hookuser:not-a-real-pass@127.0.0.1:${port}/hook`,
      eventTypes: null,
      tenantId: null,
      secretSealed: o.sealer.seal('whsec_fake_fake_fake_fake', secretAad(id)),
      receiveSecrets: false,
      at: new Date(o.clock.now()),
    });
    await o.deliverOne();
    const [d] = (await o.webhooks.listDeliveries(id, { limit: 1 })).items;
    assert.equal(d?.status, 'failed');
    assert.match(d?.last_error ?? '', /must not carry a user name or password/);
    assert.equal(rx.received.length, 0);
    const view = await o.webhooks.get(id);
    assert.ok(!view.url.includes('not-a-real-pass'), view.url);
    assert.ok(view.url.includes(`127.0.0.1:${port}/hook`));
    const logged = o.lines.join('');
    assert.ok(logged.includes('webhook delivery failed'));
    assert.ok(logged.includes(`127.0.0.1:${port}`), 'the target is logged');
    assert.ok(!logged.includes('not-a-real-pass'), 'the password is not logged');
    assert.ok(!JSON.stringify(d).includes('not-a-real-pass'));
  } finally {
    await rx.close();
    await o.db.close();
  }
});

test('a failing answer is stored as a short, sanitised excerpt', async () => {
  const body = Buffer.concat([
    Buffer.from('upstream\u0000broke\u001b[31m\r\n'),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from(' é'.repeat(5000)),
  ]);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const o = await outbox(true, new Map());
  try {
    const hook = await o.webhooks.create({ url: `http://127.0.0.1:${port}/hook` });
    await o.deliverOne();
    const [d] = (await o.webhooks.listDeliveries(hook.id, { limit: 1 })).items;
    assert.equal(d?.status, 'failed');
    assert.equal(d?.last_status_code, 500);
    const error = d?.last_error ?? '';
    assert.match(error, /^HTTP 500: upstream broke \[31m \uFFFD/);
    assert.doesNotMatch(error, /\p{Cc}/u, 'no control characters');
    const excerpt = error.slice('HTTP 500: '.length);
    assert.equal(Array.from(excerpt).length, 512);
    assert.ok(excerpt.endsWith('…'));
    assert.equal(Buffer.from(error, 'utf8').toString('utf8'), error, 'valid UTF-8');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await o.db.close();
  }
});

test('excerpt: short answers are kept whole, bidi controls and separators are blanked', () => {
  assert.equal(replyExcerpt(Buffer.from('bad token')), 'bad token');
  assert.equal(replyExcerpt(Buffer.from('a\u202eb\u2028c\td')), 'a b c d');
  assert.equal(replyExcerpt(Buffer.from('\u0000\u0001')), '');
});
