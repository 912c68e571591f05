import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from '../../src/core/package-info.ts';
import { freePort, runCli, startCli, waitForHttp, type Proc } from '../support/processes.ts';
import { eventually } from '../support/sandbox.ts';

/** The `openwx` command as an operator runs it: a real process each time. */

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openwx-cli-test-'));
  dirs.push(dir);
  return dir;
}
const procs: Proc[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const COMMANDS = ['serve', 'emulator', 'migrate', 'doctor', 'help'];

/** A sandbox server on a free port; resolves once its start-up lines are printed. */
async function startServer(dataDir: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const proc = startCli(['serve'], {
    OPENWX_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENWX_LOG_LEVEL: 'warn',
    OPENWX_EMULATOR_TICKET_INTERVAL: '0',
    ...env,
  });
  procs.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 60_000);
  await eventually(async () => /WeChat API/.test(proc.output()), 10_000, 'the start-up lines');
  return { proc, url, port };
}

describe('openwx --version and --help', () => {
  test('--version and -v print the version from package.json', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await runCli([flag], {});
      assert.equal(r.code, 0);
      assert.equal(r.output.trim(), packageVersion());
    }
  });

  test('a command with --help or -h prints its usage and exits 0', async () => {
    // Every command and both spellings: test/unit/cli-commands.test.ts.
    for (const args of [
      ['doctor', '--help'],
      ['emulator', '-h'],
      ['help', 'migrate'],
    ]) {
      const r = await runCli(args, {});
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.output}`);
      assert.match(
        r.output,
        new RegExp(`^usage: openwx ${args.at(-1) === 'migrate' ? 'migrate' : args[0]}`),
      );
    }
    const all = await runCli(['--help'], {});
    assert.equal(all.code, 0);
    for (const command of COMMANDS) assert.match(all.output, new RegExp(`\\n  ${command} `));
  });

  test('an unknown flag or command prints what is wrong and the usage, exit 2', async () => {
    const flag = await runCli(['migrate', '--force'], {});
    assert.equal(flag.code, 2);
    assert.match(flag.output, /^openwx: migrate: unknown option --force\n/);
    assert.match(flag.output, /usage: openwx migrate/);
    const top = await runCli(['--verbose'], {});
    assert.equal(top.code, 2);
    assert.match(top.output, /^openwx: unknown option --verbose\n[^]*usage: openwx \[command\]/);
  });
});

describe('openwx: configuration errors', () => {
  test('live mode with settings missing exits 1 with one line naming all of them', async () => {
    const r = await runCli(['serve'], {
      OPENWX_DATA_DIR: tempDir(),
      OPENWX_MODE: 'live',
      OPENWX_COMPONENT_APPID: 'wx0123456789abcdef',
      OPENWX_COMPONENT_TOKEN: 'faketoken',
      OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      OPENWX_ADMIN_TOKEN: 'fake-admin-token-0123456789',
    });
    assert.equal(r.code, 1);
    assert.equal(r.output.trim().split('\n').length, 1, r.output);
    assert.match(
      r.output,
      /^config error: live mode needs OPENWX_COMPONENT_APPSECRET, OPENWX_MASTER_KEY, OPENWX_PUBLIC_URL \(/,
    );
  });

  test('a secret file that is not there exits 1 naming the setting and the path', async () => {
    const dir = tempDir();
    const missing = join(dir, 'master-key');
    const r = await runCli(['migrate'], { OPENWX_DATA_DIR: dir, OPENWX_MASTER_KEY_FILE: missing });
    assert.equal(r.code, 1);
    assert.equal(
      r.output.trim(),
      `config error: OPENWX_MASTER_KEY_FILE: cannot read ${missing} (no such file)`,
    );
  });

  test('OPENWX_MODE accepts sandbox or live only', async () => {
    const r = await runCli(['doctor'], { OPENWX_DATA_DIR: tempDir(), OPENWX_MODE: 'prod' });
    assert.equal(r.code, 1);
    assert.equal(
      r.output.trim(),
      'config error: OPENWX_MODE: must be sandbox or live (got "prod")',
    );
  });
});

describe('openwx serve: start-up lines', () => {
  test('sandbox: every address printed answers', async () => {
    const { proc, url, port } = await startServer(tempDir());
    const out = proc.output();
    const pub = `http://localhost:${port}`;
    assert.match(out, new RegExp(`console +${pub}/console\\n`));
    assert.match(out, new RegExp(`sandbox +${pub}/console/sandbox `));
    const printed = [...out.matchAll(/http:\/\/localhost:\d+\/[^\s)]*/g)].map((m) => m[0]);
    const pages = printed.filter((u) => !u.includes('/api/openwx/'));
    assert.ok(pages.length >= 4, `addresses printed: ${printed.join(' ')}`);
    for (const page of pages) {
      const res = await fetch(page.replace(pub, url));
      assert.equal(res.status, 200, `${page} answers ${res.status}`);
    }
  });

  test('live: no secrets, no emulator', async () => {
    const dir = tempDir();
    const secrets = {
      OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
      OPENWX_COMPONENT_TOKEN: 'cliTestToken',
      OPENWX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      OPENWX_MASTER_KEY: randomBytes(32).toString('hex'),
      OPENWX_ADMIN_TOKEN: randomBytes(16).toString('hex'),
    };
    const secretFile = join(dir, 'appsecret');
    writeFileSync(secretFile, `${secrets.OPENWX_COMPONENT_APPSECRET}\n`);
    const { proc, url } = await startServer(dir, {
      OPENWX_MODE: 'live',
      OPENWX_COMPONENT_APPID: 'wx0123456789abcdef',
      ...secrets,
      OPENWX_COMPONENT_APPSECRET: '',
      OPENWX_COMPONENT_APPSECRET_FILE: secretFile,
      OPENWX_PUBLIC_URL: 'https://wx.example.com',
      // A closed local port: nothing leaves the machine.
      OPENWX_WECHAT_API_BASE: 'http://127.0.0.1:9',
    });
    const out = proc.output();
    assert.match(out, /running in live mode\n/);
    assert.match(out, /console +https:\/\/wx\.example\.com\/console\n/);
    assert.doesNotMatch(out, /emulator|\/console\/sandbox/);
    for (const [key, value] of Object.entries(secrets))
      assert.ok(!out.includes(value), `${key} is printed`);
    assert.equal((await fetch(`${url}/emulator/control/stats`)).status, 404);
  });
});
