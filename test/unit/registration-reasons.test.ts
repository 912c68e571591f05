import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  registrationReasonOf,
  resultReason,
} from '../../src/services/registration/registration-rules.ts';

/** A registration's stored progress and failure read back as the codes the console words. */
test('registration progress and failures read back as codes and params', () => {
  assert.deepEqual(registrationReasonOf(resultReason('1001', 'limit')), {
    code: 'failed_status',
    params: { status: '1001' },
  });
  assert.deepEqual(registrationReasonOf(resultReason('-1', '')), {
    code: 'failed_status',
    params: { status: '-1' },
  });
  assert.deepEqual(registrationReasonOf('WeChat sent the legal person a template message'), {
    code: 'template_message_sent',
    params: {},
  });
  assert.deepEqual(registrationReasonOf('mini program wx0123456789abcdef created'), {
    code: 'created',
    params: { appid: 'wx0123456789abcdef' },
  });
  assert.deepEqual(registrationReasonOf('name set to 试用小店'), {
    code: 'name_set',
    params: { name: '试用小店' },
  });
  assert.deepEqual(registrationReasonOf('something WeChat said'), { code: 'other', params: {} });
  assert.equal(registrationReasonOf(null), null);
});
