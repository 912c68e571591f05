import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import chromium from '@sparticuz/chromium';
import pg from 'pg';
import { bundledArgs, chooseChromium, FLAGS, SYSTEM_CHROMIUM } from '../support/chromium.ts';
import { startEmbeddedPostgres } from '../support/embedded-postgres.ts';
import { choosePostgres, LOCAL_POSTGRES_URL, redactUrl } from '../support/suite-postgres.ts';

/** What `npm test` runs on: which PostgreSQL and which Chromium, and the overrides. */

const answers = (yes: boolean) => {
  const asked: string[] = [];
  return {
    asked,
    probe: async (url: string) => {
      asked.push(url);
      return yes;
    },
  };
};

describe('the suite’s PostgreSQL', () => {
  it('is the local server when it answers, else one started from npm', async () => {
    const local = answers(true);
    assert.deepEqual(await choosePostgres({}, local.probe), {
      kind: 'local',
      url: LOCAL_POSTGRES_URL,
    });
    assert.deepEqual(local.asked, [LOCAL_POSTGRES_URL]);
    assert.deepEqual(await choosePostgres({}, answers(false).probe), {
      kind: 'embedded',
      forced: false,
    });
  });

  it('is the one in DATABASE_URL when set, without looking for a local one', async () => {
    const local = answers(true);
    const url = 'postgres://ci:secret@db.example.com:6543/openwx';
    assert.deepEqual(await choosePostgres({ DATABASE_URL: url }, local.probe), {
      kind: 'url',
      url,
    });
    assert.deepEqual(local.asked, []);
    assert.equal(redactUrl(url), 'postgres://ci:***@db.example.com:6543/openwx');
  });

  it('is started from npm with OPENWX_TEST_POSTGRES=embedded, whatever else is at hand', async () => {
    const env = { OPENWX_TEST_POSTGRES: 'embedded', DATABASE_URL: LOCAL_POSTGRES_URL };
    assert.deepEqual(await choosePostgres(env, answers(true).probe), {
      kind: 'embedded',
      forced: true,
    });
  });

  it('refuses an unknown OPENWX_TEST_POSTGRES, naming it', async () => {
    await assert.rejects(
      choosePostgres({ OPENWX_TEST_POSTGRES: 'local' }, answers(true).probe),
      /OPENWX_TEST_POSTGRES is "local".*"embedded"/,
    );
  });

  it('started from npm, it takes queries, then stop() shuts it down and deletes its files', async () => {
    const server = await startEmbeddedPostgres();
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ v: string }>("SELECT upper('wxé') AS v");
      await client.end();
      assert.equal(rows[0]?.v, 'WXÉ');
      assert.match(server.version, /^PostgreSQL \d+/);
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(server.root), false);
    const late = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2_000 });
    await assert.rejects(late.connect());
  });
});

describe('the browser tests’ Chromium', () => {
  const only =
    (...paths: string[]) =>
    (p: string) =>
      paths.includes(p);

  it('is Debian’s when installed, else the one packaged in npm', () => {
    assert.deepEqual(chooseChromium({}, only(SYSTEM_CHROMIUM)), {
      kind: 'system',
      path: SYSTEM_CHROMIUM,
    });
    assert.deepEqual(chooseChromium({}, only()), { kind: 'bundled' });
  });

  it('follows OPENWX_TEST_CHROMIUM: "bundled", or the path of a binary', () => {
    const env = (v: string) => ({ OPENWX_TEST_CHROMIUM: v });
    assert.deepEqual(chooseChromium(env('bundled'), only(SYSTEM_CHROMIUM)), { kind: 'bundled' });
    assert.deepEqual(chooseChromium(env('/opt/chromium/chrome'), only('/opt/chromium/chrome')), {
      kind: 'system',
      path: '/opt/chromium/chrome',
    });
  });

  it('refuses an OPENWX_TEST_CHROMIUM path that does not exist, naming the setting', () => {
    assert.throws(
      () => chooseChromium({ OPENWX_TEST_CHROMIUM: '/nowhere/chromium' }, only(SYSTEM_CHROMIUM)),
      /OPENWX_TEST_CHROMIUM is "\/nowhere\/chromium", which does not exist/,
    );
  });

  it('packaged, it runs headless with no sandbox and no GPU, under the usual web security', () => {
    const args = bundledArgs(chromium.args);
    for (const flag of FLAGS) assert.ok(args.includes(flag), flag);
    for (const dropped of ['--single-process', '--disable-web-security', '--disable-features']) {
      assert.ok(!args.some((a) => a.split('=')[0] === dropped), dropped);
    }
    const names = args.map((a) => a.split('=')[0]);
    assert.equal(new Set(names).size, names.length, 'each switch once');
  });
});
