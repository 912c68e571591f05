import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { sha1Signature } from '../../src/crypto/signature.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { encryptFor, post, type Push } from '../support/pushes.ts';

/**
 * Hostile pushes through real HTTP: replays to another merchant's URL or from another time, and
 * input built to break the parser or the database. Each is a 4xx with a reason naming what is
 * wrong, never a 5xx, and nothing is stored.
 */
const A = 'wx00000000000000a1';
const B = 'wx00000000000000b2';
const GH_A = 'gh_00000000000a';
const GH_B = 'gh_00000000000b';

let nonce = 0;
const now = () => Math.floor(Date.now() / 1000);

/** A push signed as WeChat signs it, at the given `timestamp` and with extra query text. */
function signed(sb: Sandbox, plaintext: string, timestamp = now(), extraQuery = ''): Push {
  const c = sb.openwx.config;
  const encrypt = encryptFor(c, plaintext);
  const n = String(500000 + nonce++);
  const sig = sha1Signature(c.component.token, String(timestamp), n, encrypt);
  return {
    query: `timestamp=${timestamp}&nonce=${n}&encrypt_type=aes&msg_signature=${sig}${extraQuery}`,
    body: `<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}

const message = (to: string, msgId: string, extra = '', createTime = String(now())) =>
  `<xml><ToUserName><![CDATA[${to}]]></ToUserName><FromUserName><![CDATA[oUSER000000000000000000000001]]></FromUserName>` +
  `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>` +
  `<MsgId>${msgId}</MsgId>${extra}</xml>`;

describe('hostile pushes', () => {
  let sb: Sandbox;
  const msgUrl = (appid: string) => `${sb.url}/api/openwx/callback/${appid}`;
  const authUrl = () => `${sb.url}/api/openwx/auth`;
  const stored = async () =>
    (
      (await (await sb.admin('/api/admin/events?limit=200')).json()) as {
        items: { id: number; type: string; appid: string | null }[];
      }
    ).items;

  before(async () => {
    sb = await startSandbox();
    // Two merchants whose original ids (user_name) openwx knows from api_get_authorizer_info.
    for (const [appid, userName] of [
      [A, GH_A],
      [B, GH_B],
    ])
      await sb.openwx.db.query(
        `INSERT INTO authorizers (appid, status, info) VALUES ($1, 'authorized', $2)`,
        [appid, { nick_name: appid, user_name: userName }],
      );
  });
  after(() => sb.stop());

  describe('replays across URLs and ages', () => {
    test('a push for merchant A replayed byte for byte to B’s URL is refused and not stored', async () => {
      const p = signed(sb, message(GH_A, '9100000000000000001'));
      const res = await post(msgUrl(A), p);
      assert.equal(await res.text(), 'success');
      const replay = await post(msgUrl(B), p);
      assert.equal(replay.status, 403);
      assert.match(
        await replay.text(),
        /^push_wrong_recipient: .*gh_00000000000a.*wx00000000000000b2/,
      );
      const mine = (await stored()).filter((e) => e.appid === A || e.appid === B);
      assert.deepEqual(
        mine.map((e) => e.appid),
        [A],
      );
    });

    test('an authorization event replayed to a message URL is refused', async () => {
      const ticket = `<xml><AppId>${sb.openwx.config.component.appid}</AppId><CreateTime>${now()}</CreateTime><InfoType>notify_x</InfoType></xml>`;
      const res = await post(msgUrl(B), signed(sb, ticket));
      assert.equal(res.status, 403);
      assert.match(await res.text(), /^push_wrong_recipient: /);
      assert.equal((await stored()).filter((e) => e.type === 'notify_x').length, 0);
    });

    test('a push whose timestamp is outside the window is refused on both URLs', async () => {
      const before = (await stored()).length;
      for (const skew of [-400, 400, -86_400 * 365]) {
        for (const url of [msgUrl(A), authUrl()]) {
          const res = await post(
            url,
            signed(sb, message(GH_A, `92${Math.abs(skew)}`), now() + skew),
          );
          assert.equal(res.status, 403, `${url} ${skew}`);
          assert.match(await res.text(), /^push_outside_window: .*300 seconds/);
        }
      }
      assert.equal((await stored()).length, before);
    });

    test('WeChat’s retries (the same bytes, later, within the window) are answered and stored once', async () => {
      const p = signed(sb, message(GH_A, '8300000000000000001'), now() - 60);
      for (let i = 0; i < 3; i++) {
        const res = await post(msgUrl(A), p);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'success');
      }
      assert.equal((await stored()).filter((e) => e.appid === A).length, 2);
    });

    test('a merchant openwx has no original id for is not bound (stored as before)', async () => {
      const res = await post(msgUrl('wx00000000000000c3'), signed(sb, message('gh_other', '94')));
      assert.equal(await res.text(), 'success');
    });

    test('the emulator’s pushes follow its clock: moved two hours ahead, its ticket is accepted', async () => {
      await sb.control('/clock', { advanceSeconds: 7200 });
      const res = await sb.control<{ status: number; body: string }>('/push-ticket', {});
      assert.equal(res.body, 'success');
      // openwx's own clock is not WeChat's: a push signed at the real time is now two hours old.
      const old = await post(authUrl(), signed(sb, message(GH_A, '95')));
      assert.equal(old.status, 403);
    });
  });
});

describe('bad input on the push path: a 4xx with a reason, never a 5xx', () => {
  let sb: Sandbox;
  const stored = async () =>
    ((await (await sb.admin('/api/admin/events?limit=200')).json()) as { items: unknown[] }).items;
  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.stop());

  const withBody = (p: Push, body: string): Push => ({ ...p, body });
  const deep = (n: number) => `${'<a>'.repeat(n)}x${'</a>'.repeat(n)}`;
  const cases: [string, (sb: Sandbox) => Push, number, RegExp][] = [
    [
      'a duplicated msg_signature',
      (sb) => {
        const p = signed(sb, message(GH_A, '1'));
        return { ...p, query: `${p.query}&${/msg_signature=[0-9a-f]+/.exec(p.query)?.[0]}` };
      },
      400,
      /^query_invalid: msg_signature appears more than once/,
    ],
    [
      'a duplicated timestamp',
      (sb) => signed(sb, message(GH_A, '1'), now(), `&timestamp=${now()}`),
      400,
      /^query_invalid: timestamp appears more than once/,
    ],
    [
      'a timestamp that is not a number',
      (sb) => {
        const p = signed(sb, message(GH_A, '1'));
        return { ...p, query: p.query.replace(/timestamp=\d+/, 'timestamp=12ab') };
      },
      400,
      /^query_invalid: timestamp/,
    ],
    [
      'a NUL byte in nonce (signed with it)',
      (sb) => {
        const c = sb.openwx.config;
        const encrypt = encryptFor(c, message(GH_A, '1'));
        const t = String(now());
        const sig = sha1Signature(c.component.token, t, 'a\u0000b', encrypt);
        return {
          query: `timestamp=${t}&nonce=a%00b&msg_signature=${sig}`,
          body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
        };
      },
      400,
      /^query_invalid: nonce/,
    ],
    [
      'a NUL byte in another query parameter',
      (sb) => signed(sb, message(GH_A, '1'), now(), '&openid=o%00x'),
      400,
      /^query_invalid: openid/,
    ],
    [
      'an envelope nested beyond the limit',
      (sb) => {
        const p = signed(sb, message(GH_A, '1'));
        return withBody(p, p.body.replace('<xml>', `<xml><X>${deep(40)}</X>`));
      },
      400,
      /^xml_invalid: XML nested deeper than 32/,
    ],
    [
      'a decrypted message nested beyond the limit',
      (sb) => signed(sb, message(GH_A, '1', `<X>${deep(40)}</X>`)),
      400,
      /^xml_invalid: XML nested deeper than 32/,
    ],
    [
      'an element named __proto__ in the envelope',
      (sb) => {
        const p = signed(sb, message(GH_A, '1'));
        return withBody(p, p.body.replace('<xml>', '<xml><__proto__><a>1</a></__proto__>'));
      },
      400,
      /^xml_invalid: element named "__proto__"/,
    ],
    [
      'an element named constructor in the decrypted message',
      (sb) => signed(sb, message(GH_A, '1', '<constructor><a>1</a></constructor>')),
      400,
      /^xml_invalid: element named "constructor"/,
    ],
    [
      'a NUL byte in MsgId',
      (sb) => signed(sb, message(GH_A, '12\u000034')),
      400,
      /^field_invalid: MsgId/,
    ],
    [
      'a NUL byte in AuthorizerAppid',
      (sb) =>
        signed(
          sb,
          `<xml><AppId>${sb.openwx.config.component.appid}</AppId><CreateTime>${now()}</CreateTime><InfoType>unauthorized</InfoType><AuthorizerAppid>wx0\u00001</AuthorizerAppid><MsgId>5</MsgId></xml>`,
        ),
      400,
      /^field_invalid: AuthorizerAppid/,
    ],
    [
      'a MsgId beyond 2^63',
      (sb) => signed(sb, message(GH_A, '9223372036854775808')),
      400,
      /^field_invalid: MsgId/,
    ],
    [
      'a CreateTime that is not a number',
      (sb) => signed(sb, message(GH_A, '1', '', 'yesterday')),
      400,
      /^field_invalid: CreateTime/,
    ],
    [
      'a CreateTime beyond any date',
      (sb) => signed(sb, message(GH_A, '1', '', '99999999999999999999')),
      400,
      /^field_invalid: CreateTime/,
    ],
  ];
  for (const [name, make, status, reason] of cases) {
    test(name, async () => {
      for (const url of [`${sb.url}/api/openwx/auth`, `${sb.url}/api/openwx/callback/${B}`]) {
        const res = await post(url, make(sb));
        const text = await res.text();
        assert.equal(res.status, status, `${url}: ${text}`);
        assert.match(text, reason);
      }
      assert.deepEqual(await stored(), []);
    });
  }

  test('a duplicated signature on the URL check is a 400', async () => {
    const res = await fetch(
      `${sb.url}/api/openwx/auth?signature=a&signature=b&timestamp=1&nonce=2&echostr=3`,
    );
    assert.equal(res.status, 400);
    assert.match(await res.text(), /signature appears more than once/);
  });
});

describe('a push that cannot be stored', () => {
  let sb: Sandbox;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    sb = await startSandbox({ options: { logger: pino({ level: 'warn' }, stream) } });
    // A rule of the database's that this push breaks, whatever openwx does before storing it.
    await sb.openwx.db.query(`ALTER TABLE events ADD CONSTRAINT no_boom CHECK (type <> 'boom')`);
  });
  after(() => sb.stop());

  test('answers 5xx alone (WeChat retries) and is logged with its stack; its neighbours are stored', async () => {
    const url = `${sb.url}/api/openwx/callback/${B}`;
    const boom = signed(sb, message(GH_A, '61').replace('[text]', '[boom]'));
    const [bad, good] = await Promise.all([
      post(url, boom),
      post(url, signed(sb, message(GH_A, '62'))),
    ]);
    assert.equal(bad.status, 500);
    assert.equal(await good.text(), 'success');
    const failed = lines.find((l) => l['msg'] === 'push failed');
    assert.ok(failed, 'a log line for the failed push');
    assert.match(String((failed['err'] as { stack?: string }).stack), /no_boom[\s\S]*\n\s+at /);
    const rejected = lines.filter((l) => l['msg'] === 'push rejected');
    assert.deepEqual(rejected, []);
  });
});
