import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import {
  badPaddingCipher,
  encryptFor,
  post,
  push,
  signEnvelope,
  textMessageXml,
  ticketXml,
} from '../support/pushes.ts';

/** The push endpoints through real HTTP: what WeChat (or an attacker) can send, and what is kept. */
describe('push endpoints', () => {
  let sb: Sandbox;
  const authUrl = () => `${sb.url}/api/openwx/auth`;
  const events = async () =>
    (
      (await (await sb.admin('/api/admin/events?limit=200')).json()) as {
        items: { id: number; type: string; appid: string | null }[];
      }
    ).items;

  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.stop());

  describe('bad input: 4xx with a reason, nothing stored, server healthy', () => {
    const cases: [string, () => { query: string; body: string }, number, RegExp][] = [
      [
        'missing msg_signature',
        () => ({
          ...push(sb.openwx.config, ticketXml(sb.openwx.config, 'ticket@@@a')),
          query: 'timestamp=1&nonce=2',
        }),
        401,
        /msg_signature/,
      ],
      [
        'wrong msg_signature',
        () => {
          const p = push(sb.openwx.config, ticketXml(sb.openwx.config, 'ticket@@@b'));
          return {
            ...p,
            query: p.query.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'0'.repeat(40)}`),
          };
        },
        401,
        /does not match/,
      ],
      [
        'tampered ciphertext (re-signed)',
        () => {
          const enc = encryptFor(sb.openwx.config, ticketXml(sb.openwx.config, 'ticket@@@c'));
          const flipped = `${enc.slice(0, 10)}${enc[10] === 'A' ? 'B' : 'A'}${enc.slice(11)}`;
          return signEnvelope(sb.openwx.config, flipped);
        },
        400,
        /decrypt|malformed/i,
      ],
      ['bad base64', () => signEnvelope(sb.openwx.config, 'not*base64!'), 400, /base64/],
      [
        'bad padding',
        () => signEnvelope(sb.openwx.config, badPaddingCipher(sb.openwx.config)),
        400,
        /decrypt/,
      ],
      [
        'receive-id of another platform',
        () =>
          signEnvelope(
            sb.openwx.config,
            encryptFor(
              sb.openwx.config,
              ticketXml(sb.openwx.config, 'ticket@@@d'),
              'wx00000000000000ff',
            ),
          ),
        400,
        /receive-id/,
      ],
      [
        'malformed XML',
        () => ({ ...push(sb.openwx.config, 'x'), body: '<xml><Encrypt>abc</xml>' }),
        400,
        /malformed/,
      ],
      [
        'XML with a DOCTYPE',
        () => {
          const p = push(sb.openwx.config, ticketXml(sb.openwx.config, 'ticket@@@e'));
          return {
            ...p,
            body: `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${p.body.replace('<xml>', '<xml><X>&x;</X>')}`,
          };
        },
        400,
        /DOCTYPE/,
      ],
      [
        'decrypted XML with an entity',
        () =>
          push(
            sb.openwx.config,
            '<!DOCTYPE a [<!ENTITY e "x">]><xml><InfoType>&e;</InfoType></xml>',
          ),
        400,
        /DOCTYPE/,
      ],
      [
        'body over 64 KiB',
        () => ({
          ...push(sb.openwx.config, 'x'),
          body: `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`,
        }),
        413,
        /64|larger/,
      ],
      ['empty body', () => ({ ...push(sb.openwx.config, 'x'), body: '' }), 400, /empty/],
      [
        'no Encrypt element',
        () => ({ ...push(sb.openwx.config, 'x'), body: '<xml><AppId>x</AppId></xml>' }),
        400,
        /Encrypt/,
      ],
    ];
    for (const [name, make, status, reason] of cases) {
      test(name, async () => {
        for (const url of [authUrl(), `${sb.url}/api/openwx/callback/wx0123456789abcdef`]) {
          const res = await post(url, make());
          assert.equal(res.status, status);
          assert.match(await res.text(), reason);
        }
        assert.deepEqual(await events(), []);
        assert.equal((await fetch(`${sb.url}/healthz`)).status, 200);
      });
    }

    test('a message URL that does not end with an appid', async () => {
      const res = await post(
        `${sb.url}/api/openwx/callback/not-an-appid`,
        push(sb.openwx.config, textMessageXml('1')),
      );
      assert.equal(res.status, 400);
      assert.deepEqual(await events(), []);
    });
  });

  test('the emulator’s ticket push is stored once and yields a component token', async () => {
    const res = await sb.control<{ status: number; body: string }>('/push-ticket', {});
    assert.equal(res.status, 200);
    assert.equal(res.body, 'success');
    const token = await eventually(async () => {
      const r = await sb.admin('/api/tokens/component');
      return r.status === 200
        ? ((await r.json()) as { access_token: string; expires_at: string })
        : undefined;
    });
    assert.match(token.access_token, /^\d{2}_/);
    const status = (await (await sb.admin('/api/admin/status')).json()) as {
      mode: string;
      ticket: { receivedAt: string | null };
      componentToken: { expiresAt: string };
    };
    assert.equal(status.mode, 'sandbox');
    assert.ok(status.ticket.receivedAt);
    assert.equal(status.componentToken.expiresAt, token.expires_at);
    const stats = await sb.control<{ calls: Record<string, number> }>('/stats');
    assert.equal(stats.calls['/cgi-bin/component/api_component_token'], 1);
    // A second token request is served from the store.
    await sb.admin('/api/tokens/component');
    assert.equal(
      (await sb.control<{ calls: Record<string, number> }>('/stats')).calls[
        '/cgi-bin/component/api_component_token'
      ],
      1,
    );
  });

  test('a replayed push is acknowledged and stored once', async () => {
    const before = (await events()).length;
    const p = push(sb.openwx.config, ticketXml(sb.openwx.config, 'ticket@@@replayed'));
    for (let i = 0; i < 3; i++) {
      const res = await post(authUrl(), p);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'success');
    }
    const msg = push(sb.openwx.config, textMessageXml('7212345678901234567'));
    for (let i = 0; i < 3; i++)
      assert.equal(
        await (await post(`${sb.url}/api/openwx/callback/wx0123456789abcdef`, msg)).text(),
        'success',
      );
    assert.equal((await events()).length, before + 2);
  });

  test('a push for an appid openwx does not know is stored and acknowledged', async () => {
    const res = await post(
      `${sb.url}/api/openwx/callback/wxffffffffffffffff`,
      push(sb.openwx.config, textMessageXml('99')),
    );
    assert.equal(await res.text(), 'success');
    const stored = (await events()).find((e) => e.appid === 'wxffffffffffffffff');
    assert.equal(stored?.type, 'text');
    const one = (await (await sb.admin(`/api/admin/events/${stored?.id}`)).json()) as {
      decoded: Record<string, string>;
    };
    assert.equal(one.decoded['MsgId'], '99');
  });

  test('unknown InfoTypes and events are stored, not dropped; secrets in pushes are redacted', async () => {
    const x = `<xml><AppId>${sb.openwx.config.component.appid}</AppId><CreateTime>1</CreateTime><InfoType>notify_something_new</InfoType></xml>`;
    assert.equal(await (await post(authUrl(), push(sb.openwx.config, x))).text(), 'success');
    const found = (await events()).find((e) => e.type === 'notify_something_new');
    assert.ok(found);
    const ticket = (await events()).find((e) => e.type === 'component_verify_ticket');
    const detail = (await (await sb.admin(`/api/admin/events/${ticket?.id}`)).json()) as {
      decoded: Record<string, string>;
    };
    assert.equal(detail.decoded['ComponentVerifyTicket'], '[redacted]');
  });

  test('GET URL check echoes echostr only with a good signature', async () => {
    const p = push(sb.openwx.config, 'x');
    const q = new URLSearchParams(p.query);
    const good = await fetch(
      `${authUrl()}?signature=${q.get('signature')}&timestamp=${q.get('timestamp')}&nonce=${q.get('nonce')}&echostr=12345`,
    );
    assert.equal(await good.text(), '12345');
    const bad = await fetch(
      `${authUrl()}?signature=${'1'.repeat(40)}&timestamp=${q.get('timestamp')}&nonce=${q.get('nonce')}&echostr=12345`,
    );
    assert.equal(bad.status, 401);
  });

  test('admin events are newest first and paginate', async () => {
    const all = await events();
    assert.ok(all.length >= 3);
    const page1 = (await (await sb.admin('/api/admin/events?limit=2')).json()) as {
      items: { id: number }[];
      next: number;
    };
    assert.deepEqual(
      page1.items.map((i) => i.id),
      all.slice(0, 2).map((i) => i.id),
    );
    const page2 = (await (
      await sb.admin(`/api/admin/events?limit=2&before=${page1.next}`)
    ).json()) as { items: { id: number }[] };
    assert.deepEqual(
      page2.items.map((i) => i.id),
      all.slice(2, 4).map((i) => i.id),
    );
    assert.equal((await sb.admin('/api/admin/events?limit=0')).status, 400);
    assert.equal((await sb.admin('/api/admin/events?limit=abc')).status, 400);
  });
});

describe('message pushes arriving together', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ db: 'postgres' });
  });
  after(() => sb.stop());

  test('are each stored once, retries included, and each answered', async () => {
    const url = `${sb.url}/api/openwx/callback/wx0123456789abcdef`;
    const distinct = Array.from({ length: 40 }, (_, i) =>
      push(sb.openwx.config, textMessageXml(`80000000000000${i}`)),
    );
    const retried = push(sb.openwx.config, textMessageXml('81111111111111111'));
    const answers = await Promise.all(
      [...distinct, ...Array.from({ length: 5 }, () => retried)].map((p) => post(url, p)),
    );
    for (const a of answers) assert.equal(await a.text(), 'success');
    const listed = (await (await sb.admin('/api/admin/events?limit=200')).json()) as {
      items: unknown[];
    };
    assert.equal(listed.items.length, 41);
  });
});

describe('events pushed in the same second', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.stop());

  test('two different events are both kept; a retried one is kept once', async () => {
    const url = `${sb.url}/api/openwx/callback/wx0123456789abcdef`;
    const audit = (reason: string) =>
      `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[oSYSTEM0000000000000000000000]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[weapp_audit_fail]]></Event><Reason><![CDATA[${reason}]]></Reason><FailTime>1700000000</FailTime></xml>`;
    const first = push(sb.openwx.config, audit('first reason'));
    for (const p of [first, push(sb.openwx.config, audit('second reason')), first]) {
      assert.equal(await (await post(url, p)).text(), 'success');
    }
    const listed = (await (await sb.admin('/api/admin/events?type=weapp_audit_fail')).json()) as {
      items: unknown[];
    };
    assert.equal(listed.items.length, 2);
  });
});
