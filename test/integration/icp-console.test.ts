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

  test('an operator verifies the administrator, uploads a photo and applies with the guided form', async () => {
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

    // The guided form: every code chosen from WeChat's lists, the photo from the upload.
    const form = page.getByTestId('icp-application-form');
    await form.locator('#icp-subject-type').selectOption({ label: '个人' });
    await form.locator('#icp-subject-name').fill('张三');
    await form.locator('#icp-province').selectOption('110000');
    await form.locator('#icp-city').selectOption('110100');
    await form.locator('#icp-district').selectOption('110105');
    await form.locator('#icp-address').fill('某路1号');
    await form.locator('#icp-organize-type').selectOption({ label: '居民身份证' });
    await form.locator('#icp-organize-number').fill('110105199001011234');
    await form.locator('#icp-organize-address').fill('北京市朝阳区某路1号');
    await form.locator('#icp-person-name').fill('张三');
    await form.locator('#icp-person-mobile').fill('13000000000');
    await form.locator('#icp-person-email').fill('owner@example.com');
    await form.locator('#icp-person-emergency').fill('13100000000');
    await form.locator('#icp-person-certificate-type').selectOption({ label: '居民身份证' });
    await form.locator('#icp-person-certificate-number').fill('110105199001011234');
    await form.locator('#icp-person-valid-from').fill('20230815');
    await form.locator('#icp-person-valid-to').fill('20330815');
    assert.notEqual(await form.locator('#icp-person-photo-front').inputValue(), '');
    await form.locator('#icp-comment').fill('为社区居民提供生活缴费查询与提醒服务的小程序');
    assert.equal(
      await form.locator('#icp-nrlx option:checked').textContent(),
      '以上都不涉及',
      'the usual pre-approval answer is preselected',
    );

    // No service content type chosen: WeChat's rule, shown under the choices; nothing applied.
    await form.getByRole('button', { name: '提交备案申请' }).click();
    await form.locator('[data-field="icp_applets.base_info.service_content_types"]').waitFor();
    assert.equal(await state.getAttribute('data-state'), 'materials');

    await form.getByTestId('icp-services').getByLabel('生活缴费').check();
    await form.getByRole('button', { name: '提交备案申请' }).click();
    await page.locator('[data-testid="icp-state"][data-state="submitted"]').waitFor();
    // Under review: what cannot be done now is disabled, and the page says why.
    await page.getByTestId('icp-blocked').getByText('备案正在审核中').waitFor();
    assert.equal(await page.getByRole('button', { name: '发起人脸核身' }).isDisabled(), true);
    assert.equal(await form.getByRole('button', { name: '提交备案申请' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: '上传' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: '撤回备案申请' }).isDisabled(), false);
    await b.shot('submitted');
  });
});
