import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgres, type FreshPostgres } from '../support/databases.ts';
import { freePort, startCli, waitForHttp, type Proc } from '../support/processes.ts';

/**
 * Three openwx processes on one PostgreSQL sharing one standalone emulator: 300 token requests
 * at once, spread over the three, make exactly one api_component_token call.
 */
const component = {
  OPENWX_COMPONENT_APPID: `wx${randomBytes(8).toString('hex')}`,
  OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
  OPENWX_COMPONENT_TOKEN: 'multiInstanceToken',
  OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const adminToken = randomBytes(16).toString('hex');
// Every instance shares the master key, or none could open what another sealed.
const masterKey = randomBytes(32).toString('hex');

let pg: FreshPostgres;
const procs: Proc[] = [];
let emulatorUrl = '';
const instances: string[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'openwx-multi-'));

before(async () => {
  pg = await freshPostgres();
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  const [emuPort, ...appPorts] = ports as [number, number, number, number];
  emulatorUrl = `http://127.0.0.1:${emuPort}`;
  for (const p of appPorts) instances.push(`http://127.0.0.1:${p}`);
  const emulator = startCli(
    [
      'emulator',
      '--port',
      String(emuPort),
      '--ticket-interval',
      '0',
      ...instances.flatMap((u) => ['--push-to', u]),
    ],
    { ...component, OPENWX_DATA_DIR: dataDir },
  );
  procs.push(emulator);
  for (const port of appPorts) {
    procs.push(
      startCli(['serve'], {
        ...component,
        PORT: String(port),
        HOST: '127.0.0.1',
        OPENWX_PUBLIC_URL: `http://localhost:${port}`,
        DATABASE_URL: pg.url,
        OPENWX_MASTER_KEY: masterKey,
        OPENWX_ADMIN_TOKEN: adminToken,
        OPENWX_WECHAT_API_BASE: emulatorUrl,
        OPENWX_LOG_LEVEL: 'warn',
        OPENWX_DATA_DIR: dataDir,
      }),
    );
  }
  await waitForHttp(`${emulatorUrl}/control/stats`);
  for (const u of instances) await waitForHttp(`${u}/healthz`);
});

after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await pg.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('300 concurrent token requests on three instances: one api_component_token call', async () => {
  const push = (await (
    await fetch(`${emulatorUrl}/control/push-ticket`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    })
  ).json()) as { body: string };
  assert.equal(push.body, 'success');
  const answers = await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      fetch(`${instances[i % 3]}/api/tokens/component`, {
        headers: { authorization: `Bearer ${adminToken}` },
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { access_token?: string },
      })),
    ),
  );
  const failed = answers.filter((a) => a.status !== 200);
  assert.deepEqual(
    failed,
    [],
    `every request gets a token (${procs.map((p) => p.output()).join('\n')})`,
  );
  const distinct = new Set(answers.map((a) => a.body.access_token));
  assert.equal(distinct.size, 1);
  const stats = (await (await fetch(`${emulatorUrl}/control/stats`)).json()) as {
    calls: Record<string, number>;
  };
  assert.equal(stats.calls['/cgi-bin/component/api_component_token'], 1);
});
