import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createHarness, PREFIX, type Harness } from './harness.ts';

/**
 * Registration as WeChat answers it since 2026-04-30 (the default), and as before that date when
 * the control switch asks for it.
 */
type Answer = Record<string, unknown> & { errcode: number; errmsg: string };

const LEGACY = {
  name: 'Fake Trading Co',
  code: '91110000MA00000001',
  code_type: 1,
  legal_persona_wechat: 'fake_legal_wx',
  legal_persona_name: 'Zhang Fake',
  component_phone: '13800000000',
};

describe('emulator: registration on today’s WeChat', () => {
  let h: Harness;
  let token: string;
  const call = async (path: string, action: string, body: unknown): Promise<Answer> => {
    const res = await h.app.inject({
      method: 'POST',
      url: `${PREFIX}${path}?access_token=${encodeURIComponent(token)}&action=${action}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return res.json<Answer>();
  };
  const tasks = async () =>
    (await h.control('GET', '/registrations')).json['registrations'] as unknown[];

  beforeEach(async () => {
    h = await createHarness();
    token = await h.componentToken();
  });
  afterEach(() => h.close());

  it('answers the retired fastregisterweapp with -1 "system error" (create and search)', async () => {
    for (const [action, body] of [
      ['create', LEGACY],
      ['search', { name: LEGACY.name, legal_persona_wechat: 'x', legal_persona_name: 'y' }],
    ] as const) {
      const res = await call('/cgi-bin/component/fastregisterweapp', action, body);
      assert.equal(res.errcode, -1, JSON.stringify(res));
      assert.match(res.errmsg, /^system error rid: /);
    }
    assert.equal((await tasks()).length, 0, 'no task was created');
  });

  it('personal registration needs new_version true and answers the authorization URL', async () => {
    const person = { idname: 'Li Fake', wxuser: 'fake_person_1', component_phone: '13800000001' };
    const old = await call('/wxa/component/fastregisterpersonalweapp', 'create', person);
    assert.equal(old.errcode, -1, JSON.stringify(old));
    assert.equal((await tasks()).length, 0);

    const created = await call('/wxa/component/fastregisterpersonalweapp', 'create', {
      ...person,
      new_version: true,
    });
    assert.equal(created.errcode, 0, JSON.stringify(created));
    assert.equal(created['status'], 0);
    assert.match(String(created['authorize_url']), /^https:\/\//);
    const queried = await call('/wxa/component/fastregisterpersonalweapp', 'query', {
      taskid: created['taskid'],
    });
    assert.equal(queried['status'], 0);

    const missing = await call('/wxa/component/fastregisterpersonalweapp', 'create', {
      idname: 'Li Fake',
      new_version: true,
    });
    assert.equal(missing.errcode, 89253);
    assert.match(missing.errmsg, /^lack of some params rid: /);
    const again = await call('/wxa/component/fastregisterpersonalweapp', 'create', {
      ...person,
      new_version: true,
    });
    assert.equal(again.errcode, 89249);
    assert.match(again.errmsg, /^task running rid: /);
  });

  it('the switch plays WeChat before 2026-04-30: legacy create, then search by its real body', async () => {
    const on = await h.control('POST', '/registration-settings', {
      legacy_enterprise_registration: true,
    });
    assert.equal(on.json['legacy_enterprise_registration'], true);
    const created = await call('/cgi-bin/component/fastregisterweapp', 'create', LEGACY);
    assert.equal(created.errcode, 0, JSON.stringify(created));
    // The search body has no code (doc registerMiniprogram, SKIT ...SearchRequest).
    const search = {
      name: LEGACY.name,
      legal_persona_wechat: LEGACY.legal_persona_wechat,
      legal_persona_name: LEGACY.legal_persona_name,
    };
    const waiting = await call('/cgi-bin/component/fastregisterweapp', 'search', search);
    assert.equal(waiting.errcode, 89251, JSON.stringify(waiting));
    assert.match(waiting.errmsg, /^legal persona checking rid: /);
    const unknown = await call('/cgi-bin/component/fastregisterweapp', 'search', {
      ...search,
      legal_persona_name: 'Nobody Fake',
    });
    assert.equal(unknown.errcode, 89250);
    const badWechat = await call('/cgi-bin/component/fastregisterweapp', 'create', {
      ...LEGACY,
      code: '91110000MA00000002',
      legal_persona_wechat: '1bad',
    });
    assert.equal(badWechat.errcode, 86004);
    assert.match(badWechat.errmsg, /^invalid wechat rid: /);
    const old = await call('/wxa/component/fastregisterpersonalweapp', 'create', {
      idname: 'Li Fake',
      wxuser: 'fake_person_2',
    });
    assert.equal(old.errcode, 0, 'the old personal version answers too');
  });
});
