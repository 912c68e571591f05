import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/config.ts';
import { createSealer, parseMasterKey } from '../../src/crypto/seal.ts';
import { WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';

/** Configuration: one schema, validated once, frozen (design §2, src/config). */

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openwx-config-test-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) =>
  Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length] as string).join('');

/** A complete live-mode environment with fake credentials. */
function liveEnv(
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    OPENWX_DATA_DIR: tempDir(),
    OPENWX_COMPONENT_APPID: `wx${randomBytes(8).toString('hex')}`,
    OPENWX_COMPONENT_APPSECRET: randomBytes(16).toString('hex'),
    OPENWX_COMPONENT_TOKEN: 'openwxTestToken1',
    OPENWX_COMPONENT_AES_KEY: alnum(43),
    OPENWX_MASTER_KEY: randomBytes(32).toString('hex'),
    OPENWX_ADMIN_TOKEN: alnum(32),
    ...extra,
  };
}

/** Asserts a ConfigError naming `key` (its message starts with the key). */
function assertConfigError(
  env: Record<string, string | undefined>,
  key: string,
  pattern?: RegExp,
): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  assert.ok(
    caught instanceof ConfigError,
    `expected a ConfigError for ${key}, got ${String(caught)}`,
  );
  assert.equal(caught.key, key);
  assert.equal(caught.code, 'config_invalid');
  assert.ok(caught.message.startsWith(key), `message should start with ${key}: ${caught.message}`);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

describe('config: sandbox mode', () => {
  it('starts with defaults and generates usable sandbox secrets in the data dir', () => {
    const dataDir = tempDir();
    const c = loadConfig({ OPENWX_DATA_DIR: dataDir });
    assert.equal(c.mode, 'sandbox');
    assert.equal(c.port, 3000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, dataDir);
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.embeddedEmulator, true);
    assert.equal(c.wechatApiBase, 'http://127.0.0.1:3000/emulator');
    assert.equal(c.authDomain, 'localhost:3000');
    assert.deepEqual(c.serverDomains, []);
    assert.equal(c.tokenRefreshAheadSeconds, 600);
    assert.match(c.component.appid, /^wx[0-9a-f]{16}$/);
    assert.match(c.component.aesKey, /^[A-Za-z0-9]{43}$/);
    assert.match(c.masterKey, /^[0-9a-f]{64}$/);
    assert.ok(c.adminToken.length >= 16);
    // The generated secrets work with the crypto they are meant for.
    const crypt = new WxBizMsgCrypt({
      token: c.component.token,
      encodingAesKey: c.component.aesKey,
      appid: c.component.appid,
    });
    assert.equal(crypt.decrypt(crypt.encrypt('<xml/>')).message.toString(), '<xml/>');
    const sealer = createSealer(parseMasterKey(c.masterKey));
    assert.equal(sealer.open(sealer.seal('x')), 'x');

    const file = join(dataDir, 'sandbox.json');
    assert.ok(existsSync(file));
    assert.equal(statSync(file).mode & 0o077, 0, 'sandbox.json is readable by its owner only');
  });

  it('reuses sandbox.json on the second load instead of generating new secrets', () => {
    const dataDir = tempDir();
    const first = loadConfig({ OPENWX_DATA_DIR: dataDir });
    const file = join(dataDir, 'sandbox.json');
    const before = readFileSync(file, 'utf8');
    const second = loadConfig({ OPENWX_DATA_DIR: dataDir });
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.deepEqual(second.component, first.component);
    assert.equal(second.masterKey, first.masterKey);
    assert.equal(second.adminToken, first.adminToken);
    // Another data dir is another sandbox platform.
    const other = loadConfig({ OPENWX_DATA_DIR: tempDir() });
    assert.notEqual(other.component.appid, first.component.appid);
  });

  it('lets the environment override the sandbox master key and admin token', () => {
    const masterKey = randomBytes(32).toString('hex');
    const adminToken = alnum(20);
    const c = loadConfig({
      OPENWX_DATA_DIR: tempDir(),
      OPENWX_MASTER_KEY: masterKey,
      OPENWX_ADMIN_TOKEN: adminToken,
    });
    assert.equal(c.mode, 'sandbox');
    assert.equal(c.masterKey, masterKey);
    assert.equal(c.adminToken, adminToken);
  });

  it('uses OPENWX_WECHAT_API_BASE instead of the embedded emulator when given', () => {
    const c = loadConfig({
      OPENWX_DATA_DIR: tempDir(),
      OPENWX_WECHAT_API_BASE: 'http://127.0.0.1:4000/emu/',
    });
    assert.equal(c.embeddedEmulator, false);
    assert.equal(c.wechatApiBase, 'http://127.0.0.1:4000/emu');
  });
});

describe('config: live mode', () => {
  it('is live with all four OPENWX_COMPONENT_* and talks to api.weixin.qq.com by default', () => {
    const env = liveEnv();
    const c = loadConfig(env);
    assert.equal(c.mode, 'live');
    assert.equal(c.embeddedEmulator, false);
    assert.equal(c.wechatApiBase, 'https://api.weixin.qq.com');
    assert.deepEqual(c.component, {
      appid: env['OPENWX_COMPONENT_APPID'],
      appsecret: env['OPENWX_COMPONENT_APPSECRET'],
      token: env['OPENWX_COMPONENT_TOKEN'],
      aesKey: env['OPENWX_COMPONENT_AES_KEY'],
    });
    assert.equal(c.masterKey, env['OPENWX_MASTER_KEY']);
    assert.equal(c.adminToken, env['OPENWX_ADMIN_TOKEN']);
    assert.ok(
      !existsSync(join(c.dataDir, 'sandbox.json')),
      'live mode generates no sandbox secrets',
    );
  });

  it('requires all four OPENWX_COMPONENT_* once one is given, naming the missing one', () => {
    for (const missing of [
      'OPENWX_COMPONENT_APPID',
      'OPENWX_COMPONENT_APPSECRET',
      'OPENWX_COMPONENT_TOKEN',
      'OPENWX_COMPONENT_AES_KEY',
    ]) {
      assertConfigError(liveEnv({ [missing]: undefined }), missing, /required/);
      assertConfigError(liveEnv({ [missing]: '   ' }), missing, /required/);
    }
  });

  it('refuses an AES key that is not 43 letters or digits', () => {
    const key = alnum(43);
    for (const bad of [
      key.slice(0, 42),
      `${key}A`,
      `${key.slice(0, 42)}+`,
      `${key.slice(0, 42)}=`,
    ]) {
      assertConfigError(
        liveEnv({ OPENWX_COMPONENT_AES_KEY: bad }),
        'OPENWX_COMPONENT_AES_KEY',
        /43/,
      );
    }
  });

  it('refuses a malformed appid', () => {
    assertConfigError(liveEnv({ OPENWX_COMPONENT_APPID: 'wx123' }), 'OPENWX_COMPONENT_APPID');
  });

  it('requires the master key and the admin token in live mode', () => {
    assertConfigError(liveEnv({ OPENWX_MASTER_KEY: undefined }), 'OPENWX_MASTER_KEY', /live mode/);
    assertConfigError(
      liveEnv({ OPENWX_ADMIN_TOKEN: undefined }),
      'OPENWX_ADMIN_TOKEN',
      /live mode/,
    );
    assertConfigError(liveEnv({ OPENWX_ADMIN_TOKEN: 'short' }), 'OPENWX_ADMIN_TOKEN');
  });
});

describe('config: refusals', () => {
  it('refuses an OPENWX_MASTER_KEY that is not 64 hex characters', () => {
    const hex = randomBytes(32).toString('hex');
    for (const bad of [hex.slice(0, 63), `${hex}0`, `${hex.slice(0, 63)}z`, 'secret']) {
      assertConfigError(liveEnv({ OPENWX_MASTER_KEY: bad }), 'OPENWX_MASTER_KEY', /64 hex/);
      assertConfigError(
        { OPENWX_DATA_DIR: tempDir(), OPENWX_MASTER_KEY: bad },
        'OPENWX_MASTER_KEY',
        /64 hex/,
      );
    }
  });

  it('refuses a server domain with a scheme or a path: it must be a bare host', () => {
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_SERVER_DOMAINS: 'http://a.example.com' },
      'OPENWX_SERVER_DOMAINS',
      /bare host.*scheme/,
    );
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_SERVER_DOMAINS: 'a.example.com, https://b.example.com' },
      'OPENWX_SERVER_DOMAINS',
      /bare host/,
    );
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_SERVER_DOMAINS: 'a.example.com/api' },
      'OPENWX_SERVER_DOMAINS',
      /bare host/,
    );
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_AUTH_DOMAIN: 'https://auth.example.com' },
      'OPENWX_AUTH_DOMAIN',
      /bare host/,
    );
    const ok = loadConfig({
      OPENWX_DATA_DIR: tempDir(),
      OPENWX_SERVER_DOMAINS: 'a.example.com, B.Example.com,a.example.com',
    });
    assert.deepEqual(ok.serverDomains, ['a.example.com', 'b.example.com']);
  });

  it('refuses a PORT that is not a whole number from 0 to 65535', () => {
    for (const bad of ['abc', '70000', '-1', '3000.5', '65536']) {
      assertConfigError({ OPENWX_DATA_DIR: tempDir(), PORT: bad }, 'PORT');
    }
    assert.equal(loadConfig({ OPENWX_DATA_DIR: tempDir(), PORT: '8080' }).port, 8080);
  });

  it('refuses a DATABASE_URL that is not postgres:// or postgresql://', () => {
    for (const bad of ['mysql://u@localhost/db', 'localhost:5432', 'file:./data']) {
      assertConfigError({ OPENWX_DATA_DIR: tempDir(), DATABASE_URL: bad }, 'DATABASE_URL');
    }
    const url = 'postgresql://u@127.0.0.1:5432/openwx';
    assert.equal(loadConfig({ OPENWX_DATA_DIR: tempDir(), DATABASE_URL: url }).databaseUrl, url);
  });

  it('refuses an unknown log level and a public URL that is not http(s)', () => {
    assertConfigError({ OPENWX_DATA_DIR: tempDir(), OPENWX_LOG_LEVEL: 'loud' }, 'OPENWX_LOG_LEVEL');
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_PUBLIC_URL: 'ftp://x.example.com' },
      'OPENWX_PUBLIC_URL',
    );
  });
});

describe('config: the result', () => {
  it('is frozen', () => {
    const c = loadConfig(liveEnv());
    assert.ok(Object.isFrozen(c));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (c as { mode: string }).mode = 'sandbox';
    }, TypeError);
  });

  it('is frozen all the way down (component credentials and domain lists)', () => {
    const c = loadConfig(liveEnv({ OPENWX_SERVER_DOMAINS: 'a.example.com' }));
    assert.ok(Object.isFrozen(c.component), 'config.component can be changed');
    assert.ok(Object.isFrozen(c.serverDomains), 'config.serverDomains can be changed');
    assert.ok(Object.isFrozen(c.emulator), 'config.emulator can be changed');
  });

  it('describes itself without secrets', () => {
    const env = liveEnv({ DATABASE_URL: 'postgres://openwx:hunter2secret@db.example.com/openwx' });
    const c = loadConfig(env);
    const text = JSON.stringify(describeConfig(c));
    for (const key of [
      'OPENWX_COMPONENT_APPSECRET',
      'OPENWX_COMPONENT_AES_KEY',
      'OPENWX_MASTER_KEY',
      'OPENWX_ADMIN_TOKEN',
    ]) {
      assert.ok(!text.includes(env[key] as string), `${key} leaks into describeConfig`);
    }
    assert.ok(!text.includes('hunter2secret'));
    assert.ok(text.includes(c.component.appid));
  });
});
