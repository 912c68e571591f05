import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseXml, xmlText } from '../../src/crypto/xml.ts';
import { RELEASE_TEST_GROUPS } from '../../src/wechat/release-test-accounts.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant } from '../support/flows.ts';

/** Full-network release (全网发布): the emulator's checks against openwx, over real HTTP. */
interface Report {
  passed: boolean;
  group: number;
  cases: Array<{ name: string; passed: boolean; detail: string }>;
}

interface PushAnswer {
  ok: boolean;
  body: string;
  reply?: string;
}

interface Sent {
  appid: string;
  touser: string;
  msgtype: string;
  content?: string;
}

const sentMessages = async (sb: Sandbox): Promise<Sent[]> =>
  (await sb.control<{ messages: Sent[] }>('/sent-messages')).messages;

async function releaseCheck(sb: Sandbox, body: Record<string, unknown>): Promise<Report> {
  return sb.control<Report>('/release-check', body);
}

const userText = (to: string, openid: string, content: string, msgId: string) =>
  `<xml><ToUserName><![CDATA[${to}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName>` +
  `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
  `<Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;

describe('full-network release: openwx answers the emulator’s checks', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.stop());

  it('passes every case for each of the five test groups', async () => {
    for (const { group } of RELEASE_TEST_GROUPS) {
      const report = await releaseCheck(sb, { group });
      assert.equal(report.group, group);
      assert.equal(report.cases.length, 4);
      for (const c of report.cases) assert.ok(c.passed, `group ${group}: ${c.name}: ${c.detail}`);
      assert.equal(report.passed, true);
    }
  });

  it('runs only the cases of the permission sets the platform selected', async () => {
    // Source: doc Third-party_Platforms/2.0/operation/thirdparty/releases_instructions.
    const mpOnly = await releaseCheck(sb, { group: 1, permission_sets: [18, 19] });
    const names = (r: Report) => r.cases.map((c) => c.name);
    assert.equal(mpOnly.cases.length, 2);
    assert.match(names(mpOnly)[0] ?? '', /^component_verify_ticket/);
    assert.match(names(mpOnly)[1] ?? '', /^mini program QUERY_AUTH_CODE/);
    assert.equal(mpOnly.passed, true, JSON.stringify(mpOnly.cases));
    const oaOnly = await releaseCheck(sb, { group: 2, permission_sets: [1] });
    assert.equal(oaOnly.cases.length, 3);
    assert.ok(
      names(oaOnly).every((n) => !n.startsWith('mini program')),
      names(oaOnly).join(),
    );
    assert.equal(oaOnly.passed, true, JSON.stringify(oaOnly.cases));
  });

  it('passes with a random group when none is named', async () => {
    const report = await releaseCheck(sb, {});
    assert.ok(report.group >= 1 && report.group <= 5);
    assert.equal(report.passed, true, JSON.stringify(report.cases));
  });

  it('stores the test accounts as authorizers and sends through message/custom/send', async () => {
    const g = RELEASE_TEST_GROUPS[0];
    assert.ok(g);
    for (const appid of [g.officialAccount.appid, g.miniProgram.appid]) {
      const res = await sb.admin(`/api/tokens/authorizers/${appid}`);
      assert.equal(res.status, 200, appid);
    }
    const sent = await sentMessages(sb);
    const mine = sent.filter((m) => m.appid === g.miniProgram.appid);
    assert.ok(mine.length >= 1);
    assert.match(mine[0]?.content ?? '', /^queryauthcode@@@.+_from_api$/);
    assert.equal(mine[0]?.msgtype, 'text');
  });

  it('answers the legacy event case with <Event>from_callback', async () => {
    const g = RELEASE_TEST_GROUPS[1];
    assert.ok(g);
    const xml =
      `<xml><ToUserName><![CDATA[${g.officialAccount.userName}]]></ToUserName>` +
      `<FromUserName><![CDATA[oRELEASEFAN000000000000000001]]></FromUserName>` +
      `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
      `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[LOCATION]]></Event>` +
      `<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision></xml>`;
    const r = await sb.control<{ ok: boolean; reply?: string }>('/events', {
      appid: g.officialAccount.appid,
      xml,
    });
    assert.equal(r.ok, true);
    const reply = parseXml(r.reply ?? '');
    assert.equal(xmlText(reply, 'Content'), 'LOCATIONfrom_callback');
    assert.equal(xmlText(reply, 'ToUserName'), 'oRELEASEFAN000000000000000001');
    assert.equal(xmlText(reply, 'FromUserName'), g.officialAccount.userName);
  });

  it('sends one customer-service message for a QUERY_AUTH_CODE push WeChat repeats', async () => {
    const g = RELEASE_TEST_GROUPS[0];
    assert.ok(g);
    const earlier = (await sentMessages(sb)).find((m) => m.appid === g.officialAccount.appid);
    const code = earlier?.content?.replace(/_from_api$/, '');
    assert.ok(code);
    const openid = 'oRELEASEFAN000000000000000002';
    const xml = userText(g.officialAccount.userName, openid, `QUERY_AUTH_CODE:${code}`, '7001');
    for (let i = 0; i < 2; i++) {
      const r: PushAnswer = await sb.control<PushAnswer>('/events', {
        appid: g.officialAccount.appid,
        xml,
      });
      assert.equal(r.ok, true);
      assert.equal(r.body, '', 'an empty answer, not a passive reply');
      assert.equal(r.reply, undefined);
    }
    const toFan = async () => (await sentMessages(sb)).filter((m) => m.touser === openid);
    await eventually(
      async () => (await toFan()).length === 1,
      8000,
      'the customer-service message',
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      (await toFan()).map((m) => m.content),
      [`${code}_from_api`],
    );
  });

  it('refuses a group outside 1..5', async () => {
    const res = await fetch(`${sb.url}/emulator/control/release-check`, {
      method: 'POST',
      body: JSON.stringify({ group: 6 }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
  });
});

describe('full-network release: a platform that does not answer fails the check', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ options: { releaseResponder: false } });
  });
  after(() => sb.stop());

  it('fails the reply and API cases and names why; the ticket case still passes', async () => {
    const report = await releaseCheck(sb, { group: 3, api_wait_ms: 1500 });
    assert.equal(report.passed, false);
    const [ticket, text, oa, mp] = report.cases;
    assert.equal(ticket?.passed, true, ticket?.detail);
    assert.equal(text?.passed, false);
    assert.match(text?.detail ?? '', /TESTCOMPONENT_MSG_TYPE_TEXT_callback/);
    assert.equal(oa?.passed, false);
    assert.match(oa?.detail ?? '', /no ".+_from_api" within 1500 ms/);
    assert.equal(mp?.passed, false);
  });
});

describe('emulator: message/custom/send', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.stop());

  async function send(token: string, body: unknown): Promise<{ errcode: number }> {
    const res = await fetch(
      `${sb.url}/emulator/cgi-bin/message/custom/send?access_token=${token}`,
      {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      },
    );
    return (await res.json()) as { errcode: number };
  }

  it('checks the token, openid, msgtype, content and the 48-hour window; records what it sent', async () => {
    const appid = await authorizeMerchant(sb, { type: 'officialaccount' });
    const { access_token: token } = (await (
      await sb.admin(`/api/tokens/authorizers/${appid}`)
    ).json()) as { access_token: string };
    const openid = 'oCUSTOMERSERVICE00000000000001';
    const text = { touser: openid, msgtype: 'text', text: { content: 'hello' } };

    assert.equal((await send(token, text)).errcode, 45015, 'the user never wrote');
    await sb.control('/messages', { appid, openid, content: 'hi' });
    assert.equal((await send('00_not-a-token', text)).errcode, 40001);
    assert.equal((await send(token, { ...text, touser: 'x' })).errcode, 40003);
    assert.equal((await send(token, { ...text, msgtype: 'hologram' })).errcode, 40008);
    assert.equal((await send(token, { ...text, text: { content: ' ' } })).errcode, 44004);
    assert.equal((await send(token, text)).errcode, 0);

    const sent = await sentMessages(sb);
    assert.deepEqual(
      sent.map((m) => [m.appid, m.touser, m.msgtype, m.content]),
      [[appid, openid, 'text', 'hello']],
    );
    const cleared = await sb.control<{ cleared: number }>('/sent-messages', undefined, 'DELETE');
    assert.equal(cleared.cleared, 1);
    assert.deepEqual(await sentMessages(sb), []);
  });

  it('needs the message permission set (61007 without it)', async () => {
    const appid = await authorizeMerchant(sb, { type: 'officialaccount', funcIds: [2, 3] });
    const { access_token: token } = (await (
      await sb.admin(`/api/tokens/authorizers/${appid}`)
    ).json()) as { access_token: string };
    const openid = 'oCUSTOMERSERVICE00000000000002';
    await sb.control('/messages', { appid, openid, content: 'hi' });
    const r = await send(token, { touser: openid, msgtype: 'text', text: { content: 'x' } });
    assert.equal(r.errcode, 61007);
  });
});
