import type { Sandbox } from './sandbox.ts';
import { eventually } from './sandbox.ts';

/** Common multi-step flows against a sandbox, as a user would drive them. */

/** Makes sure a ticket arrived and a component token exists; returns the token. */
export async function ensureComponentToken(sb: Sandbox): Promise<string> {
  const first = await sb.admin('/api/tokens/component');
  if (first.status === 200) return ((await first.json()) as { access_token: string }).access_token;
  await sb.control('/push-ticket', {});
  return eventually(async () => {
    const r = await sb.admin('/api/tokens/component');
    return r.status === 200
      ? ((await r.json()) as { access_token: string }).access_token
      : undefined;
  });
}

/** A pre_auth_code straight from the emulator (as WeChat would issue it). */
export async function preAuthCode(sb: Sandbox): Promise<string> {
  const token = await ensureComponentToken(sb);
  const res = await fetch(
    `${sb.url}/emulator/cgi-bin/component/api_create_preauthcode?component_access_token=${token}`,
    {
      method: 'POST',
      body: JSON.stringify({ component_appid: sb.openwx.config.component.appid }),
      headers: { 'content-type': 'application/json' },
    },
  );
  return ((await res.json()) as { pre_auth_code: string }).pre_auth_code;
}

/**
 * A new fake merchant authorizes the platform (the emulator pushes `authorized`); resolves when
 * openwx has stored the authorizer and can hand out its token.
 */
export async function authorizeMerchant(
  sb: Sandbox,
  opts: {
    type?: 'miniprogram' | 'officialaccount';
    nickname?: string;
    funcIds?: number[];
    preAuthCode?: string;
  } = {},
): Promise<string> {
  const { appid } = await sb.control<{ appid: string }>('/merchants', {
    type: opts.type ?? 'miniprogram',
    nickname: opts.nickname ?? 'Test shop',
  });
  await sb.control('/authorize', {
    pre_auth_code: opts.preAuthCode ?? (await preAuthCode(sb)),
    appid,
    ...(opts.funcIds ? { func_ids: opts.funcIds } : {}),
  });
  await eventually(
    async () => (await sb.admin(`/api/tokens/authorizers/${appid}`)).status === 200,
    8000,
    `authorizer ${appid}`,
  );
  return appid;
}

/**
 * Gives a mini program what an audit needs (an approved category and a privacy guide), through
 * openwx's own per-app routes, and its ICP filing (a new mini program goes live only once filed:
 * the emulator files it as the merchant would in the mini program's own console).
 */
export async function prepareForAudit(sb: Sandbox, appid: string): Promise<void> {
  const json = { 'content-type': 'application/json' };
  const category = await sb.admin(`/api/admin/authorizers/${appid}/categories`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ categories: [{ first: 1, second: 101 }] }),
  });
  if (category.status >= 300) throw new Error(`category: ${await category.text()}`);
  const privacy = await sb.admin(`/api/admin/authorizers/${appid}/privacy`, {
    method: 'PUT',
    headers: json,
    body: JSON.stringify({
      owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
      setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'show the member profile' }],
    }),
  });
  if (privacy.status >= 300) throw new Error(`privacy: ${await privacy.text()}`);
  await sb.control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
}

/**
 * An enterprise mini program registered through openwx by the URL flow for `tenantId`, its legal
 * person confirming in WeChat (the emulator): answers the new appid once the registration
 * succeeded, and the next step openwx told the operator when it was started.
 */
export async function registerEnterprise(
  sb: Sandbox,
  tenantId: string,
  name: string,
  code: string,
): Promise<{ appid: string; nextStep: string }> {
  const started = await sb.call<{ id: string; next_step: string }>(
    '/api/admin/registrations',
    'POST',
    { kind: 'enterprise', tenant_id: tenantId, name, code, component_phone: '13800000000' },
  );
  if (started.status !== 201) throw new Error(`registration: ${JSON.stringify(started.body)}`);
  const { registrations } = await sb.control<{
    registrations: { id: string; data: Record<string, unknown> }[];
  }>('/registrations');
  const task = registrations.find((t) => t.data['name'] === name);
  if (!task) throw new Error(`WeChat has no registration task for ${name}`);
  await sb.control(`/registrations/${task.id}`, { result: 'legal_person_confirmed' });
  const done = await eventually(
    async () => {
      const r = await sb.call<{ status: string; appid?: string }>(
        `/api/admin/registrations/${started.body.id}`,
      );
      return r.body.status === 'succeeded' && r.body.appid ? r.body.appid : undefined;
    },
    10_000,
    'registration succeeded',
  );
  return { appid: done, nextStep: started.body.next_step };
}
