import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/** The template library, the default template and openwx's record, through real HTTP. */
type Json = Record<string, unknown>;
type Template = Json & { template_id: number; in_library: boolean; is_default: boolean };
type List = {
  items: Template[];
  library: { count: number; limit: number };
  warnings: Array<{ code: string; message: string; candidates: Array<{ template_id: number }> }>;
};
type ErrorAnswer = { error: { code: string; message: string; field?: string; errcode?: number } };

describe('template library', () => {
  let sb: Sandbox;
  const call = async <T = Json>(path: string, method = 'GET', body?: unknown) => {
    const res = await sb.admin(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const upload = async (user_version: string) =>
    (
      await sb.control<{ draft_id: number }>('/drafts', {
        user_version,
        user_desc: `release ${user_version}`,
        source_miniprogram_appid: 'wxdevtemplate00042',
      })
    ).draft_id;
  const addDraft = async (version: string) => {
    const res = await call<Template>('/api/admin/templates', 'POST', {
      draft_id: await upload(version),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const list = async () => {
    const res = await call<List>('/api/admin/templates');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    sb = await startSandbox({
      env: { OPENWX_TEMPLATE_LIBRARY_LIMIT: '5', OPENWX_TEMPLATE_LIBRARY_WARN_WITHIN: '2' },
    });
    await ensureComponentToken(sb);
    await sb.control('/template-settings', { limit: 5 });
  });
  after(async () => {
    await sb.stop();
  });

  let first: Template;

  test('drafts are listed, added to the library and one is made the default', async () => {
    const d1 = await upload('1.0.0');
    const d2 = await upload('1.1.0');
    const drafts = await call<{ items: Json[] }>('/api/admin/templates/drafts');
    assert.equal(drafts.status, 200);
    const ids = drafts.body.items.map((d) => d['draft_id']);
    assert.ok(ids.includes(d1) && ids.includes(d2), JSON.stringify(drafts.body));
    assert.equal(drafts.body.items.find((d) => d['draft_id'] === d1)?.['user_version'], '1.0.0');

    const added = await call<Template>('/api/admin/templates', 'POST', { draft_id: d1 });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    first = added.body;
    assert.equal(first['draft_id'], d1);
    assert.equal(first['user_version'], '1.0.0');
    assert.equal(first['source_miniprogram_appid'], 'wxdevtemplate00042');
    assert.equal(first.in_library, true);
    assert.ok(typeof first['created_at'] === 'string');

    const listed = await list();
    assert.ok(listed.items.some((t) => t.template_id === first.template_id));
    assert.deepEqual(listed.warnings, []);

    const set = await call<Template>('/api/admin/templates/default', 'PUT', {
      template_id: first.template_id,
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.is_default, true);
    const got = await call<Template>('/api/admin/templates/default');
    assert.equal(got.status, 200);
    assert.equal(got.body.template_id, first.template_id);
  });

  test('the library counts the mini programs that run each template online', async () => {
    assert.equal(
      (await list()).items.find((t) => t.template_id === first.template_id)?.['usage'],
      0,
    );
    const appid = await authorizeMerchant(sb, { nickname: 'Usage shop' });
    await prepareForAudit(sb, appid);
    const base = `/api/admin/authorizers/${appid}/code`;
    const commit = await call(`${base}/commit`, 'POST', {
      template_id: first.template_id,
      user_version: '1.0.0',
      user_desc: 'first release',
    });
    assert.equal(commit.status, 201, JSON.stringify(commit.body));
    // Committed only: not running yet.
    assert.equal(
      (await list()).items.find((t) => t.template_id === first.template_id)?.['usage'],
      0,
    );
    const submit = await call<{ auditid: number }>(`${base}/submit`, 'POST', {
      auto_release: true,
    });
    assert.equal(submit.status, 201, JSON.stringify(submit.body));
    await sb.control(`/audits/${submit.body.auditid}`, { result: 'success' });
    const released = await eventually(async () => {
      const t = (await list()).items.find((x) => x.template_id === first.template_id);
      return t?.['usage'] === 1 ? t : undefined;
    }, 8000);
    assert.equal(released['usage'], 1);
    const usage = await call<{ released: Array<{ appid: string }> }>(
      `/api/admin/templates/${first.template_id}/usage`,
    );
    assert.deepEqual(
      usage.body.released.map((u) => u.appid),
      [appid],
    );
  });

  test('a template WeChat dropped stays in openwx’s record and cannot be the default', async () => {
    const dropped = await addDraft('1.2.0');
    await sb.control(`/templates/${dropped.template_id}`, undefined, 'DELETE');
    const listed = await list();
    const rec = listed.items.find((t) => t.template_id === dropped.template_id);
    assert.ok(rec, 'kept in the record');
    assert.equal(rec.in_library, false);
    assert.equal(rec['user_version'], '1.2.0');

    const refused = await call<ErrorAnswer>('/api/admin/templates/default', 'PUT', {
      template_id: dropped.template_id,
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.field, 'template_id');

    const deleted = await addDraft('1.3.0');
    const del = await call<Template>(`/api/admin/templates/${deleted.template_id}`, 'DELETE');
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.equal(del.body.in_library, false);
    const again = (await list()).items.find((t) => t.template_id === deleted.template_id);
    assert.equal(again?.in_library, false);

    const ofDefault = await call<ErrorAnswer>(
      `/api/admin/templates/${first.template_id}`,
      'DELETE',
    );
    assert.equal(ofDefault.status, 409);
    assert.equal(
      (await call<Template>('/api/admin/templates/default')).body.template_id,
      first.template_id,
    );
  });

  test('the default cannot be an unknown template', async () => {
    const res = await call<ErrorAnswer>('/api/admin/templates/default', 'PUT', {
      template_id: 987654,
    });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.field, 'template_id');
    assert.match(res.body.error.message, /987654/);
  });

  test('addtotemplate with an unknown draft shows WeChat’s errcode', async () => {
    const res = await call<ErrorAnswer>('/api/admin/templates', 'POST', { draft_id: 424242 });
    assert.equal(res.status, 502);
    assert.equal(res.body.error.code, 'wechat_error');
    assert.equal(res.body.error.errcode, 85064);
  });

  test('near the limit the list warns, naming the oldest templates that are not the default', async () => {
    const second = await addDraft('2.0.0');
    await addDraft('2.1.0');
    const listed = await list();
    assert.equal(listed.library.count, 3);
    assert.equal(listed.library.limit, 5);
    const warning = listed.warnings.find((w) => w.code === 'library_near_limit');
    assert.ok(warning, JSON.stringify(listed));
    const candidates = warning.candidates.map((c) => c.template_id);
    assert.deepEqual(candidates, [second.template_id]);
    assert.ok(!candidates.includes(first.template_id), 'the default is never a candidate');
    assert.match(warning.message, new RegExp(`${second.template_id}`));

    await addDraft('2.2.0');
    await addDraft('2.3.0');
    const full = await call<ErrorAnswer>('/api/admin/templates', 'POST', {
      draft_id: await upload('2.4.0'),
    });
    assert.equal(full.status, 502);
    assert.equal(full.body.error.errcode, 85065);
  });

  test('when WeChat answers 48001, the error points to the web console', async () => {
    await sb.control('/template-settings', { unauthorized: true });
    try {
      for (const [path, method, body] of [
        ['/api/admin/templates', 'GET', undefined],
        ['/api/admin/templates/drafts', 'GET', undefined],
        ['/api/admin/templates', 'POST', { draft_id: 1 }],
      ] as const) {
        const res = await call<ErrorAnswer>(path, method, body);
        assert.equal(res.status, 502, `${method} ${path}`);
        assert.equal(res.body.error.errcode, 48001);
        assert.match(res.body.error.message, /web console/);
        assert.match(res.body.error.message, /小程序模板库/);
      }
    } finally {
      await sb.control('/template-settings', { unauthorized: false });
    }
    assert.equal((await list()).library.count, 5);
  });

  test('a default template that left WeChat’s library is answered with a coded warning', async () => {
    const def = (await call<Template>('/api/admin/templates/default')).body;
    assert.equal(def['warning_code'], undefined);
    await sb.control(`/templates/${def.template_id}`, undefined, 'DELETE');
    await list(); // the library is read again: the template has left it
    const got = await call<Template>('/api/admin/templates/default');
    assert.equal(got.status, 200);
    assert.equal(got.body.in_library, false);
    assert.equal(got.body['warning_code'], 'default_left_library');
    assert.deepEqual(got.body['warning_params'], { template_id: def.template_id });
    assert.match(String(got.body['warning']), /left WeChat's template library/);
  });
});
