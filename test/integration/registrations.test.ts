import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { ensureComponentToken } from '../support/flows.ts';

/** Registering mini programs for merchants, through real HTTP against the emulator. */
type Json = Record<string, unknown>;
type Task = Json & {
  id: string;
  status: string;
  appid: string | null;
  verify_status: string | null;
};
type EmuTask = {
  id: string;
  kind: string;
  state: string;
  data: Json;
  appid?: string;
  authorize_url?: string;
};

describe('mini program registration', () => {
  let sb: Sandbox;
  let tenantId: string;
  let seq = 0;
  const call = async (path: string, method = 'GET', body?: unknown) => {
    const res = await sb.admin(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** The legacy body (fastregisterweapp), which WeChat retired on 2026-04-30. */
  const enterprise = (over: Json = {}) => {
    seq++;
    return {
      kind: 'enterprise',
      flow: 'legacy',
      tenant_id: tenantId,
      name: `Fake Trading Co ${seq}`,
      code: `91110000MA00000${String(seq).padStart(3, '0')}`,
      code_type: 1,
      legal_persona_wechat: `fake_wx_${seq}00`,
      legal_persona_name: 'Zhang Fake',
      component_phone: '13800000000',
      ...over,
    };
  };
  /** Today's enterprise registration (URL flow, new version). */
  const urlEnterprise = (over: Json = {}) => {
    seq++;
    return {
      kind: 'enterprise',
      tenant_id: tenantId,
      name: `Fake Url Co ${seq}`,
      code: `91110000MA00002${String(seq).padStart(3, '0')}`,
      component_phone: '13800000003',
      ...over,
    };
  };
  /** Plays WeChat before 2026-04-30 (legacy fastregisterweapp answers) while `run` runs. */
  const beforeRetirement = async (run: () => Promise<void>) => {
    await sb.control('/registration-settings', { legacy_enterprise_registration: true });
    try {
      await run();
    } finally {
      await sb.control('/registration-settings', { legacy_enterprise_registration: false });
    }
  };
  const emulatorTask = async (match: (t: EmuTask) => boolean) => {
    const { registrations } = await sb.control<{ registrations: EmuTask[] }>('/registrations');
    const found = registrations.find(match);
    assert.ok(found, 'emulator task');
    return found;
  };
  const taskUntil = (id: string, ok: (t: Task) => boolean) =>
    eventually(
      async () => {
        const t = (await call(`/api/admin/registrations/${id}`)).body as Task;
        return ok(t) ? t : undefined;
      },
      10_000,
      `registration ${id}`,
    );
  const authorizerOfTenant = (appid: string) =>
    eventually(
      async () => {
        const a = await call(`/api/admin/tenants/${tenantId}`);
        const tok = await sb.admin(`/api/tokens/authorizers/${appid}`);
        return (a.body['appids'] as string[]).includes(appid) && tok.status === 200;
      },
      15_000,
      `authorizer ${appid} of the tenant`,
    );

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    tenantId = String(
      (await call('/api/admin/tenants', 'POST', { name: 'Reg tenant' })).body['id'],
    );
  });
  after(() => sb.stop());

  test('legacy enterprise, with WeChat as before 2026-04-30: confirmed → authorizer of the tenant', async () =>
    beforeRetirement(async () => {
      const input = enterprise();
      const created = await call('/api/admin/registrations', 'POST', input);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body['status'], 'awaiting_legal_person');
      assert.match(String(created.body['next_step']), /legal person/);
      assert.equal(created.body['stale'], false);
      const emu = await emulatorTask((t) => t.data['name'] === input.name);
      await sb.control(`/registrations/${emu.id}`, { result: 'legal_person_confirmed' });
      const done = await taskUntil(String(created.body['id']), (t) => t.status === 'succeeded');
      assert.ok(done.appid);
      await authorizerOfTenant(done.appid);
      const list = await call(`/api/admin/registrations?status=succeeded&tenant_id=${tenantId}`);
      assert.ok((list.body['items'] as Task[]).some((t) => t.id === created.body['id']));
    }));

  test('enterprise: rejected → failed with the reason', async () => {
    const input = urlEnterprise();
    const created = await call('/api/admin/registrations', 'POST', input);
    const emu = await emulatorTask((t) => t.data['name'] === input.name);
    await sb.control(`/registrations/${emu.id}`, {
      result: 'rejected',
      reason: 'face check failed',
    });
    const failed = await taskUntil(String(created.body['id']), (t) => t.status === 'failed');
    assert.match(String(failed['failure_reason']), /100003.*face check failed/);
  });

  test('beta: authorize_url shown, confirmed → authorizer; rename; verify', async () => {
    const created = await call('/api/admin/registrations', 'POST', {
      kind: 'beta',
      tenant_id: tenantId,
      name: 'Fake Demo Shop',
      openid: 'o_fake_openid_0001',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body['status'], 'awaiting_user');
    assert.match(String(created.body['authorize_url']), /^https:\/\//);
    assert.match(String(created.body['next_step']), /fastregistertpbeta/);
    const id = String(created.body['id']);
    const emu = await emulatorTask((t) => t.kind === 'beta' && t.data['name'] === 'Fake Demo Shop');
    await sb.control(`/registrations/${emu.id}`, { result: 'legal_person_confirmed' });
    const done = await taskUntil(id, (t) => t.status === 'succeeded');
    assert.ok(done.appid);
    await authorizerOfTenant(done.appid);

    const renamed = await call(`/api/admin/registrations/${id}/beta-name`, 'POST', {
      name: 'Fake Demo Store',
    });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    const badName = await call(`/api/admin/registrations/${id}/beta-name`, 'POST', {
      name: '微信官方小店铺',
    });
    assert.equal(badName.status, 502);
    assert.equal((badName.body['error'] as Json)['errcode'], 86011);

    // The conversion version WeChat serves since 2026-04-30: the old fields are refused, by name.
    const old = await call(`/api/admin/registrations/${id}/verify-beta`, 'POST', {
      enterprise_name: 'Fake Demo Co',
      code: '91110000MA00000999',
      code_type: 1,
      component_phone: '13800000001',
    });
    assert.equal(old.status, 400, JSON.stringify(old.body));
    assert.equal((old.body['error'] as Json)['field'], 'code_type');
    const notUscc = await call(`/api/admin/registrations/${id}/verify-beta`, 'POST', {
      enterprise_name: 'Fake Demo Co',
      code: '12345678-9',
      component_phone: '13800000001',
    });
    assert.equal(notUscc.status, 400, JSON.stringify(notUscc.body));
    assert.equal((notUscc.body['error'] as Json)['field'], 'code');
    const unchanged = (await call(`/api/admin/registrations/${id}`)).body;
    assert.equal(unchanged['verify_status'], null, 'a refused conversion changes nothing');

    const verify = {
      enterprise_name: 'Fake Demo Co',
      code: '91110000MA00000999',
      component_phone: '13800000001',
    };
    const started = await call(`/api/admin/registrations/${id}/verify-beta`, 'POST', verify);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body['verify_status'], 'awaiting_legal_person');
    const verifyUrl = String(started.body['verify_url']);
    assert.match(verifyUrl, /^https:\/\//);
    assert.ok(
      String(started.body['next_step']).includes(verifyUrl),
      String(started.body['next_step']),
    );
    const again = await call(`/api/admin/registrations/${id}/verify-beta`, 'POST', verify);
    assert.equal((again.body['error'] as Json)['errcode'], 89251);
    const vt = await emulatorTask((t) => t.kind === 'beta_verify' && t.appid === done.appid);
    assert.equal(vt.authorize_url, verifyUrl, 'the URL WeChat answered is the one shown');
    await sb.control(`/registrations/${vt.id}`, { result: 'legal_person_confirmed' });
    const converted = await taskUntil(id, (t) => t.verify_status === 'succeeded');
    assert.equal(converted['verify_url'], verifyUrl);
  });

  test('personal: new version, authorize_url shown, confirmed → authorizer of the tenant', async () => {
    const input = {
      kind: 'personal',
      tenant_id: tenantId,
      idname: 'Wang Fake',
      wxuser: 'fake_person_reg',
      component_phone: '13800000004',
    };
    // Today's WeChat answers the old version (no new_version) with -1: success means openwx sent
    // the new one.
    const created = await call('/api/admin/registrations', 'POST', input);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body['status'], 'awaiting_user');
    const url = String(created.body['authorize_url']);
    assert.match(url, /^https:\/\/.*taskid=/);
    assert.ok(String(created.body['next_step']).includes(url));
    const emu = await emulatorTask(
      (t) => t.kind === 'personal' && t.data['wxuser'] === input.wxuser,
    );
    assert.equal(emu.authorize_url, url);
    await sb.control(`/registrations/${emu.id}`, { result: 'legal_person_confirmed' });
    const done = await taskUntil(String(created.body['id']), (t) => t.status === 'succeeded');
    assert.ok(done.appid);
    await authorizerOfTenant(done.appid);
  });

  test('a push that matches no task is stored and listed', async () => {
    const xml =
      `<xml><AppId><![CDATA[${sb.openwx.config.component.appid}]]></AppId>` +
      '<CreateTime>1700000000</CreateTime>' +
      '<InfoType><![CDATA[notify_third_fasteregister]]></InfoType>' +
      '<status>100003</status><msg><![CDATA[nobody]]></msg>' +
      '<info><name><![CDATA[Unknown Fake Co]]></name><code><![CDATA[000000000000000000]]></code>' +
      '<legal_persona_wechat><![CDATA[nobody_wx]]></legal_persona_wechat></info></xml>';
    await sb.control('/auth-events', { xml });
    await eventually(
      async () => {
        const u = await call('/api/admin/registrations/unmatched');
        return (u.body['items'] as Json[]).some(
          (i) => (i['info'] as Json)['name'] === 'Unknown Fake Co' && i['status'] === '100003',
        );
      },
      8000,
      'unmatched push',
    );
  });

  test('bad input names the field and stores nothing; WeChat errors are shown', async () => {
    const before = ((await call('/api/admin/registrations')).body['items'] as Json[]).length;
    const cases: Array<[Json, string]> = [
      [enterprise({ code: '12345' }), 'code'],
      [enterprise({ code: '91110000ma0000000x' }), 'code'],
      [enterprise({ code_type: 2, code: '91110000MA00000001' }), 'code'],
      [enterprise({ code_type: 4 }), 'code_type'],
      [enterprise({ name: '' }), 'name'],
      [enterprise({ name: 'x'.repeat(101) }), 'name'],
      [enterprise({ component_phone: '138-0000' }), 'component_phone'],
      [enterprise({ legal_persona_wechat: undefined }), 'legal_persona_wechat'],
      [{ kind: 'personal', idname: 'Fake', wxuser: 'fake_user_1' }, 'component_phone'],
      [{ kind: 'beta', name: 'ab', openid: 'o_x' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await call('/api/admin/registrations', 'POST', body);
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
      assert.equal((res.body['error'] as Json)['field'], field, JSON.stringify(res.body));
    }
    const unknown = await call(
      '/api/admin/registrations',
      'POST',
      enterprise({ tenant_id: 'nope' }),
    );
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body['error'] as Json)['field'], 'tenant_id');
    const after = ((await call('/api/admin/registrations')).body['items'] as Json[]).length;
    assert.equal(after, before);

    const dup = urlEnterprise();
    assert.equal((await call('/api/admin/registrations', 'POST', dup)).status, 201);
    const second = await call('/api/admin/registrations', 'POST', dup);
    assert.equal(second.status, 502);
    assert.equal((second.body['error'] as Json)['errcode'], 89249);
    assert.match(String((second.body['error'] as Json)['message']), /already running/);
    const count = ((await call('/api/admin/registrations')).body['items'] as Json[]).length;
    assert.equal(count, before + 1, 'the refused registration is not stored');
  });

  test('enterprise url flow: authorize_url shown, confirmed → authorizer with a token', async () => {
    seq++;
    const input = {
      kind: 'enterprise',
      tenant_id: tenantId,
      name: `Fake Url Co ${seq}`,
      code: `91110000MA00001${String(seq).padStart(3, '0')}`,
      component_phone: '13800000002',
    };
    const created = await call('/api/admin/registrations', 'POST', input);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body['status'], 'awaiting_user');
    assert.equal((created.body['request'] as Json)['flow'], 'url');
    const url = String(created.body['authorize_url']);
    assert.match(url, /^https:\/\/.*taskid=/);
    assert.ok(String(created.body['next_step']).includes(url));
    assert.match(String(created.body['next_step']), /legal person.*24 h/);
    const emu = await emulatorTask((t) => t.data['name'] === input.name);
    assert.equal(emu.authorize_url, url);
    await sb.control(`/registrations/${emu.id}`, { result: 'legal_person_confirmed' });
    const done = await taskUntil(String(created.body['id']), (t) => t.status === 'succeeded');
    assert.ok(done.appid);
    await authorizerOfTenant(done.appid);
    const token = await sb.admin(`/api/tokens/authorizers/${done.appid}`);
    assert.equal(token.status, 200);
    assert.ok(((await token.json()) as Json)['access_token']);

    const bad = await call('/api/admin/registrations', 'POST', { ...input, code: '12345678X' });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal((bad.body['error'] as Json)['field'], 'code');
  });

  test('legacy flow: WeChat answers -1 since 2026-04-30 → 410 registration_api_retired, sent once, nothing stored', async () => {
    const before = ((await call('/api/admin/registrations')).body['items'] as Json[]).length;
    await sb.control('/stats/reset', {});
    const res = await call('/api/admin/registrations', 'POST', enterprise());
    assert.equal(res.status, 410, JSON.stringify(res.body));
    const error = res.body['error'] as Json;
    assert.equal(error['code'], 'registration_api_retired');
    assert.match(String(error['message']), /retired.*URL flow/);
    assert.deepEqual(error['params'], { endpoint: 'fastregisterweapp', use: { flow: 'url' } });
    const stats = await sb.control<{ calls: Record<string, number> }>('/stats');
    assert.equal(stats.calls['/cgi-bin/component/fastregisterweapp'], 1, 'not retried as busy');
    const after = ((await call('/api/admin/registrations')).body['items'] as Json[]).length;
    assert.equal(after, before);
  });
});
