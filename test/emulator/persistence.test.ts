import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { decodeGraph, encodeGraph } from '../../src/emulator/snapshot.ts';
import { COMPONENT, createHarness, type Harness } from './harness.ts';
import { commit, setup, submit } from './pipeline.ts';

describe('emulator: snapshot of a graph', () => {
  it('keeps Maps, Sets, numbers as keys and objects reached by two paths as one object', () => {
    const audit = { auditid: 7, status: 2 };
    const world = {
      audits: new Map([[7, audit]]),
      inFlight: new Map([[7, audit]]),
      app: { audit, expedited: new Set([1, 2]), gray: null, note: undefined },
      odd: { $ref: 'a key with a dollar', n: Number.POSITIVE_INFINITY },
      list: [1, undefined, 'x'],
    };
    const back = decodeGraph(JSON.parse(JSON.stringify(encodeGraph(world)))) as typeof world;
    assert.equal(back.audits.get(7), back.inFlight.get(7));
    assert.equal(back.app.audit, back.audits.get(7));
    back.inFlight.get(7)!.status = 0;
    assert.equal(back.app.audit.status, 0, 'a change through one path shows through the others');
    assert.deepEqual([...back.app.expedited], [1, 2]);
    assert.equal(back.app.gray, null);
    assert.equal('note' in back.app, false);
    assert.deepEqual(back.odd, { $ref: 'a key with a dollar', n: Number.POSITIVE_INFINITY });
    assert.deepEqual(back.list, [1, undefined, 'x']);
  });

  it('refuses what would not survive a restart, naming where it is', () => {
    assert.throws(
      () => encodeGraph({ code: { apps: new Map([['wx1', { at: new Date(0) }]]) } }),
      /world\.code\.apps\.get\(wx1\)\.at is a Date/,
    );
    assert.throws(() => encodeGraph({ f: () => 1 }), /world\.f is a function/);
  });
});

describe('emulator: every area of the world is in the snapshot', () => {
  it('each file keeping state beside the EmulatorState (a WeakMap keyed by it) is in AREAS', () => {
    // The audit-policy timers are not part of the world (they are restarted by start()).
    const notWorld = new Set(['audit-policy.ts']);
    const dir = join(import.meta.dirname, '..', '..', 'src', 'emulator');
    const persistence = readFileSync(join(dir, 'persistence.ts'), 'utf8');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !notWorld.has(f),
    );
    const keeping = files.filter((f) =>
      /new WeakMap<(EmulatorState|object)\b/.test(readFileSync(join(dir, f), 'utf8')),
    );
    assert.ok(keeping.length >= 10, keeping.join(', '));
    for (const f of keeping)
      assert.ok(
        persistence.includes(`from './${f}'`),
        `${f} keeps state beside the EmulatorState: add its area to AREAS in persistence.ts`,
      );
  });
});

describe('emulator: a world kept in a state file', () => {
  let dir: string;
  let file: string;
  const open: Harness[] = [];
  const harness = async (extra = {}) => {
    const h = await createHarness({ stateFile: file, saveDelayMs: 20, ...extra });
    open.push(h);
    return h;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'openwx-emulator-state-'));
    file = join(dir, 'emulator-state.json');
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is written with mode 0600 at once, and with no temporary file left', async () => {
    const h = await harness();
    assert.equal(h.emulator.restored, false);
    assert.ok(existsSync(file));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['emulator-state.json']);
  });

  it('brings back authorizations, refresh tokens, templates, code and audits after a restart', async () => {
    const first = await harness();
    const s = await setup(first);
    const oa = await first.authorized('officialaccount');
    assert.equal((await commit(first, s))['errcode'], 0);
    const auditid = await submit(first, s);
    const policy = await first.control('POST', '/audit-policy', { auto_pass_after_seconds: 1 });
    assert.equal(policy.status, 200);
    await first.close();
    open.splice(0);

    const second = await harness();
    assert.equal(second.emulator.restored, true);
    // The same platform credentials and the authorizer's refresh token still work.
    const component = await second.componentToken();
    const refreshed = await second.api(
      'api_authorizer_token',
      {
        component_appid: COMPONENT.appid,
        authorizer_appid: oa.appid,
        authorizer_refresh_token: oa.refreshToken,
      },
      component,
    );
    assert.equal(typeof refreshed['authorizer_access_token'], 'string', JSON.stringify(refreshed));
    // The access token issued before the restart is still valid.
    const info = await second.api('getaccountbasicinfo', {}, s.token);
    assert.notEqual(info['errcode'], 40001, JSON.stringify(info));
    const templates = (await second.control('GET', '/templates')).json['templates'] as Array<{
      template_id: number;
    }>;
    assert.deepEqual(
      templates.map((t) => t.template_id),
      [s.templateId],
    );
    // The audit in flight is decided by the kept policy once the emulator runs again, and the
    // decision is seen through get_auditstatus (the audit is one object again).
    const pushed = second.platform.received.length;
    second.emulator.start();
    // (The emulator's timers do not keep the process alive: this one does, and bounds the wait.)
    const keepAlive = setTimeout(() => undefined, 10_000);
    await second.platform.waitFor(pushed + 1);
    clearTimeout(keepAlive);
    assert.match(second.platform.last().plaintext, /weapp_audit_success/);
    const status = await second.api('get_auditstatus', { auditid }, s.token);
    assert.equal(status['status'], 0, JSON.stringify(status));
    const latest = await second.api('get_latest_auditstatus', {}, s.token);
    assert.equal(latest['status'], 0, JSON.stringify(latest));
  });

  it('starts a new world when the file belongs to another platform, keeping the old file aside', async () => {
    const first = await harness();
    await first.authorized('miniprogram');
    await first.close();
    open.splice(0);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...saved, componentAppid: 'wxfake00000000other' }));
    const second = await harness();
    assert.equal(second.emulator.restored, false);
    assert.equal(second.emulator.state.authorizations.size, 0);
    assert.ok(existsSync(`${file}.wxfake00000000other.old`));
  });

  it('refuses a damaged file with a message naming it', async () => {
    writeFileSync(file, '{"format":"openwx-emulator-state","version":1,"wor');
    await assert.rejects(harness(), (err: Error) => {
      assert.match(err.message, /emulator state in .*emulator-state\.json cannot be used/);
      assert.match(err.message, /openwx sandbox reset/);
      return true;
    });
  });

  it('reset() gives a new world with the default accounts, and writes it', async () => {
    const h = await harness();
    const mp = await h.authorized('miniprogram');
    await h.control('POST', '/drafts', { user_version: '1.0.0', user_desc: 'first' });
    await h.emulator.reset();
    assert.equal(h.emulator.state.merchants.has(mp.appid), false);
    assert.equal(h.emulator.state.merchants.size, 2);
    assert.equal(h.emulator.state.authorizations.size, 0);
    assert.deepEqual((await h.control('GET', '/drafts')).json['drafts'], []);
    const written = readFileSync(file, 'utf8');
    assert.equal(written.includes(mp.appid), false);
  });

  it('POST /control/reset gives a new world too (a standalone emulator, without a restart)', async () => {
    const h = await harness();
    const oa = await h.authorized('officialaccount');
    const r = await h.control('POST', '/reset', {});
    assert.equal(r.status, 200);
    assert.equal((r.json['merchants'] as unknown[]).length, 2);
    const component = await h.componentToken();
    const refreshed = await h.api(
      'api_authorizer_token',
      {
        component_appid: COMPONENT.appid,
        authorizer_appid: oa.appid,
        authorizer_refresh_token: oa.refreshToken,
      },
      component,
    );
    assert.notEqual(refreshed['errcode'] ?? 0, 0, 'the old authorization is gone');
  });
});
