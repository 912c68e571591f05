import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { consoleRoutes, defaultConsoleDir } from '../../src/http/routes/console.ts';

/** Serving the built console: deep links, cache headers, no escape from dist/console, no build. */
async function appWith(distDir: string) {
  const app = Fastify();
  await app.register(consoleRoutes({ mode: 'sandbox', version: '0.0.0-test', distDir }));
  return app;
}

test('without a build, /console says how to make one', async () => {
  const app = await appWith(join(tmpdir(), 'openwx-no-such-dist'));
  for (const url of ['/console', '/console/', '/console/authorizers/wx0000000000000000']) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 503, url);
    assert.match(res.headers['content-type'] as string, /text\/plain/);
    assert.match(res.body, /Run `npm run build`/);
  }
  const info = await app.inject('/console/info.json');
  assert.deepEqual(info.json(), { mode: 'sandbox', version: '0.0.0-test', accounts: false });
  await app.close();
});

test('deep links get index.html; assets are immutable; nothing outside the build is served', async () => {
  const dist = mkdtempSync(join(tmpdir(), 'openwx-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'openwx-secret.txt'), 'secret');
  const app = await appWith(dist);
  try {
    const deep = await app.inject('/console/settings');
    assert.equal(deep.statusCode, 200);
    assert.equal(deep.headers['cache-control'], 'no-cache');
    assert.match(deep.body, /<title>console/);
    const js = await app.inject('/console/assets/app-abc123.js');
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /javascript/);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await app.inject('/console/assets/missing.js')).statusCode, 404);
    for (const url of [
      '/console/../openwx-secret.txt',
      '/console/%2e%2e/openwx-secret.txt',
      '/console/assets/..%2f..%2fopenwx-secret.txt',
    ]) {
      const res = await app.inject(url);
      assert.ok(!res.body.includes('secret') || res.statusCode !== 200, url);
    }
  } finally {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'openwx-secret.txt'), { force: true });
  }
});

test('the console is looked for in dist/console beside package.json, where `npm run build` puts it', () => {
  const repo = join(import.meta.dirname, '..', '..');
  assert.equal(defaultConsoleDir(), join(repo, 'dist', 'console'));
});
