import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { AppError } from '../../src/core/errors.ts';
import {
  createAuditAdvisor,
  matchCategories,
  parseReasonCategories,
  type TreeNode,
} from '../../src/services/code/audit-reasons.ts';
import type { CodeHistory, CodeStep } from '../../src/services/code/code-history.ts';
import type { WechatClient } from '../../src/wechat/client.ts';

/** Rejection reasons that name categories to add (shapes as WeChat words them; fake ids). */

const TREE: TreeNode[] = [
  { id: 10, name: '医疗', level: 1, father: 0 },
  {
    id: 1001,
    name: '健康（资讯）',
    level: 2,
    father: 10,
    sensitive_type: 1,
    qualify: {
      exter_list: [
        { inner_list: [{ name: '《互联网药品信息服务资格证书》' }] },
        { inner_list: [{ name: '医疗机构执业许可证' }] },
      ],
    },
  },
  { id: 20, name: '电商平台', level: 1, father: 0 },
  { id: 2001, name: '电商平台', level: 2, father: 20 },
  { id: 30, name: '工具', level: 1, father: 0 },
  { id: 3001, name: '信息查询', level: 2, father: 30 },
  { id: 3002, name: '效率', level: 2, father: 30 },
  { id: 40, name: '本地服务', level: 1, father: 0 },
  { id: 4001, name: '机械/电子器件', level: 2, father: 40 },
];

describe('parseReasonCategories', () => {
  it('finds a first-second category with full-width dash and parentheses', () => {
    assert.deepEqual(parseReasonCategories('请补充选择：医疗－健康（资讯）类目'), [
      '医疗-健康(资讯)',
    ]);
    assert.deepEqual(parseReasonCategories('请补充选择:医疗-健康(资讯)类目'), ['医疗-健康(资讯)']);
  });

  it('finds several, joined with 、 or 或 or in 【】, through HTML and numbering', () => {
    const reason =
      '1:服务类目"工具-信息查询_"与你提交代码审核时设置的功能页面内容不一致:<br>(1):你的小程序涉及多个商家的在线交易，请补充选择电商平台类目，并在基础信息处申请该类目。<br>2:请补充选择：医疗-健康（资讯）、工具－效率类目<br/>3、补充选择：【跨境电商-机械/电子器件】或【本地服务-机械/电子器件】类目。';
    assert.deepEqual(parseReasonCategories(reason), [
      '电商平台',
      '医疗-健康(资讯)',
      '工具-效率',
      '跨境电商-机械/电子器件',
      '本地服务-机械/电子器件',
    ]);
  });

  it('accepts a name without 类目 when it has two levels, and strips the subject qualifier', () => {
    assert.deepEqual(parseReasonCategories('请补充选择：工具-效率，然后重新提交'), ['工具-效率']);
    assert.deepEqual(parseReasonCategories('建议申请企业主体小程序金融类目'), ['金融']);
    assert.deepEqual(parseReasonCategories('请补充选择&nbsp;时政信息类目'), ['时政信息']);
  });

  it('returns nothing for reasons that name no category', () => {
    assert.deepEqual(parseReasonCategories('小程序打开只有跳转分享功能，无具体运营内容'), []);
    assert.deepEqual(parseReasonCategories('请选择正确的服务类目后重新提审'), []);
    assert.deepEqual(parseReasonCategories('请在基础信息处添加该功能'), []);
    assert.deepEqual(parseReasonCategories(''), []);
    assert.deepEqual(parseReasonCategories(null), []);
  });
});

describe('matchCategories', () => {
  it('tells what each category needs and what to do', () => {
    const names = ['医疗-健康(资讯)', '工具-效率', '信息查询', '金融'];
    const owned = [{ first: 30, second: 3001, audit_status: 3 }];
    const { categories, advice } = matchCategories(names, TREE, owned);
    assert.deepEqual(
      categories.map((c) => [c.name, c.status, c.id, c.first]),
      [
        ['医疗-健康(资讯)', 'needs_qualification', 1001, 10],
        ['工具-效率', 'can_add', 3002, 30],
        ['信息查询', 'already_added', 3001, 30],
        ['金融', 'not_found', undefined, undefined],
      ],
    );
    assert.deepEqual(categories[0]?.qualifications, [
      '《互联网药品信息服务资格证书》',
      '医疗机构执业许可证',
    ]);
    assert.equal(categories[0]?.sensitive, true);
    assert.equal(categories[1]?.sensitive, false);
    assert.deepEqual(
      advice.map((a) => a.code),
      [
        'add_category_with_qualification',
        'add_category',
        'category_already_added',
        'category_not_available',
      ],
    );
    assert.deepEqual(advice[1]?.params, { name: '工具-效率', first: 30, second: 3002 });
  });

  it('a category in review or rejected on the mini program', () => {
    const review = matchCategories(['工具-效率'], TREE, [
      { first: 30, second: 3002, audit_status: 1 },
    ]);
    assert.equal(review.categories[0]?.status, 'already_added');
    assert.equal(review.advice[0]?.code, 'category_in_review');
    const rejected = matchCategories(['工具-效率'], TREE, [
      { first: 30, second: 3002, audit_status: 2 },
    ]);
    assert.equal(rejected.categories[0]?.status, 'can_add');
    assert.equal(rejected.categories[0]?.audit_status, 2);
  });

  it('no category named: an empty list and the advice saying so', () => {
    assert.deepEqual(matchCategories([], TREE, []), {
      categories: [],
      advice: [{ code: 'no_category_named', params: {} }],
    });
  });
});

describe('createAuditAdvisor', () => {
  function setup(steps: Partial<CodeStep>[]) {
    const calls: string[] = [];
    const client = {
      call: (name: string) => {
        calls.push(name);
        if (name === 'getallcategories') {
          return Promise.resolve({ categories_list: { categories: TREE } });
        }
        return Promise.resolve({ categories: [{ first: 30, second: 3001, audit_status: 3 }] });
      },
    } as unknown as WechatClient;
    const history = {
      steps: () => Promise.resolve(steps.map((s, i) => ({ id: i + 1, ...s }) as CodeStep)),
    } as unknown as CodeHistory;
    const clock = new ManualClock();
    return { calls, clock, advisor: createAuditAdvisor({ client, history, clock }) };
  }

  it('keeps the category tree for a while, and asks again after it', async () => {
    const { calls, clock, advisor } = setup([]);
    await advisor.forReason('wx_fake_app', '请补充选择：工具-效率类目');
    await advisor.forReason('wx_fake_app', '请补充选择：工具-效率类目');
    assert.equal(calls.filter((c) => c === 'getallcategories').length, 1);
    assert.equal(calls.filter((c) => c === 'getcategory').length, 2);
    clock.advance(3600_000);
    await advisor.forReason('wx_fake_app', '请补充选择：工具-效率类目');
    assert.equal(calls.filter((c) => c === 'getallcategories').length, 2);
  });

  it('a reason naming no category asks WeChat nothing', async () => {
    const { calls, advisor } = setup([]);
    const res = await advisor.forReason('wx_fake_app', '页面内容为空');
    assert.deepEqual(res.categories, []);
    assert.deepEqual(calls, []);
  });

  it('the latest failed audit, or not_found naming no_failed_audit', async () => {
    const { advisor } = setup([
      { kind: 'submitted', auditid: 7 },
      { kind: 'audit_failed', auditid: 7, reason: '请补充选择：工具-效率类目', at: 'x' },
    ]);
    const latest = await advisor.latest('wx_fake_app');
    assert.equal(latest.auditid, 7);
    assert.equal(latest.current, true);
    assert.equal(latest.categories[0]?.status, 'can_add');

    const none = setup([{ kind: 'submitted', auditid: 8 }]).advisor;
    await assert.rejects(none.latest('wx_fake_app'), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'not_found');
      assert.deepEqual(err.details?.['params'], {
        reason: 'no_failed_audit',
        appid: 'wx_fake_app',
      });
      return true;
    });
  });
});

describe('parseReasonCategories on hostile text', () => {
  it('a very long reason is read up to a bound, without error', () => {
    const long = '请补充选择：工具-效率类目' + '、'.repeat(200_000) + '请补充选择：医疗-健康类目';
    assert.deepEqual(parseReasonCategories(long), ['工具-效率']);
    assert.deepEqual(parseReasonCategories('<script>请补充选择：</script><b>类目</b>'), []);
  });
});
