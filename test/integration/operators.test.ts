import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { totpCode } from '../../src/services/operators/totp.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Operator accounts: created by an administrator, signed in with a password (and a TOTP code when
 * two-step sign-in is on), acting with their role's rights, throttled after failed sign-ins per
 * account and address, every attempt logged, every change in the audit trail under their name.
 */
interface Operator {
  id: string;
  username: string;
  displayName: string;
  role: string;
  totpEnabled: boolean;
  disabled: boolean;
  lastSignInAt: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; field?: string; params?: Record<string, unknown> };
}

const PASSWORD = 'correct horse battery';

for (const db of ['pglite', 'postgres'] as const) {
  describe(`operator accounts (${db})`, () => {
    let sb: Sandbox;
    let address = 0;
    /** A fresh client address per test, so throttling in one test does not reach the next. */
    const nextAddress = () => `198.51.100.${++address}`;

    const json = async <T>(res: Response) => ({
      status: res.status,
      body: (await res.json()) as T,
    });
    const signIn = (body: Record<string, unknown>, ip: string) =>
      fetch(`${sb.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify(body),
      });
    const as = (token: string, path: string, method = 'GET', body?: unknown) =>
      fetch(`${sb.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const createOperator = async (username: string, role: string) => {
      const res = await sb.call<Operator>('/api/admin/operators', 'POST', {
        username,
        role,
        password: PASSWORD,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const sessionOf = async (username: string, ip = nextAddress()) => {
      const res = await json<{ token: string; operator: Operator }>(
        await signIn({ username, password: PASSWORD }, ip),
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.token;
    };

    before(async () => {
      sb = await startSandbox({ db, env: { OPENWX_TRUST_PROXY: '127.0.0.1' } });
    });
    after(() => sb?.stop());

    test('an account signs in and the console learns it exists; a wrong password reads like an unknown name', async () => {
      const before = (await (await fetch(`${sb.url}/console/info.json`)).json()) as {
        accounts: boolean;
      };
      assert.equal(before.accounts, false);
      const op = await createOperator('Ada.Admin', 'admin');
      assert.equal(op.username, 'ada.admin');
      assert.equal(op.displayName, 'ada.admin');
      const info = (await (await fetch(`${sb.url}/console/info.json`)).json()) as {
        accounts: boolean;
      };
      assert.equal(info.accounts, true);

      const ip = nextAddress();
      const ok = await json<{ token: string; expiresAt: string; operator: Operator }>(
        await signIn({ username: 'ADA.admin', password: PASSWORD }, ip),
      );
      assert.equal(ok.status, 201);
      assert.match(ok.body.token, /^owxs_/);
      assert.equal(ok.body.operator.role, 'admin');
      const me = await json<{ kind: string; role: string; operator: Operator }>(
        await as(ok.body.token, '/api/session'),
      );
      assert.equal(me.body.kind, 'operator');
      assert.equal(me.body.operator.username, 'ada.admin');
      assert.ok(me.body.operator.lastSignInAt);

      const wrong = await json<ErrorBody>(
        await signIn({ username: 'ada.admin', password: 'not the password' }, ip),
      );
      const unknown = await json<ErrorBody>(
        await signIn({ username: 'nobody', password: 'not the password' }, ip),
      );
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.equal(wrong.body.error.code, 'sign_in_failed');
      assert.equal(wrong.body.error.message, unknown.body.error.message);

      // The admin token is not an account.
      const token = await json<{ kind: string; operator: null }>(
        await as(sb.adminToken, '/api/session'),
      );
      assert.deepEqual([token.body.kind, token.body.operator], ['admin_token', null]);
    });

    test('roles: a viewer reads, an operator acts on mini programs and rollouts, only an admin manages tenants and accounts', async () => {
      await createOperator('vera', 'viewer');
      await createOperator('otto', 'operator');
      const viewer = await sessionOf('vera');
      const operator = await sessionOf('otto');

      assert.equal((await as(viewer, '/api/admin/overview')).status, 200);
      assert.equal((await as(viewer, '/api/admin/audit')).status, 200);
      const refused = await json<ErrorBody>(
        await as(viewer, '/api/admin/tenants', 'POST', { name: 'Shop V' }),
      );
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'forbidden_role');
      assert.deepEqual(refused.body.error.params, { role: 'viewer', required: 'admin' });
      assert.equal(
        (await as(viewer, '/api/admin/authorizations', 'POST', { tenantId: null })).status,
        403,
      );

      // The operator may start onboarding a merchant and act on rollouts, not create tenants.
      const tenant = await json<ErrorBody>(
        await as(operator, '/api/admin/tenants', 'POST', { name: 'Shop O' }),
      );
      assert.equal(tenant.status, 403);
      assert.deepEqual(tenant.body.error.params, { role: 'operator', required: 'admin' });
      const link = await as(operator, '/api/admin/authorizations', 'POST', {});
      assert.notEqual(link.status, 403, await link.text());
      const rollout = await as(operator, '/api/admin/rollouts/preview', 'POST', {});
      assert.notEqual(rollout.status, 403);
      // Accounts, sign-ins, the proxy, raw tokens and secret reveals stay with admins.
      assert.equal((await as(operator, '/api/admin/operators')).status, 403);
      assert.equal((await as(viewer, '/api/tokens/component')).status, 403);
      assert.equal((await as(operator, '/api/admin/sign-ins')).status, 403);
      assert.equal(
        (await as(operator, '/api/admin/platform-settings/reveal-aes-key', 'POST', {})).status,
        403,
      );
      assert.equal(
        (
          await as(
            operator,
            '/api/proxy/component/cgi-bin/component/api_get_authorizer_list',
            'POST',
            {},
          )
        ).status,
        403,
      );
      // Nothing was created by the refused calls.
      const tenants = await sb.call<{ items: { name: string }[] }>('/api/admin/tenants');
      assert.ok(!tenants.body.items.some((t) => t.name === 'Shop V' || t.name === 'Shop O'));

      // An admin account may.
      const admin = await sessionOf('ada.admin');
      const created = await as(admin, '/api/admin/tenants', 'POST', { name: 'Shop A' });
      assert.equal(created.status, 201);
    });

    test('changes made by an operator are in the audit trail under their name', async () => {
      const admin = await sessionOf('ada.admin');
      const created = await as(admin, '/api/admin/tenants', 'POST', { name: 'Shop Audit' });
      assert.equal(created.status, 201);
      const requestId = created.headers.get('x-request-id');
      const trail = await sb.call<{
        items: { requestId: string; actor: { kind: string; id: string; name: string } }[];
      }>('/api/admin/audit?actor=ada.admin&limit=200');
      const entry = trail.body.items.find((e) => e.requestId === requestId);
      assert.ok(entry, 'the change is in the trail');
      assert.equal(entry.actor.kind, 'operator');
      assert.equal(entry.actor.name, 'ada.admin');

      // Creating an account is recorded, its password is not.
      const op = await createOperator('pat', 'viewer');
      const entries = await sb.call<{
        items: { route: string; body: { password?: string; username?: string } }[];
      }>('/api/admin/audit?route=/api/admin/operators');
      const made = entries.body.items.find((e) => e.body?.username === 'pat');
      assert.ok(made);
      assert.notEqual(made.body.password, PASSWORD);
      assert.equal(op.role, 'viewer');
    });

    test('failed sign-ins are throttled per account and address, the right password included, and logged', async () => {
      await createOperator('tom', 'viewer');
      const ip = nextAddress();
      for (let i = 0; i < 5; i++) {
        const res = await signIn({ username: 'tom', password: `guess number ${i}` }, ip);
        assert.equal(res.status, 401);
      }
      const throttled = await signIn({ username: 'tom', password: PASSWORD }, ip);
      assert.equal(throttled.status, 429);
      const retry = Number(throttled.headers.get('retry-after'));
      assert.ok(retry > 0 && retry <= 15 * 60, `retry-after ${retry}`);
      const body = (await throttled.json()) as ErrorBody;
      assert.equal(body.error.code, 'sign_in_throttled');
      assert.equal(body.error.params?.['retryAfterSeconds'], retry);

      // The same account from another address, and another account from this one, still work.
      assert.equal(
        (await signIn({ username: 'tom', password: PASSWORD }, nextAddress())).status,
        201,
      );
      await createOperator('tina', 'viewer');
      assert.equal((await signIn({ username: 'tina', password: PASSWORD }, ip)).status, 201);

      const log = await sb.call<{ items: { username: string; ip: string; outcome: string }[] }>(
        '/api/admin/sign-ins?username=tom',
      );
      const outcomes = log.body.items.map((a) => `${a.ip} ${a.outcome}`);
      assert.equal(outcomes.filter((o) => o === `${ip} bad_password`).length, 5);
      assert.ok(outcomes.includes(`${ip} throttled`));
      assert.ok(log.body.items.some((a) => a.outcome === 'ok'));
      const failed = await sb.call<{ items: { outcome: string }[] }>(
        '/api/admin/sign-ins?username=tom&failed=true',
      );
      assert.ok(failed.body.items.every((a) => a.outcome !== 'ok'));
    });

    test('two-step sign-in: enrolment, a code required, a code used once, reset by an admin', async () => {
      const op = await createOperator('tess', 'operator');
      const session = await sessionOf('tess');
      const offer = await json<{ secret: string; otpauthUri: string }>(
        await as(session, '/api/session/totp', 'POST'),
      );
      assert.equal(offer.status, 200);
      assert.match(offer.body.otpauthUri, /^otpauth:\/\/totp\/openwx:tess\?secret=[A-Z2-7]+/);
      const wrongConfirm = await json<ErrorBody>(
        await as(session, '/api/session/totp/confirm', 'POST', { code: '000000' }),
      );
      assert.equal(wrongConfirm.body.error.code, 'totp_invalid');
      const t0 = Date.now();
      const confirmed = await json<Operator>(
        await as(session, '/api/session/totp/confirm', 'POST', {
          code: totpCode(offer.body.secret, t0),
        }),
      );
      assert.equal(confirmed.body.totpEnabled, true);

      const ip = nextAddress();
      const needsCode = await json<ErrorBody>(
        await signIn({ username: 'tess', password: PASSWORD }, ip),
      );
      assert.equal(needsCode.status, 401);
      assert.equal(needsCode.body.error.code, 'totp_required');
      assert.equal(needsCode.body.error.field, 'code');
      const wrong = await json<ErrorBody>(
        await signIn({ username: 'tess', password: PASSWORD, code: '123456' }, ip),
      );
      assert.equal(wrong.body.error.code, 'totp_invalid');
      // The confirming code (this step's) was used; an earlier step's code is refused too.
      const earlier = await json<ErrorBody>(
        await signIn(
          { username: 'tess', password: PASSWORD, code: totpCode(offer.body.secret, t0) },
          ip,
        ),
      );
      assert.equal(earlier.body.error.code, 'totp_invalid');
      // The next step's code is accepted (a phone's clock a little ahead), once.
      const code = totpCode(offer.body.secret, t0 + 30_000);
      const ok = await signIn({ username: 'tess', password: PASSWORD, code }, ip);
      assert.equal(ok.status, 201);
      const replay = await json<ErrorBody>(
        await signIn({ username: 'tess', password: PASSWORD, code }, ip),
      );
      assert.equal(replay.body.error.code, 'totp_invalid');

      // An admin removes it (a lost phone): the password alone works again.
      assert.equal(
        (await sb.admin(`/api/admin/operators/${op.id}/totp`, { method: 'DELETE' })).status,
        204,
      );
      assert.equal(
        (await signIn({ username: 'tess', password: PASSWORD }, nextAddress())).status,
        201,
      );
    });

    test('sessions end on sign-out, when the account is disabled, and when an admin sets a new password', async () => {
      const op = await createOperator('sam', 'operator');
      const a = await sessionOf('sam');
      assert.equal((await as(a, '/api/session', 'DELETE')).status, 204);
      assert.equal((await as(a, '/api/admin/overview')).status, 401);

      const b = await sessionOf('sam');
      const disabled = await sb.call<Operator>(`/api/admin/operators/${op.id}`, 'PATCH', {
        disabled: true,
      });
      assert.equal(disabled.body.disabled, true);
      assert.equal((await as(b, '/api/admin/overview')).status, 401);
      assert.equal(
        (await signIn({ username: 'sam', password: PASSWORD }, nextAddress())).status,
        401,
      );
      await sb.call(`/api/admin/operators/${op.id}`, 'PATCH', { disabled: false });

      const c = await sessionOf('sam');
      const reset = await sb.admin(`/api/admin/operators/${op.id}/password`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'a brand new passphrase' }),
      });
      assert.equal(reset.status, 204);
      assert.equal((await as(c, '/api/admin/overview')).status, 401);
      assert.equal(
        (await signIn({ username: 'sam', password: 'a brand new passphrase' }, nextAddress()))
          .status,
        201,
      );
    });

    test('an operator changes their own password; the other sessions end, this one stays', async () => {
      await createOperator('olga', 'viewer');
      const here = await sessionOf('olga');
      const elsewhere = await sessionOf('olga');
      const wrong = await json<ErrorBody>(
        await as(here, '/api/session/password', 'PUT', {
          currentPassword: 'not it at all',
          newPassword: 'another long passphrase',
        }),
      );
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.field, 'currentPassword');
      const changed = await as(here, '/api/session/password', 'PUT', {
        currentPassword: PASSWORD,
        newPassword: 'another long passphrase',
      });
      assert.equal(changed.status, 204);
      assert.equal((await as(here, '/api/session')).status, 200);
      assert.equal((await as(elsewhere, '/api/session')).status, 401);
      // The admin token has no password to change.
      const token = await json<ErrorBody>(
        await as(sb.adminToken, '/api/session/password', 'PUT', {
          currentPassword: 'x',
          newPassword: 'another long passphrase',
        }),
      );
      assert.equal(token.status, 400);
      assert.equal(token.body.error.params?.['reason'], 'not_an_operator_session');
    });

    test('bad input: a short password, a taken or malformed name, an unknown role; nothing is created', async () => {
      const short = await sb.call<ErrorBody>('/api/admin/operators', 'POST', {
        username: 'ursula',
        role: 'viewer',
        password: 'short',
      });
      assert.equal(short.status, 400);
      assert.equal(short.body.error.code, 'password_rejected');
      assert.equal(short.body.error.field, 'password');
      assert.deepEqual(short.body.error.params, { reason: 'too_short', min: 12, max: 256 });
      const sameAsName = await sb.call<ErrorBody>('/api/admin/operators', 'POST', {
        username: 'ursula.long.name',
        role: 'viewer',
        password: 'Ursula.Long.Name',
      });
      assert.equal(sameAsName.body.error.params?.['reason'], 'same_as_username');
      const badName = await sb.call<ErrorBody>('/api/admin/operators', 'POST', {
        username: 'has space',
        role: 'viewer',
        password: PASSWORD,
      });
      assert.equal(badName.status, 400);
      assert.equal(badName.body.error.code, 'username_invalid');
      const badRole = await sb.call<ErrorBody>('/api/admin/operators', 'POST', {
        username: 'ursula',
        role: 'owner',
        password: PASSWORD,
      });
      assert.equal(badRole.status, 400);
      assert.equal(badRole.body.error.field, 'role');
      const taken = await sb.call<ErrorBody>('/api/admin/operators', 'POST', {
        username: 'ADA.ADMIN',
        role: 'viewer',
        password: PASSWORD,
      });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, 'username_taken');
      const malformed = await sb.admin('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username": "ada.admin", "password": ',
      });
      assert.equal(malformed.status, 400);

      const list = await sb.call<{ items: Operator[] }>('/api/admin/operators');
      assert.ok(!list.body.items.some((o) => o.username.startsWith('ursula')));
      const admins = list.body.items.filter((o) => o.username === 'ada.admin');
      assert.equal(admins.length, 1);
      assert.equal(admins[0]?.role, 'admin');
    });
  });
}
