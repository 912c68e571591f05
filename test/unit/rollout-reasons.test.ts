import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reasonOf, reasonText } from '../../src/services/rollout/reasons.ts';

/**
 * Every sentence a rollout stores as a reason reads back as the code and params the console
 * words in the operator's language.
 */
test('each stored rollout reason reads back as its code and params', () => {
  const cases: Array<[string, number | null, string, Record<string, string | number>]> = [
    [
      reasonText.preflightFailed('privacy', 'no privacy protection guide is set'),
      null,
      'preflight_failed',
      { check: 'privacy' },
    ],
    [
      reasonText.auditRejected('1:小程序名称与内容不符'),
      null,
      'audit_rejected',
      { reason: '1:小程序名称与内容不符' },
    ],
    [reasonText.auditRejected(''), null, 'audit_rejected_no_reason', {}],
    [reasonText.auditWithdrawn(), null, 'audit_withdrawn', {}],
    [reasonText.foreignAudit(), 85009, 'foreign_audit_in_flight', { errcode: 85009 }],
    [reasonText.cancelled(), null, 'rollout_cancelled', {}],
    [reasonText.gaveUp(10, 'socket hang up'), null, 'gave_up', { attempts: 10 }],
    [reasonText.retrying('system busy'), null, 'retrying', {}],
    [reasonText.waitingDailyQuota('api daily quota reached'), null, 'waiting_daily_quota', {}],
    [reasonText.waitingPrivacyScan(), null, 'waiting_privacy_scan', {}],
    [
      reasonText.waveFailures({ wave: 2, failed: 3, total: 4, threshold: 10 }),
      null,
      'wave_failures_above_threshold',
      { wave: 2, failed: 3, total: 4, percent: 75, threshold: 10 },
    ],
    [
      reasonText.pausedForQuota("the platform's monthly audit quota is used up (85085)"),
      null,
      'paused_audit_quota',
      {},
    ],
    [
      reasonText.refused('not_found', 'template 9 not found'),
      null,
      'refused',
      { error: 'not_found' },
    ],
    ['invalid appid', 40013, 'wechat_errcode', { errcode: 40013 }],
    ['something else', null, 'unknown', {}],
  ];
  for (const [text, errcode, code, params] of cases) {
    assert.deepEqual(reasonOf(text, errcode), { code, params }, text);
  }
  assert.equal(reasonOf(null), null);
});
