import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { authorizeMerchant, ensureComponentToken, prepareForAudit } from '../support/flows.ts';

/**
 * A rejected audit whose reason names categories: openwx matches them against WeChat's category
 * tree (the emulator's: 工具 1 / 效率 101, 信息查询 102; 餐饮 3 / 点餐平台 301, 外卖平台 302) and says
 * what to do, in the version history and at /audit-advice.
 */
type Json = Record<string, unknown>;
type Category = {
  name: string;
  status: string;
  id?: number;
  first?: number;
  qualifications?: string[];
};
type AdviceItem = { code: string; params: Json };
type AdviceAnswer = {
  appid: string;
  auditid: number;
  reason: string;
  current: boolean;
  categories: Category[];
  advice: AdviceItem[];
};
type Step = Json & {
  kind: string;
  auditid: number | null;
  detail: { categories?: Category[]; advice?: AdviceItem[] };
};
type ErrorAnswer = { error: { code: string; params?: Json } };

const ITEMS = [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }];
const REASON =
  '1:服务类目"工具-效率_"与你提交代码审核时设置的功能页面内容不一致:<br>(1):你的小程序提供在线点餐，请补充选择：餐饮－点餐平台、工具-效率类目<br>2:服务涉及个人小程序未允许内容，建议申请企业主体小程序金融类目<br>';

/** A mini program ready for audit (工具-效率 1/101 added), with a default template. */
async function readyMiniProgram(sb: Sandbox): Promise<string> {
  await ensureComponentToken(sb);
  const { draft_id } = await sb.control<{ draft_id: number }>('/drafts', {
    user_version: '1.0.0',
    user_desc: 'template',
  });
  const tpl = await sb.call<{ template_id: number }>('/api/admin/templates', 'POST', {
    draft_id,
  });
  assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
  const def = await sb.call('/api/admin/templates/default', 'PUT', {
    template_id: tpl.body.template_id,
  });
  assert.equal(def.status, 200, JSON.stringify(def.body));
  const appid = await authorizeMerchant(sb, { type: 'miniprogram' });
  await prepareForAudit(sb, appid);
  return appid;
}

/** Commits and submits a version; returns the auditid. */
async function submitted(sb: Sandbox, appid: string, user_version: string): Promise<number> {
  const code = `/api/admin/authorizers/${appid}/code`;
  const committed = await sb.call(`${code}/commit`, 'POST', { user_version, user_desc: 'v' });
  assert.equal(committed.status, 201, JSON.stringify(committed.body));
  const res = await sb.call<{ auditid: number }>(`${code}/submit`, 'POST', { item_list: ITEMS });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.auditid;
}

const failedStep = async (sb: Sandbox, appid: string) =>
  (await sb.call<{ items: Step[] }>(`/api/admin/authorizers/${appid}/versions`)).body.items
    .filter((s) => s.kind === 'audit_failed')
    .pop();

describe('audit reasons that name categories', () => {
  let sb: Sandbox;
  let appid: string;
  const call = <T = Json>(path: string, method = 'GET', body?: unknown) =>
    sb.call<T>(path, method, body);
  const code = (path = '') => `/api/admin/authorizers/${appid}/code${path}`;
  const advice = () =>
    call<AdviceAnswer & ErrorAnswer>(`/api/admin/authorizers/${appid}/audit-advice`);

  /** Commits, submits and has the emulator reject the audit with `reason` (pushed). */
  async function rejectedWith(reason: string, user_version: string): Promise<number> {
    const auditid = await submitted(sb, appid, user_version);
    await sb.control('/clock', { advanceSeconds: 2 });
    await sb.control(`/audits/${auditid}`, { result: 'fail', reason });
    await eventually(
      async () => {
        const s = await call<{ audit: { state: string; auditid: number } | null }>(code());
        return s.body.audit?.state === 'failed' && s.body.audit.auditid === auditid
          ? true
          : undefined;
      },
      8000,
      'audit failed',
    );
    return auditid;
  }

  before(async () => {
    sb = await startSandbox();
    appid = await readyMiniProgram(sb);
  });
  after(async () => {
    await sb.stop();
  });

  test('no failed audit yet: 404 not_found naming no_failed_audit, for an unknown appid too', async () => {
    const res = await advice();
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    assert.equal(res.body.error.params?.['reason'], 'no_failed_audit');
    const unknown = await call<ErrorAnswer>('/api/admin/authorizers/wx_no_such_app/audit-advice');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.params?.['reason'], 'no_failed_audit');
  });

  test('a rejection naming categories: what to add, what is there, what WeChat does not offer', async () => {
    const auditid = await rejectedWith(REASON, '1.0.0');
    const expected = [
      ['餐饮-点餐平台', 'can_add', 301, 3],
      ['工具-效率', 'already_added', 101, 1],
      ['金融', 'not_found', undefined, undefined],
    ];

    // Kept with the failed audit in the version history.
    const failed = await failedStep(sb, appid);
    assert.equal(failed?.auditid, auditid);
    assert.deepEqual(
      failed?.detail.categories?.map((c) => [c.name, c.status, c.id, c.first]),
      expected,
    );
    assert.deepEqual(
      failed?.detail.advice?.map((a) => a.code),
      ['add_category', 'category_already_added', 'category_not_available'],
    );

    const res = await advice();
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.auditid, auditid);
    assert.equal(res.body.reason, REASON);
    assert.equal(res.body.current, true);
    assert.deepEqual(
      res.body.categories.map((c) => [c.name, c.status, c.id, c.first]),
      expected,
    );
    assert.deepEqual(res.body.advice[0], {
      code: 'add_category',
      params: { name: '餐饮-点餐平台', first: 3, second: 301 },
    });
    assert.deepEqual(res.body.advice[2], {
      code: 'category_not_available',
      params: { name: '金融', action: 'remove_feature_or_change_subject' },
    });
  });

  test('once the category is added, the advice says so', async () => {
    const added = await call(`/api/admin/authorizers/${appid}/categories`, 'POST', {
      categories: [{ first: 3, second: 301 }],
    });
    assert.ok(added.status < 300, JSON.stringify(added.body));
    const res = await advice();
    assert.equal(res.status, 200);
    assert.equal(res.body.categories[0]?.status, 'already_added');
    assert.equal(res.body.advice[0]?.code, 'category_already_added');
  });

  test('a rejection naming no category: an empty list and no_category_named, never an error', async () => {
    const auditid = await rejectedWith('小程序首页内容为空，请完善后重新提交', '1.0.1');
    const res = await advice();
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.auditid, auditid);
    assert.deepEqual(res.body.categories, []);
    assert.deepEqual(res.body.advice, [{ code: 'no_category_named', params: {} }]);
    assert.deepEqual((await failedStep(sb, appid))?.detail.categories, []);
  });

  test('a sensitive category named by the reason: its qualification documents are given', async () => {
    await rejectedWith('你的小程序涉及便利店商品售卖，请补充选择：购物-便利店类目', '1.0.2');
    const res = await advice();
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.categories.map((c) => [c.name, c.status, c.id, c.first, c.qualifications]),
      [
        [
          '购物-便利店',
          'needs_qualification',
          401,
          4,
          ['若涉及食品，请提供《食品经营许可证》或《卫生许可证》'],
        ],
      ],
    );
    assert.equal(res.body.advice[0]?.code, 'add_category_with_qualification');
    assert.deepEqual(res.body.advice[0]?.params['qualifications'], [
      '若涉及食品，请提供《食品经营许可证》或《卫生许可证》',
    ]);
  });

  test('a tenant key reads the advice of its own mini program, not another tenant’s', async () => {
    const tenant = await call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'Advised' });
    await call(`/api/admin/authorizers/${appid}`, 'PATCH', { tenant_id: tenant.body.id });
    const key = (
      await call<{ key: string }>(`/api/admin/tenants/${tenant.body.id}/keys`, 'POST', {
        name: 'erp',
      })
    ).body.key;
    const other = await call<{ id: string }>('/api/admin/tenants', 'POST', { name: 'Nosy' });
    const otherKey = (
      await call<{ key: string }>(`/api/admin/tenants/${other.body.id}/keys`, 'POST', {
        name: 'erp',
      })
    ).body.key;
    await rejectedWith(REASON, '3.0.0');
    const read = async (withKey: string) => {
      const res = await fetch(`${sb.url}/api/tenant/authorizers/${appid}/audit-advice`, {
        headers: { authorization: `Bearer ${withKey}` },
      });
      return { status: res.status, body: (await res.json()) as AdviceAnswer & ErrorAnswer };
    };
    const own = await read(key);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.reason, REASON);
    assert.deepEqual(own.body, (await advice()).body, 'the same advice the console shows');
    const nosy = await read(otherKey);
    assert.equal(nosy.status, 404);
    assert.equal(nosy.body.error.code, 'not_found');
  });
});

describe('audit reasons on PostgreSQL', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ db: 'postgres' });
  });
  after(() => sb?.stop());

  test('a rejection found by polling (no push) keeps its categories too', async () => {
    const appid = await readyMiniProgram(sb);
    const auditid = await submitted(sb, appid, '2.0.0');
    await sb.control(`/audits/${auditid}`, {
      result: 'fail',
      reason: '请补充选择：餐饮-外卖平台类目',
      push: false,
    });
    const polled = await sb.openwx.pollAudits();
    assert.equal(polled.found, 1);
    const failed = await failedStep(sb, appid);
    assert.equal(failed?.auditid, auditid);
    assert.equal(failed?.by, 'wechat-poll');
    assert.deepEqual(
      failed?.detail.categories?.map((c) => [c.name, c.status, c.id]),
      [['餐饮-外卖平台', 'can_add', 302]],
    );
    const res = await sb.call<AdviceAnswer>(`/api/admin/authorizers/${appid}/audit-advice`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.advice, [
      { code: 'add_category', params: { name: '餐饮-外卖平台', first: 3, second: 302 } },
    ]);
  });

  test('WeChat failing the category look-up: the rejection is recorded all the same', async () => {
    const appid = await readyMiniProgram(sb);
    const auditid = await submitted(sb, appid, '2.0.0');
    await sb.control('/faults', { endpoint: 'getcategory', errcode: 41033, times: 2 });
    try {
      await sb.control(`/audits/${auditid}`, {
        result: 'fail',
        reason: '请补充选择：餐饮-外卖平台类目',
        push: false,
      });
      assert.equal((await sb.openwx.pollAudits()).found, 1);
      const failed = await failedStep(sb, appid);
      assert.equal(failed?.auditid, auditid);
      assert.equal(failed?.reason, '请补充选择：餐饮-外卖平台类目');
      assert.equal(failed?.detail.categories, undefined, 'no categories without the look-up');

      const refused = await sb.call<ErrorAnswer>(`/api/admin/authorizers/${appid}/audit-advice`);
      assert.equal(refused.status, 502);
      assert.equal(refused.body.error.code, 'wechat_error');
    } finally {
      await sb.control('/faults', undefined, 'DELETE');
    }
    const res = await sb.call<AdviceAnswer>(`/api/admin/authorizers/${appid}/audit-advice`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.categories[0]?.status, 'can_add');
  });
});
