import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/** One mini program's code pipeline and its version history, through real HTTP. */
type Json = Record<string, unknown>;
type Step = Json & {
  kind: string;
  template_id: number | null;
  user_version: string | null;
  auditid: number | null;
  reason: string | null;
  screenshots: string[] | null;
  by: string;
};
type State = {
  committed: Json | null;
  audit: (Json & { state: string; reason: string | null; auditid: number }) | null;
  released: (Json & { user_version: string; rollback: boolean }) | null;
  visit_status: string | null;
};
const ITEMS = [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }];
type ErrorAnswer = { error: { code: string; message: string; field?: string; errcode?: number } };

describe('code pipeline', () => {
  let sb: Sandbox;
  let appid: string;
  let templateId: number;
  let otherTemplateId: number;
  const call = <T = Json>(path: string, method = 'GET', body?: unknown) =>
    sb.call<T>(path, method, body);
  const addTemplate = async (user_version: string) => {
    const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
      user_version,
      user_desc: `template ${user_version}`,
    });
    const res = await call<{ template_id: number }>('/api/admin/templates', 'POST', { draft_id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.template_id;
  };
  const code = (path = '') => `/api/admin/authorizers/${appid}/code${path}`;
  const state = async () => {
    const res = await call<State>(code());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const commit = async (user_version: string, extra: Json = {}) => {
    const res = await call<Step>(code('/commit'), 'POST', {
      user_version,
      user_desc: `version ${user_version}`,
      ...extra,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const submit = async () => {
    const res = await call<Step>(code('/submit'), 'POST', { item_list: ITEMS });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.ok(res.body.auditid);
    return res.body.auditid as number;
  };
  /** Decides an audit a few (emulated) seconds later, so each push has its own CreateTime. */
  const decide = async (auditid: number, body: Json) => {
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${auditid}`, body);
  };
  const auditState = (want: string) =>
    eventually(
      async () => {
        const s = await state();
        return s.audit?.state === want ? s : undefined;
      },
      8000,
      `audit state ${want}`,
    );

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    otherTemplateId = await addTemplate('0.9.0');
    templateId = await addTemplate('1.0.0');
    const def = await call('/api/admin/templates/default', 'PUT', { template_id: templateId });
    assert.equal(def.status, 200, JSON.stringify(def.body));
    appid = await authorizeMerchant(sb, { type: 'miniprogram' });
    await prepareForAudit(sb, appid);
    const tenant = await call<{ id: string }>('/api/admin/tenants', 'POST', {
      name: 'Shop One',
      ext: { shop: 'S1', title: '{{tenant.name}} on {{appid}}' },
    });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
    const linked = await call(`/api/admin/authorizers/${appid}`, 'PATCH', {
      tenant_id: tenant.body.id,
    });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
  });
  after(async () => {
    await sb.stop();
  });

  test('commit → submit → audit push → release, and the history lists every step', async () => {
    const committed = await commit('1.0.0', { ext: { color: 'red', greet: 'hi {{appid}}' } });
    assert.equal(committed.kind, 'committed');
    assert.equal(committed.template_id, templateId);
    assert.equal(committed.by, 'admin');

    const view = await sb.control<{ trial: { ext_json: string; template_id: number } }>(
      `/mini-programs/${appid}/code`,
    );
    assert.equal(view.trial.template_id, templateId);
    assert.deepEqual(JSON.parse(view.trial.ext_json), {
      extAppid: appid,
      ext: { shop: 'S1', title: `Shop One on ${appid}`, color: 'red', greet: `hi ${appid}` },
    });

    const qr = await sb.admin(code('/qrcode'));
    assert.equal(qr.status, 200);
    assert.equal(qr.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await qr.arrayBuffer());
    assert.equal(bytes[0], 0xff);
    assert.equal(bytes[1], 0xd8);

    const auditid = await submit();
    assert.equal((await state()).audit?.state, 'auditing');

    const again = await call<ErrorAnswer>(code('/submit'), 'POST', { item_list: ITEMS });
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.match(again.body.error.message, /in flight/);

    await decide(auditid, { result: 'success' });
    const passed = await auditState('passed');
    assert.equal(passed.audit?.auditid, auditid);
    assert.equal(passed.committed?.['user_version'], '1.0.0');

    const released = await call<Step>(code('/release'), 'POST');
    assert.equal(released.status, 201, JSON.stringify(released.body));
    const s = await state();
    assert.equal(s.released?.user_version, '1.0.0');
    assert.equal(s.released?.rollback, false);

    const history = await call<{ items: Step[] }>(`/api/admin/authorizers/${appid}/versions`);
    assert.equal(history.status, 200, JSON.stringify(history.body));
    assert.deepEqual(
      history.body.items.map((i) => i.kind),
      ['committed', 'submitted', 'audit_passed', 'released'],
    );
    for (const item of history.body.items) {
      assert.equal(item.user_version, '1.0.0');
      assert.equal(item.template_id, templateId);
      assert.ok(item.at);
    }
    assert.deepEqual(
      history.body.items.map((i) => i.by),
      ['admin', 'admin', 'wechat', 'admin'],
    );
  });

  test('a failed audit shows its reason and screenshots; a second release rolls back', async () => {
    await commit('1.1.0', { template_id: otherTemplateId });
    const auditid = await submit();
    await decide(auditid, {
      result: 'fail',
      reason: 'The home page is empty',
      screenshots: ['media1', 'media2'],
    });
    const failed = await auditState('failed');
    assert.equal(failed.audit?.reason, 'The home page is empty');
    assert.deepEqual(failed.audit?.['screenshots'], ['media1', 'media2']);

    const refused = await call<ErrorAnswer>(code('/release'), 'POST');
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match(
      refused.body.error.message,
      /nothing to release: the latest audit \(\d+\) is failed/,
    );
    assert.equal((await state()).released?.user_version, '1.0.0', 'the online version is kept');

    await commit('1.2.0');
    await decide(await submit(), { result: 'success' });
    await auditState('passed');
    assert.equal((await call(code('/release'), 'POST')).status, 201);
    assert.equal((await state()).released?.user_version, '1.2.0');

    const back = await call<Step>(code('/rollback'), 'POST');
    assert.equal(back.status, 201, JSON.stringify(back.body));
    const s = await state();
    assert.equal(s.released?.user_version, '1.0.0');
    assert.equal(s.released?.rollback, true);

    const items = (await call<{ items: Step[] }>(`/api/admin/authorizers/${appid}/versions`)).body
      .items;
    const fail = items.find((i) => i.kind === 'audit_failed');
    assert.equal(fail?.reason, 'The home page is empty');
    assert.equal(fail?.user_version, '1.1.0');
    assert.equal(fail?.template_id, otherTemplateId);
    assert.deepEqual(
      items.slice(4).map((i) => `${i.kind} ${i.user_version}`),
      [
        'committed 1.1.0',
        'submitted 1.1.0',
        'audit_failed 1.1.0',
        'committed 1.2.0',
        'submitted 1.2.0',
        'audit_passed 1.2.0',
        'released 1.2.0',
        'rolled_back 1.0.0',
      ],
    );
  });

  test('withdraw an audit, and change the service status', async () => {
    await commit('1.3.0');
    await submit();
    const undo = await call<Step>(code('/undo-audit'), 'POST');
    assert.equal(undo.status, 201, JSON.stringify(undo.body));
    assert.equal((await state()).audit?.state, 'withdrawn');

    const closed = await call<Step>(code('/visit-status'), 'POST', { status: 'close' });
    assert.equal(closed.status, 201, JSON.stringify(closed.body));
    assert.equal((await state()).visit_status, 'close');
    const bad = await call<ErrorAnswer>(code('/visit-status'), 'POST', { status: 'maybe' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'status');
  });

  test('an invalid ext or an unknown template is refused naming the field', async () => {
    const badExt = await call<ErrorAnswer>(code('/commit'), 'POST', {
      user_version: '9.0.0',
      user_desc: 'bad',
      ext: 'not an object',
    });
    assert.equal(badExt.status, 400, JSON.stringify(badExt.body));
    assert.equal(badExt.body.error.field, 'ext');

    const tooBig = await call<ErrorAnswer>(code('/commit'), 'POST', {
      user_version: '9.0.0',
      user_desc: 'bad',
      ext: { blob: 'x'.repeat(70_000) },
    });
    assert.equal(tooBig.status, 400, JSON.stringify(tooBig.body));
    assert.equal(tooBig.body.error.field, 'ext');

    const unknown = await call<ErrorAnswer>(code('/commit'), 'POST', {
      template_id: 987654,
      user_version: '9.0.0',
      user_desc: 'bad',
    });
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    assert.equal(unknown.body.error.field, 'template_id');

    const missing = await call<ErrorAnswer>(code('/commit'), 'POST', { user_desc: 'bad' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.field, 'user_version');

    // WeChat's 85048 ("parse ext.json failed") is a refusal of the ext_json, not a server error.
    await sb.control('/faults', { endpoint: 'commit', errcode: 85048, times: 1 });
    const unparsed = await call<ErrorAnswer>(code('/commit'), 'POST', {
      user_version: '9.0.1',
      user_desc: 'unparsed',
    });
    assert.equal(unparsed.status, 400, JSON.stringify(unparsed.body));
    assert.equal(unparsed.body.error.field, 'ext_json');
    assert.equal(unparsed.body.error.errcode, 85048);

    const nobody = await call<ErrorAnswer>('/api/admin/authorizers/wxnobody/code');
    assert.equal(nobody.status, 404);
    assert.equal(nobody.body.error.field, 'appid');
  });
});
