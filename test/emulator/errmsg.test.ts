import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { handlers } from '../../src/emulator/handlers/index.ts';
import { ERRMSG, UNSOURCED_TEXT, errmsgOf } from '../../src/emulator/wx-error.ts';
import { createHarness, type Harness } from './harness.ts';

const EMULATOR_DIR = join(import.meta.dirname, '../../src/emulator');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  );
}

/** Every errcode the emulator throws: `new WxApiError(N…)` in its code and handlers' `missing`. */
function thrownErrcodes(): Set<number> {
  const codes = new Set<number>();
  for (const text of sources(EMULATOR_DIR)) {
    for (const m of text.matchAll(/WxApiError\(\s*(-?\d+)/g)) codes.add(Number(m[1]));
  }
  for (const handler of Object.values(handlers)) {
    for (const code of Object.values(handler?.missing ?? {})) codes.add(code);
  }
  return codes;
}

describe('emulator: errmsg texts (C1)', () => {
  it('gives every errcode it throws a text', () => {
    const codes = thrownErrcodes();
    assert.ok(codes.size > 50, `found only ${codes.size} thrown errcodes`);
    const silent = [...codes].filter((c) => ERRMSG[c] === undefined).sort((a, b) => a - b);
    assert.deepEqual(silent, []);
    for (const c of codes) assert.doesNotMatch(errmsgOf(c), /^errcode /, `errcode ${c}`);
  });

  it('marks only the listed unsourced codes as placeholders', () => {
    const placeholders = Object.entries(ERRMSG)
      .filter(([, text]) => text.startsWith('[placeholder'))
      .map(([code]) => Number(code))
      .sort((a, b) => a - b);
    assert.deepEqual(
      placeholders,
      Object.keys(UNSOURCED_TEXT)
        .map(Number)
        .sort((a, b) => a - b),
    );
    assert.deepEqual(placeholders, [86070, 86073, 86074]);
  });

  describe('in answers', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await createHarness();
    });
    afterEach(() => h.close());

    it('answers a webview domain call without platform domains with its text and a rid', async () => {
      const token = (await h.authorized('miniprogram')).accessToken;
      const empty = await h.control('POST', '/platform-domains', { webview: [] });
      assert.equal(empty.status, 200);
      const res = await h.api('setwebviewdomain', { action: 'add', webviewdomain: [] }, token);
      assert.equal(res['errcode'], 89020, JSON.stringify(res));
      assert.match(
        String(res['errmsg']),
        /^尚未设置小程序业务域名，请先在第三方平台中设置小程序业务域名后在调用本接口 rid: \S+$/,
      );
    });
  });
});
