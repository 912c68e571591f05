import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { ensureComponentToken } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/** The onboarding page shows the URL the legal person opens to convert a trial mini program. */
type Json = Record<string, unknown>;

describe('console: trial conversion link', () => {
  let sb: Sandbox;
  let b: ConsoleBrowser;
  before(async () => {
    sb = await startSandbox();
    await ensureComponentToken(sb);
    b = await launchBrowser(import.meta.filename);
  });
  after(async () => {
    await b?.close();
    await sb?.stop();
  });

  test('after verify-beta the registration lists verify_url with the next step', async () => {
    const created = await sb.call<Json>('/api/admin/registrations', 'POST', {
      kind: 'beta',
      name: 'Fake Convert Shop',
      openid: 'o_fake_openid_convert',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body['id']);
    const { registrations } = await sb.control<{ registrations: Json[] }>('/registrations');
    const task = registrations.find((t) => (t['data'] as Json)['name'] === 'Fake Convert Shop');
    assert.ok(task);
    await sb.control(`/registrations/${String(task['id'])}`, { result: 'legal_person_confirmed' });
    await eventually(
      async () => (await sb.call<Json>(`/api/admin/registrations/${id}`)).body['appid'] !== null,
      10_000,
      'trial mini program created',
    );
    const started = await sb.call<Json>(`/api/admin/registrations/${id}/verify-beta`, 'POST', {
      enterprise_name: 'Fake Convert Co',
      code: '91110000MA00000777',
      component_phone: '13800000005',
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const url = String(started.body['verify_url']);

    const { page } = b;
    await signIn(page, sb, '/onboarding');
    const item = page
      .getByTestId('registration-list')
      .locator('li', { hasText: 'Fake Convert Shop' });
    await item.getByText(/请把下面的链接发给法人/).waitFor();
    await item.locator('code', { hasText: url }).waitFor();
    await b.shot('verify-link');
  });
});
