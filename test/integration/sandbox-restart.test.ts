import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, runCli, startCli, waitForHttp, type Proc } from '../support/processes.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * The sandbox as `npm start` runs it (a real `openwx serve` process on a data directory): its
 * emulator's world survives a restart, so the authorizers keep working; `openwx sandbox reset`
 * clears both worlds, and is refused while the server runs and in live mode.
 */
const dirs: string[] = [];
const procs: Proc[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Server {
  proc: Proc;
  url: string;
  admin<T = Record<string, unknown>>(
    path: string,
    method?: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  control<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
}

const envOf = (dataDir: string, port: number) => ({
  OPENWX_DATA_DIR: dataDir,
  PORT: String(port),
  HOST: '127.0.0.1',
  OPENWX_LOG_LEVEL: 'warn',
  OPENWX_EMULATOR_TICKET_INTERVAL: '0',
});

async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const proc = startCli(['serve'], envOf(dataDir, port));
  procs.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, 60_000);
  const { adminToken } = JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as {
    adminToken: string;
  };
  const json = (body: unknown) =>
    body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  return {
    proc,
    url,
    async admin<T>(path: string, method = 'GET', body?: unknown) {
      const init = json(body);
      const res = await fetch(`${url}${path}`, {
        method,
        ...init,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...('headers' in init ? init.headers : {}),
        },
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async control<T>(path: string, body?: unknown) {
      const res = await fetch(`${url}/emulator/control${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...json(body),
      });
      const out = (await res.json()) as T;
      if (!res.ok) throw new Error(`control ${path}: ${res.status} ${JSON.stringify(out)}`);
      return out;
    },
  };
}

async function componentToken(s: Server): Promise<string> {
  await s.control('/push-ticket', {});
  return eventually(
    async () => {
      const r = await s.admin<{ access_token: string }>('/api/tokens/component');
      return r.status === 200 ? r.body.access_token : undefined;
    },
    10_000,
    'a component token',
  );
}

/** A merchant authorizes the platform as on WeChat's page; resolves once openwx has its token. */
async function authorizeMerchant(s: Server, componentAppid: string): Promise<string> {
  const token = await componentToken(s);
  const pre = (await (
    await fetch(
      `${s.url}/emulator/cgi-bin/component/api_create_preauthcode?component_access_token=${token}`,
      {
        method: 'POST',
        body: JSON.stringify({ component_appid: componentAppid }),
        headers: { 'content-type': 'application/json' },
      },
    )
  ).json()) as { pre_auth_code: string };
  const { appid } = await s.control<{ appid: string }>('/merchants', {
    type: 'miniprogram',
    nickname: 'Kept shop',
  });
  await s.control('/authorize', { pre_auth_code: pre.pre_auth_code, appid });
  await eventually(
    async () => (await s.admin(`/api/tokens/authorizers/${appid}`)).status === 200,
    10_000,
    `authorizer ${appid}`,
  );
  return appid;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openwx-sandbox-restart-'));
  dirs.push(dir);
  return dir;
}

const componentAppidOf = (dataDir: string): string =>
  (
    JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as {
      component: { appid: string };
    }
  ).component.appid;

describe('a sandbox that keeps its world', () => {
  test('after a restart the same authorizer refreshes its token and the template is still there', async () => {
    const dataDir = tempDir();
    const first = await startServer(dataDir);
    const appid = await authorizeMerchant(first, componentAppidOf(dataDir));
    const draft = await first.control<{ draft_id: number }>('/drafts', {
      user_version: '1.2.3',
      user_desc: 'kept across restarts',
    });
    const added = await first.admin<{ template_id: number }>('/api/admin/templates', 'POST', {
      draft_id: draft.draft_id,
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const before = await first.admin<{ access_token: string }>(`/api/tokens/authorizers/${appid}`);
    await first.proc.stop();

    const stateFile = join(dataDir, 'emulator-state.json');
    assert.equal(statSync(stateFile).mode & 0o777, 0o600, 'the fake world is the owner’s alone');

    const second = await startServer(dataDir);
    assert.match(second.proc.output(), /emulator world\s+kept in .*emulator-state\.json/);
    // The emulator still knows the merchant and its authorization …
    const merchants = await second.control<{ merchants: Array<{ appid: string }> }>('/merchants');
    assert.ok(
      merchants.merchants.some((m) => m.appid === appid),
      'the merchant is still there',
    );
    // … so the authorizer's refresh token works: a forced refresh succeeds with a new token.
    const refreshed = await second.admin<{ token?: { status?: string } }>(
      `/api/admin/authorizers/${appid}/token/refresh`,
      'POST',
    );
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const after = await second.admin<{ access_token: string }>(`/api/tokens/authorizers/${appid}`);
    assert.equal(after.status, 200);
    assert.notEqual(after.body.access_token, before.body.access_token);
    // The new token works on WeChat's (the emulator's) API for that mini program.
    const call = (await (
      await fetch(
        `${second.url}/emulator/cgi-bin/account/getaccountbasicinfo?access_token=${after.body.access_token}`,
      )
    ).json()) as { errcode?: number; appid?: string };
    assert.equal(call.errcode ?? 0, 0, JSON.stringify(call));
    assert.equal(call.appid, appid);
    // The template is in openwx's list and still in WeChat's library.
    const templates = await second.admin<{ items: Array<{ template_id: number }> }>(
      '/api/admin/templates',
    );
    assert.ok(
      templates.body.items.some((t) => t.template_id === added.body.template_id),
      JSON.stringify(templates.body),
    );
    const library = await second.control<{ templates: Array<{ template_id: number }> }>(
      '/templates',
    );
    assert.ok(library.templates.some((t) => t.template_id === added.body.template_id));

    // A reset while the server runs is refused: the database is in use.
    const busy = await runCli(['sandbox', 'reset'], envOf(dataDir, 1));
    assert.equal(busy.code, 1, busy.output);
    assert.match(busy.output, /in use by openwx \(pid \d+/);
    await second.proc.stop();

    // Stopped, it is reset: a new start has the default accounts only and no authorizers.
    const reset = await runCli(['sandbox', 'reset'], envOf(dataDir, 1));
    assert.equal(reset.code, 0, reset.output);
    assert.match(reset.output, /sandbox reset: \d+ tables of openwx's data cleared/);
    const third = await startServer(dataDir);
    const fresh = await third.control<{ merchants: Array<{ appid: string }> }>('/merchants');
    assert.equal(fresh.merchants.length, 2);
    assert.ok(!fresh.merchants.some((m) => m.appid === appid));
    const list = await third.admin<{ items: unknown[] }>('/api/admin/authorizers');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items, []);
    await third.proc.stop();
  });

  test('openwx sandbox reset is refused in live mode and says why', async () => {
    const dataDir = tempDir();
    const r = await runCli(['sandbox', 'reset'], {
      OPENWX_DATA_DIR: dataDir,
      OPENWX_MODE: 'live',
      OPENWX_COMPONENT_APPID: 'wx0123456789abcdef',
      OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
      OPENWX_COMPONENT_TOKEN: 'fakeTestToken',
      OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      OPENWX_MASTER_KEY: randomBytes(32).toString('hex'),
      OPENWX_ADMIN_TOKEN: randomBytes(16).toString('hex'),
      OPENWX_PUBLIC_URL: 'https://openwx.example.com',
    });
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /sandbox only/);
  });

  test('openwx sandbox without an action, or with another, is a usage error', async () => {
    for (const args of [['sandbox'], ['sandbox', 'wipe']]) {
      const r = await runCli(args, {});
      assert.equal(r.code, 2, r.output);
      assert.match(r.output, /usage: openwx sandbox reset/);
    }
  });
});
