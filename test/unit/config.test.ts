import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ConfigError,
  describeConfig,
  loadConfig,
  loadEmulatorConfig,
  MissingSettingsError,
} from '../../src/config/config.ts';
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
    OPENWX_PUBLIC_URL: 'https://wx.example.com',
    ...extra,
  };
}

/** Asserts that live mode is refused with one message naming exactly `missing`. */
function assertMissing(env: Record<string, string | undefined>, missing: string[]): string {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MissingSettingsError, `expected missing settings, got ${caught}`);
  assert.ok(caught instanceof ConfigError, 'a missing setting is a configuration error');
  assert.deepEqual(caught.missing, missing);
  assert.ok(caught.message.startsWith(`live mode needs ${missing.join(', ')} (`), caught.message);
  assert.ok(!caught.message.includes('\n'), 'the message is one line');
  return caught.message;
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
      assertMissing(liveEnv({ [missing]: undefined }), [missing]);
      assertMissing(liveEnv({ [missing]: '   ' }), [missing]);
    }
  });

  it('names every missing live setting in one message', () => {
    const message = assertMissing(
      liveEnv({
        OPENWX_COMPONENT_APPSECRET: undefined,
        OPENWX_MASTER_KEY: undefined,
        OPENWX_PUBLIC_URL: undefined,
      }),
      ['OPENWX_COMPONENT_APPSECRET', 'OPENWX_MASTER_KEY', 'OPENWX_PUBLIC_URL'],
    );
    // Says why the configuration is live.
    assert.match(message, /live because OPENWX_COMPONENT_APPID, .* are set/);
    assertMissing({ OPENWX_DATA_DIR: tempDir(), OPENWX_MODE: 'live' }, [
      'OPENWX_COMPONENT_APPID',
      'OPENWX_COMPONENT_APPSECRET',
      'OPENWX_COMPONENT_TOKEN',
      'OPENWX_COMPONENT_AES_KEY',
      'OPENWX_MASTER_KEY',
      'OPENWX_ADMIN_TOKEN',
      'OPENWX_PUBLIC_URL',
    ]);
  });

  it('needs OPENWX_PUBLIC_URL given explicitly, and accepts http:// (doctor warns about it)', () => {
    assertMissing(liveEnv({ OPENWX_PUBLIC_URL: undefined }), ['OPENWX_PUBLIC_URL']);
    const c = loadConfig(liveEnv({ OPENWX_PUBLIC_URL: 'http://wx.example.com/' }));
    assert.equal(c.publicUrl, 'http://wx.example.com');
    assertConfigError(
      liveEnv({ OPENWX_PUBLIC_URL: 'wx.example.com' }),
      'OPENWX_PUBLIC_URL',
      /absolute http/,
    );
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
    assertMissing(liveEnv({ OPENWX_MASTER_KEY: undefined }), ['OPENWX_MASTER_KEY']);
    assertMissing(liveEnv({ OPENWX_ADMIN_TOKEN: undefined }), ['OPENWX_ADMIN_TOKEN']);
    assertConfigError(liveEnv({ OPENWX_ADMIN_TOKEN: 'short' }), 'OPENWX_ADMIN_TOKEN');
  });

  it('never runs the emulator, even with a WeChat API base of its own', () => {
    const c = loadConfig(liveEnv({ OPENWX_WECHAT_API_BASE: 'http://127.0.0.1:4000' }));
    assert.equal(c.mode, 'live');
    assert.equal(c.embeddedEmulator, false);
    assert.equal(c.wechatApiBase, 'http://127.0.0.1:4000');
  });
});

describe('config: OPENWX_MODE', () => {
  it('sandbox and live are the only modes', () => {
    for (const bad of ['Live', 'production', 'test', 'sandbox,live']) {
      assertConfigError(
        { OPENWX_DATA_DIR: tempDir(), OPENWX_MODE: bad },
        'OPENWX_MODE',
        /must be sandbox or live/,
      );
    }
  });

  it('OPENWX_MODE=sandbox is the default made explicit', () => {
    const c = loadConfig({ OPENWX_DATA_DIR: tempDir(), OPENWX_MODE: 'sandbox' });
    assert.equal(c.mode, 'sandbox');
    assert.equal(c.embeddedEmulator, true);
  });

  it('OPENWX_MODE=live with every live setting is live', () => {
    const c = loadConfig(liveEnv({ OPENWX_MODE: 'live' }));
    assert.equal(c.mode, 'live');
    assert.equal(c.embeddedEmulator, false);
  });

  it('refuses OPENWX_MODE=sandbox together with OPENWX_COMPONENT_* settings', () => {
    assertConfigError(
      liveEnv({ OPENWX_MODE: 'sandbox' }),
      'OPENWX_MODE',
      /is sandbox, but OPENWX_COMPONENT_APPID, .* are live settings/,
    );
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_MODE: 'sandbox', OPENWX_COMPONENT_TOKEN: 'abc123' },
      'OPENWX_MODE',
      /OPENWX_COMPONENT_TOKEN is a live setting/,
    );
  });
});

describe('config: secrets from files (<NAME>_FILE)', () => {
  function secretFile(content: string): string {
    const file = join(tempDir(), 'secret');
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  it('reads every live secret from its file, without the trailing newline', () => {
    const env = liveEnv();
    const fileEnv: Record<string, string | undefined> = { ...env };
    for (const key of [
      'OPENWX_COMPONENT_APPID',
      'OPENWX_COMPONENT_APPSECRET',
      'OPENWX_COMPONENT_TOKEN',
      'OPENWX_COMPONENT_AES_KEY',
      'OPENWX_MASTER_KEY',
      'OPENWX_ADMIN_TOKEN',
    ]) {
      fileEnv[`${key}_FILE`] = secretFile(`${env[key]}\n`);
      delete fileEnv[key];
    }
    const metricsToken = alnum(40);
    fileEnv['OPENWX_METRICS_TOKEN_FILE'] = secretFile(`${metricsToken}\r\n`);
    const url = 'postgres://openwx:fake-password@127.0.0.1:5432/openwx';
    fileEnv['DATABASE_URL_FILE'] = secretFile(url);
    const before = { ...fileEnv };
    const c = loadConfig(fileEnv);
    assert.equal(c.mode, 'live');
    assert.deepEqual(c.component, {
      appid: env['OPENWX_COMPONENT_APPID'],
      appsecret: env['OPENWX_COMPONENT_APPSECRET'],
      token: env['OPENWX_COMPONENT_TOKEN'],
      aesKey: env['OPENWX_COMPONENT_AES_KEY'],
    });
    assert.equal(c.masterKey, env['OPENWX_MASTER_KEY']);
    assert.equal(c.adminToken, env['OPENWX_ADMIN_TOKEN']);
    assert.equal(c.metricsToken, metricsToken);
    assert.equal(c.databaseUrl, url);
    assert.deepEqual(fileEnv, before, 'the environment passed in is left as it was');
  });

  it('checks a value read from a file like one given directly', () => {
    assertConfigError(
      liveEnv({ OPENWX_MASTER_KEY: undefined, OPENWX_MASTER_KEY_FILE: secretFile('not-hex\n') }),
      'OPENWX_MASTER_KEY',
      /64 hex/,
    );
    assertConfigError(
      {
        OPENWX_DATA_DIR: tempDir(),
        OPENWX_METRICS_TOKEN_FILE: secretFile('short\n'),
      },
      'OPENWX_METRICS_TOKEN',
      /at least 32/,
    );
  });

  it('counts a secret from a file as present for live mode', () => {
    assertMissing(liveEnv({ OPENWX_ADMIN_TOKEN: undefined, OPENWX_MASTER_KEY: undefined }), [
      'OPENWX_MASTER_KEY',
      'OPENWX_ADMIN_TOKEN',
    ]);
    const c = loadConfig(
      liveEnv({ OPENWX_ADMIN_TOKEN: undefined, OPENWX_ADMIN_TOKEN_FILE: secretFile(alnum(24)) }),
    );
    assert.equal(c.adminToken.length, 24);
  });

  it('refuses a file that does not exist or cannot be read, naming <NAME>_FILE and the path', () => {
    const missing = join(tempDir(), 'no-such-secret');
    const err = assertConfigError(
      liveEnv({ OPENWX_ADMIN_TOKEN: undefined, OPENWX_ADMIN_TOKEN_FILE: missing }),
      'OPENWX_ADMIN_TOKEN_FILE',
      /cannot read .*no such file/,
    );
    assert.ok(err.message.includes(missing), err.message);
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), DATABASE_URL_FILE: tempDir() },
      'DATABASE_URL_FILE',
      /cannot read .*directory/,
    );
  });

  it('refuses an empty file', () => {
    for (const empty of ['', '\n', '  \n']) {
      assertConfigError(
        liveEnv({
          OPENWX_COMPONENT_APPSECRET: undefined,
          OPENWX_COMPONENT_APPSECRET_FILE: secretFile(empty),
        }),
        'OPENWX_COMPONENT_APPSECRET_FILE',
        /is empty/,
      );
    }
  });

  it('refuses a setting given both directly and as a file', () => {
    assertConfigError(
      liveEnv({ OPENWX_MASTER_KEY_FILE: secretFile(randomBytes(32).toString('hex')) }),
      'OPENWX_MASTER_KEY',
      /either OPENWX_MASTER_KEY or OPENWX_MASTER_KEY_FILE, not both/,
    );
  });

  it('gives the standalone emulator the platform credentials from files too', () => {
    const env = liveEnv();
    const appsecret = env['OPENWX_COMPONENT_APPSECRET'] as string;
    const e = loadEmulatorConfig({
      ...env,
      OPENWX_COMPONENT_APPSECRET: undefined,
      OPENWX_COMPONENT_APPSECRET_FILE: secretFile(`${appsecret}\n`),
    });
    assert.equal(e.component.appsecret, appsecret);
    assert.equal(e.component.appid, env['OPENWX_COMPONENT_APPID']);
  });
});

describe('config: metrics and proxies', () => {
  it('reads the metrics token, the metrics port, trusted proxies and request logging', () => {
    const token = alnum(32);
    const c = loadConfig({
      OPENWX_DATA_DIR: tempDir(),
      OPENWX_METRICS_TOKEN: token,
      OPENWX_METRICS_PORT: '9464',
      OPENWX_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      OPENWX_LOG_REQUESTS: '1',
    });
    assert.equal(c.metricsToken, token);
    assert.equal(c.metricsPort, 9464);
    assert.deepEqual(c.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    assert.equal(c.logRequests, true);
    const d = loadConfig({ OPENWX_DATA_DIR: tempDir() });
    assert.equal(d.metricsToken, undefined);
    assert.equal(d.metricsPort, undefined);
    assert.equal(d.trustProxy, false);
    assert.equal(d.logRequests, false);
    assert.equal(loadConfig({ OPENWX_DATA_DIR: tempDir(), OPENWX_TRUST_PROXY: '2' }).trustProxy, 2);
  });

  it('refuses a metrics token shorter than 32 characters', () => {
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_METRICS_TOKEN: alnum(31) },
      'OPENWX_METRICS_TOKEN',
      /at least 32 characters/,
    );
  });

  it('refuses an OPENWX_METRICS_PORT out of range', () => {
    for (const bad of ['0', '65536', 'metrics', '-1']) {
      assertConfigError(
        { OPENWX_DATA_DIR: tempDir(), OPENWX_METRICS_PORT: bad },
        'OPENWX_METRICS_PORT',
        /from 1 to 65535/,
      );
    }
  });

  it('refuses an OPENWX_TRUST_PROXY that is not a hop count, an address or a CIDR', () => {
    for (const bad of ['everyone', '10.0.0.0/8, proxy.example.com', '101']) {
      assertConfigError(
        { OPENWX_DATA_DIR: tempDir(), OPENWX_TRUST_PROXY: bad },
        'OPENWX_TRUST_PROXY',
      );
    }
  });

  it('refuses an OPENWX_LOG_REQUESTS that is not true or false', () => {
    assertConfigError(
      { OPENWX_DATA_DIR: tempDir(), OPENWX_LOG_REQUESTS: 'sometimes' },
      'OPENWX_LOG_REQUESTS',
      /true or false/,
    );
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
    const env = liveEnv({
      DATABASE_URL: 'postgres://openwx:hunter2secret@db.example.com/openwx?password=pw2secret',
      OPENWX_METRICS_TOKEN: alnum(40),
    });
    const c = loadConfig(env);
    const text = JSON.stringify(describeConfig(c));
    for (const key of [
      'OPENWX_COMPONENT_APPSECRET',
      'OPENWX_COMPONENT_TOKEN',
      'OPENWX_COMPONENT_AES_KEY',
      'OPENWX_MASTER_KEY',
      'OPENWX_ADMIN_TOKEN',
      'OPENWX_METRICS_TOKEN',
    ]) {
      assert.ok(!text.includes(env[key] as string), `${key} leaks into describeConfig`);
    }
    assert.ok(!text.includes('hunter2secret'));
    assert.ok(!text.includes('pw2secret'));
    assert.ok(text.includes('db.example.com'));
    assert.ok(text.includes(c.component.appid));
  });
});
