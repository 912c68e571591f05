import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { authorizeMerchant, ensureComponentToken } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * The console's ICP filing page, in Chromium against the sandbox: face verification, an upload,
 * a refused application naming its field, then an application under review.
 */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63',
  'hex',
);

describe('console: ICP filing', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  let appid: string;
  let dir: string;

  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    appid = await authorizeMerchant(sb, { nickname: 'Filing shop' });
    b = await launchBrowser(import.meta.filename);
    dir = mkdtempSync(join(tmpdir(), 'openwx-icp-'));
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('an operator verifies the administrator, uploads a photo and applies', async () => {
    const { page } = b;
    await signIn(page, sb, `/authorizers/${appid}/icp`);
    const state = page.getByTestId('icp-state');
    await state.waitFor();
    assert.equal(await state.getAttribute('data-state'), 'not_started');

    await page.getByRole('button', { name: '发起人脸核身' }).click();
    await page.locator('[data-testid="icp-state"][data-state="verification"]').waitFor();
    await sb.control(`/icp/${appid}`, { step: 'face', result: 'approved' });
    await eventually(async () => {
      const res = await sb.call<{ state: string }>(`/api/admin/authorizers/${appid}/icp`);
      return res.body.state === 'materials' || undefined;
    }, 8000);
    await page.getByRole('button', { name: '查询核身结果' }).click();
    await page.locator('[data-testid="face-status"]', { hasText: '通过' }).waitFor();

    const file = join(dir, 'id-front.png');
    writeFileSync(file, PNG);
    await page.locator('#icp-media-certificate').fill('2');
    await page.locator('#icp-media-file').setInputFiles(file);
    await page.getByRole('button', { name: '上传' }).click();
    await page.locator('[data-testid="icp-media"] li').waitFor();

    const textarea = page.locator('#icp-application');
    const form = JSON.parse(await textarea.inputValue()) as {
      icp_subject: { base_info: Record<string, unknown>; principal_info: Record<string, unknown> };
      icp_applets: { base_info: Record<string, unknown>; principal_info: Record<string, unknown> };
    };
    const person = {
      name: '张三',
      mobile: '13000000000',
      email: 'owner@example.com',
      emergency_contact: '13100000000',
      certificate_number: '110105199001011234',
      certificate_validity_date_start: '20230815',
      certificate_validity_date_end: '20330815',
    };
    Object.assign(form.icp_subject.base_info, {
      name: '张三',
      province: '110000',
      city: '110100',
      district: '110199',
      address: '某路1号',
    });
    Object.assign(form.icp_subject.principal_info, person);
    Object.assign(form.icp_applets.principal_info, person);
    Object.assign(form.icp_applets.base_info, {
      service_content_types: [1],
      comment: '为社区居民提供生活缴费查询与提醒服务的小程序',
    });
    await textarea.fill(JSON.stringify(form));
    await page.getByRole('button', { name: '提交备案申请' }).click();
    await page
      .locator('[data-field="application"]', { hasText: 'icp_subject.base_info.district' })
      .waitFor();
    assert.equal(await state.getAttribute('data-state'), 'materials');

    form.icp_subject.base_info['district'] = '110105';
    await textarea.fill(JSON.stringify(form));
    await page.getByRole('button', { name: '提交备案申请' }).click();
    await page.locator('[data-testid="icp-state"][data-state="submitted"]').waitFor();
    await b.shot('submitted');
  });
});
