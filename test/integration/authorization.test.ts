import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Authorization and token lifecycle through real HTTP against the emulator: the authorized push,
 * the redirect back, unauthorized, stale tokens. Runs on PGlite and on PostgreSQL.
 */
type Stats = { calls: Record<string, number> };

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`authorization and tokens (${kind})`, () => {
    let sb: Sandbox;
    const emulatorApi = async (path: string, body: unknown) =>
      (await (
        await fetch(`${sb.url}/emulator${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        })
      ).json()) as Record<string, unknown>;
    const status = async () =>
      (await (await sb.admin('/api/admin/status')).json()) as {
        authorizers: { authorized: number; revoked: number; total: number };
      };
    const calls = async (path: string) => (await sb.control<Stats>('/stats')).calls[path] ?? 0;
    const preAuthCode = async () => {
      const token = (
        (await (await sb.admin('/api/tokens/component')).json()) as { access_token: string }
      ).access_token;
      const res = await emulatorApi(
        `/cgi-bin/component/api_create_preauthcode?component_access_token=${token}`,
        { component_appid: sb.openwx.config.component.appid },
      );
      return String(res['pre_auth_code']);
    };
    const authorizerToken = async (appid: string) => {
      const r = await sb.admin(`/api/tokens/authorizers/${appid}`);
      return r.status === 200 ? ((await r.json()) as { access_token: string }) : undefined;
    };

    before(async () => {
      sb = await startSandbox({ db: kind });
      await sb.control('/push-ticket', {});
      await eventually(async () => (await sb.admin('/api/tokens/component')).status === 200);
    });
    after(() => sb.stop());

    test('the authorized push alone makes a merchant an authorizer with a working token', async () => {
      const { appid } = await sb.control<{ appid: string }>('/merchants', {
        type: 'miniprogram',
        nickname: 'Shop A',
      });
      const res = await sb.control<{ auth_code: string }>('/authorize', {
        pre_auth_code: await preAuthCode(),
        appid,
      });
      assert.match(res.auth_code, /^queryauthcode@@@/);
      const token = await eventually(() => authorizerToken(appid), 5000, 'authorizer token');
      assert.match(token.access_token, /^\d{2}_/);
      assert.equal((await status()).authorizers.authorized, 1);
      // The token works against WeChat (the emulator) for an authorizer API.
      const opt = await emulatorApi(
        `/cgi-bin/component/api_get_authorizer_info?component_access_token=${((await (await sb.admin('/api/tokens/component')).json()) as { access_token: string }).access_token}`,
        {
          component_appid: sb.openwx.config.component.appid,
          authorizer_appid: appid,
        },
      );
      assert.equal((opt['authorizer_info'] as { nick_name: string }).nick_name, 'Shop A');
    });

    test('the redirect and the push for one authorization give one authorizer, in either order', async () => {
      const before = (await status()).authorizers.total;
      const { appid } = await sb.control<{ appid: string }>('/merchants', {
        type: 'officialaccount',
        nickname: 'Shop B',
      });
      const res = await sb.control<{ auth_code: string }>('/authorize', {
        pre_auth_code: await preAuthCode(),
        appid,
        redirect_uri: `${sb.url}/api/openwx/authorized`,
      });
      const page = await fetch(
        `${sb.url}/api/openwx/authorized?auth_code=${encodeURIComponent(res.auth_code)}&expires_in=600`,
      );
      assert.equal(page.status, 200);
      assert.match(await page.text(), new RegExp(appid));
      await eventually(() => authorizerToken(appid));
      // Let the push's job run too: it finds the code used and keeps the one authorizer.
      await eventually(
        async () =>
          (
            (await (await sb.admin('/api/admin/status')).json()) as {
              jobs: { queued: number; running: number };
            }
          ).jobs.queued === 0,
      );
      assert.equal((await status()).authorizers.total, before + 1);
      assert.equal((await calls('/cgi-bin/component/api_query_auth')) >= 2, true);
    });

    test('a bad auth_code on the redirect page is a clear 400 and stores nothing', async () => {
      const before = (await status()).authorizers.total;
      const page = await fetch(
        `${sb.url}/api/openwx/authorized?auth_code=queryauthcode@@@nonsense`,
      );
      assert.equal(page.status, 400);
      assert.match(await page.text(), /61009|invalid/);
      assert.equal((await fetch(`${sb.url}/api/openwx/authorized`)).status, 400);
      assert.equal((await status()).authorizers.total, before);
    });

    test('unauthorized marks the authorizer revoked and keeps it', async () => {
      const { appid } = await sb.control<{ appid: string }>('/merchants', {
        type: 'miniprogram',
        nickname: 'Shop C',
      });
      await sb.control('/authorize', { pre_auth_code: await preAuthCode(), appid });
      await eventually(() => authorizerToken(appid));
      const s1 = await status();
      await sb.control('/unauthorize', { appid });
      const s2 = await eventually(async () => {
        const s = await status();
        return s.authorizers.revoked === s1.authorizers.revoked + 1 ? s : undefined;
      });
      assert.equal(s2.authorizers.total, s1.authorizers.total);
      const r = await sb.admin(`/api/tokens/authorizers/${appid}`);
      assert.equal(r.status, 409);
      assert.match(((await r.json()) as { error: { message: string } }).error.message, /revoked/);
      // Re-authorizing restores it.
      await sb.control('/authorize', { pre_auth_code: await preAuthCode(), appid });
      await eventually(async () => (await status()).authorizers.revoked === s1.authorizers.revoked);
    });

    test('a stale component token (42001) is replaced once and the call retried', async () => {
      const { appid } = await sb.control<{ appid: string }>('/merchants', {
        type: 'miniprogram',
        nickname: 'Shop D',
      });
      const code = await preAuthCode();
      const tokenCalls = await calls('/cgi-bin/component/api_component_token');
      const queryCalls = await calls('/cgi-bin/component/api_query_auth');
      // WeChat says, once, that the token openwx holds has expired.
      await sb.control('/faults', { endpoint: 'api_query_auth', errcode: 42001, times: 1 });
      await sb.control('/authorize', { pre_auth_code: code, appid });
      await eventually(
        () => authorizerToken(appid),
        8000,
        'authorizer stored after a stale-token retry',
      );
      assert.equal(await calls('/cgi-bin/component/api_component_token'), tokenCalls + 1);
      assert.equal(await calls('/cgi-bin/component/api_query_auth'), queryCalls + 2);
    });

    test('tokens expire on WeChat’s clock: the stale token is refused, invalidated and replaced once', async () => {
      const tokenCalls = await calls('/cgi-bin/component/api_component_token');
      await sb.control('/clock', { advanceSeconds: 7200 + 301 });
      const old = (
        (await (await sb.admin('/api/tokens/component')).json()) as { access_token: string }
      ).access_token;
      const res = await emulatorApi(
        `/cgi-bin/component/api_create_preauthcode?component_access_token=${old}`,
        {
          component_appid: sb.openwx.config.component.appid,
        },
      );
      assert.equal(res['errcode'], 42001);
      await sb.openwx.tokens.invalidate('component', old);
      const fresh = (
        (await (await sb.admin('/api/tokens/component')).json()) as { access_token: string }
      ).access_token;
      assert.notEqual(fresh, old);
      // Invalidating the old token again changes nothing: it is no longer current.
      await sb.openwx.tokens.invalidate('component', old);
      assert.equal(
        ((await (await sb.admin('/api/tokens/component')).json()) as { access_token: string })
          .access_token,
        fresh,
      );
      assert.equal(await calls('/cgi-bin/component/api_component_token'), tokenCalls + 1);
    });

    test('unknown and malformed appids on the token broker', async () => {
      assert.equal((await sb.admin('/api/tokens/authorizers/wx0000000000000001')).status, 404);
      assert.equal((await sb.admin('/api/tokens/authorizers/not-an-appid')).status, 400);
    });
  });
}
