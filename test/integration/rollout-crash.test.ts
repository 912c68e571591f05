import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freshPostgres, type FreshPostgres } from '../support/databases.ts';
import { freePort, startCli, waitForHttp, type Proc } from '../support/processes.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * openwx is killed (SIGKILL) in the middle of a rollout, while commits and submissions are on
 * their way to WeChat and audit results are being pushed to nobody; two new processes on the
 * same database finish the rollout. Every mini program is committed, submitted and released exactly
 * once, and its version history has each step once.
 */
const component = {
  OPENWX_COMPONENT_APPID: `wx${randomBytes(8).toString('hex')}`,
  OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
  OPENWX_COMPONENT_TOKEN: 'rolloutCrashToken',
  OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const adminToken = randomBytes(16).toString('hex');
const masterKey = randomBytes(32).toString('hex');
const MINI_PROGRAMS = 12;

let db: FreshPostgres;
let client: pg.Client;
let emulator: Proc;
let openwx: Proc | undefined;
let second: Proc | undefined;
let emulatorUrl = '';
let openwxUrl = '';
let openwxPort = 0;
const dataDir = mkdtempSync(join(tmpdir(), 'openwx-crash-'));

const startOpenwx = (port = openwxPort) =>
  startCli(['serve'], {
    ...component,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENWX_PUBLIC_URL: `http://localhost:${port}`,
    DATABASE_URL: db.url,
    OPENWX_MASTER_KEY: masterKey,
    OPENWX_ADMIN_TOKEN: adminToken,
    OPENWX_WECHAT_API_BASE: emulatorUrl,
    OPENWX_LOG_LEVEL: 'warn',
    OPENWX_DATA_DIR: dataDir,
    OPENWX_WORK_LEASE_SECONDS: '3',
    OPENWX_ROLLOUT_CALLS_PER_SECOND: '10',
  });

async function http<T = Record<string, unknown>>(
  url: string,
  method = 'GET',
  body?: unknown,
  auth = true,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(auth ? { authorization: `Bearer ${adminToken}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}
const admin = <T = Record<string, unknown>>(path: string, method = 'GET', body?: unknown) =>
  http<T>(`${openwxUrl}${path}`, method, body);
const control = async <T = Record<string, unknown>>(path: string, body?: unknown) => {
  const res = await http<T>(
    `${emulatorUrl}/control${path}`,
    body === undefined ? 'GET' : 'POST',
    body,
    false,
  );
  assert.ok(res.status < 300, `control ${path}: ${JSON.stringify(res.body)}`);
  return res.body;
};

before(async () => {
  db = await freshPostgres();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const emuPort = await freePort();
  openwxPort = await freePort();
  emulatorUrl = `http://127.0.0.1:${emuPort}`;
  openwxUrl = `http://127.0.0.1:${openwxPort}`;
  emulator = startCli(
    ['emulator', '--port', String(emuPort), '--ticket-interval', '0', '--push-to', openwxUrl],
    { ...component, OPENWX_DATA_DIR: dataDir },
  );
  await waitForHttp(`${emulatorUrl}/control/stats`);
  openwx = startOpenwx();
  await waitForHttp(`${openwxUrl}/healthz`);

  await control('/push-ticket', {});
  const token = await eventually(async () => {
    const r = await admin<{ access_token?: string }>('/api/tokens/component');
    return r.body.access_token;
  });
  const { draft_id } = await control<{ draft_id: number }>('/drafts', {
    user_version: '3.0.0',
    user_desc: 'spring menu',
  });
  const added = await admin<{ template_id: number }>('/api/admin/templates', 'POST', { draft_id });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  await admin('/api/admin/templates/default', 'PUT', { template_id: added.body.template_id });

  for (let i = 0; i < MINI_PROGRAMS; i++) {
    const { appid } = await control<{ appid: string }>('/merchants', {
      type: 'miniprogram',
      nickname: `Shop ${i}`,
    });
    const pre = await http<{ pre_auth_code: string }>(
      `${emulatorUrl}/cgi-bin/component/api_create_preauthcode?component_access_token=${token}`,
      'POST',
      { component_appid: component.OPENWX_COMPONENT_APPID },
      false,
    );
    await control('/authorize', { pre_auth_code: pre.body.pre_auth_code, appid });
    await eventually(
      async () => (await admin(`/api/tokens/authorizers/${appid}`)).status === 200 || undefined,
      10_000,
      `authorizer ${appid}`,
    );
    const c = await admin(`/api/admin/authorizers/${appid}/categories`, 'POST', {
      categories: [{ first: 1, second: 101 }],
    });
    assert.ok(c.status < 300, JSON.stringify(c.body));
    const p = await admin(`/api/admin/authorizers/${appid}/privacy`, 'PUT', {
      owner_setting: { contact_email: 'privacy@example.com', notice_method: 'pop-up' },
      setting_list: [{ privacy_key: 'UserInfo', privacy_text: 'show the member profile' }],
    });
    assert.ok(p.status < 300, JSON.stringify(p.body));
    // Filed, as the merchant would in the mini program's own console: a new mini program goes
    // live only once ICP-filed.
    await control(`/icp/${appid}`, { step: 'filing', result: 'approved' });
  }
});

after(async () => {
  await openwx?.stop();
  await second?.stop();
  await emulator?.stop();
  await client?.end();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a rollout survives SIGKILL of openwx without committing, submitting or releasing twice', async () => {
  // Slow WeChat down so that calls are on their way when the process dies; audits pass
  // after a second, so some results are pushed while nobody is listening.
  for (const endpoint of ['commit', 'submit_audit', 'release']) {
    await control('/faults', { endpoint, latencyMs: 300, times: 1000 });
  }
  await control('/audit-policy', { auto_pass_after_seconds: 1 });

  const created = await admin<{ id: number; total: number }>('/api/admin/rollouts', 'POST', {
    target: { all: true },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.total, MINI_PROGRAMS);
  const id = created.body.id;

  // Kill it while WeChat is working on calls it received (their answers will be lost) and
  // some mini programs are already further along.
  const paths = ['/wxa/commit', '/wxa/submit_audit'];
  const inFlight = await eventually(
    async () => {
      const stats = await control<{
        calls: Record<string, number>;
        by_appid: Record<string, Record<string, number>>;
      }>('/stats');
      const answered = (path: string) =>
        Object.values(stats.by_appid).reduce((n, calls) => n + (calls[path] ?? 0), 0);
      const pending = paths.reduce((n, p) => n + (stats.calls[p] ?? 0) - answered(p), 0);
      const r = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM rollout_items
         WHERE rollout_id = $1 AND state IN ('auditing', 'passed', 'releasing', 'released')`,
        [id],
      );
      return pending > 0 && (r.rows[0]?.n ?? 0) > 0 ? pending : undefined;
    },
    30_000,
    'calls in flight at WeChat and some mini programs auditing',
  );
  openwx?.child.kill('SIGKILL');
  await new Promise<void>((resolve) => openwx?.child.once('exit', () => resolve()));
  assert.ok(inFlight > 0);

  // While openwx is down, WeChat finishes what it was sent and decides audits.
  await new Promise((r) => setTimeout(r, 2000));
  // Two instances take over: the rollout's jobs and items are claimed in the database.
  const secondPort = await freePort();
  openwx = startOpenwx();
  second = startOpenwx(secondPort);
  await waitForHttp(`${openwxUrl}/healthz`);
  await waitForHttp(`http://127.0.0.1:${secondPort}/healthz`);

  const done = await eventually(
    async () => {
      const r = await admin<{ status: string; counts: Record<string, number> }>(
        `/api/admin/rollouts/${id}`,
      );
      return r.body.status === 'completed' ? r.body : undefined;
    },
    60_000,
    'the rollout to complete after the restart',
  );
  assert.equal(done.counts['released'], MINI_PROGRAMS, JSON.stringify(done));

  const stats = await control<{ by_appid: Record<string, Record<string, number>> }>('/stats');
  const { audits } = await control<{ audits: Array<{ appid: string }> }>('/audits');
  const appids = Object.keys(stats.by_appid).filter((a) => stats.by_appid[a]?.['/wxa/commit']);
  assert.equal(appids.length, MINI_PROGRAMS);
  let recovered = 0;
  for (const appid of appids) {
    const calls = stats.by_appid[appid] ?? {};
    assert.equal(calls['/wxa/commit'], 1, `${appid} committed once`);
    assert.equal(calls['/wxa/submit_audit'], 1, `${appid} submitted once`);
    assert.equal(calls['/wxa/release'], 1, `${appid} released once`);
    assert.equal(audits.filter((a) => a.appid === appid).length, 1, `${appid}: one audit`);
    const code = await control<{ online: { user_version: string } | null }>(
      `/mini-programs/${appid}/code`,
    );
    assert.equal(code.online?.user_version, '3.0.0');
    const history = await admin<{
      items: Array<{ kind: string; detail: { recovered?: boolean } }>;
    }>(`/api/admin/authorizers/${appid}/versions`);
    recovered += history.body.items.filter((s) => s.detail.recovered).length;
    assert.deepEqual(
      history.body.items.map((s) => s.kind),
      ['committed', 'submitted', 'audit_passed', 'released'],
      `${appid}: each step recorded once`,
    );
  }
  // Calls that reached WeChat before the kill were found there and taken over, not resent.
  assert.ok(recovered > 0, 'some steps were recovered from WeChat after the restart');
});
