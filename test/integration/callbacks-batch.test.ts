import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Queryable } from '../../src/store/db.ts';
import { createEventInsertBatcher, type NewEvent } from '../../src/store/queries/events.ts';
import { DB_KINDS, withDb } from '../support/databases.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { post, push, textMessageXml } from '../support/pushes.ts';

/**
 * Message pushes that arrive together share one INSERT. A push holding what PostgreSQL cannot
 * store (a NUL, an unpaired surrogate) must not fail its neighbours: it is stored sanitised, and
 * a row the database still refuses fails alone.
 */
for (const kind of DB_KINDS) {
  describe(`pushes stored together (${kind})`, () => {
    let sb: Sandbox;
    before(async () => {
      sb = await startSandbox({ db: kind });
    });
    after(() => sb.stop());

    test('valid pushes sent with one holding NUL bytes are all stored; that one sanitised', async () => {
      const url = `${sb.url}/api/openwx/callback/wx0123456789abcdef`;
      const valid = Array.from({ length: 30 }, (_, i) =>
        push(sb.openwx.config, textMessageXml(`7100000000000000${i + 10}`)),
      );
      const poisoned = [
        push(sb.openwx.config, textMessageXml('7199999999999999991', 'a\u0000b')),
        push(sb.openwx.config, textMessageXml('7199999999999999992', 'c\ud800d')),
      ];
      const all = [...valid.slice(0, 15), ...poisoned, ...valid.slice(15)];
      const answers = await Promise.all(all.map((p) => post(url, p)));
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.equal(await a.text(), 'success');
      }
      const listed = (await (await sb.admin('/api/admin/events?limit=200')).json()) as {
        items: { id: number }[];
      };
      assert.equal(listed.items.length, 32);
      const contents = await Promise.all(
        listed.items.map(
          async (e) =>
            (
              (await (await sb.admin(`/api/admin/events/${e.id}`)).json()) as {
                decoded: Record<string, string>;
              }
            ).decoded,
        ),
      );
      const byId = new Map(contents.map((d) => [d['MsgId'], d['Content']]));
      assert.equal(byId.get('7199999999999999991'), 'a\ufffdb');
      assert.equal(byId.get('7199999999999999992'), 'c\ufffdd');
      assert.equal(byId.get('710000000000000010'), 'hello');
    });
  });

  test(`a row the database refuses fails alone, its batch is stored (${kind})`, async () => {
    await withDb(kind, async (db) => {
      const batcher = createEventInsertBatcher(db);
      const event = (i: number, source = 'message'): NewEvent => ({
        dedupeKey: `test:${i}`,
        source: source as NewEvent['source'],
        appid: 'wx0123456789abcdef',
        type: 'text',
        raw: `<xml>\u0000${i}</xml>`,
        query: { nonce: 'a\u0000' },
        decoded: { Content: 'x\u0000', 'k\u0000': ['\ud800'] },
        createTime: new Date(Number.NaN),
        receivedAt: new Date(),
      });
      // Answered in the same turn: one INSERT for all, then the refused row alone.
      const results = await Promise.allSettled([
        batcher.insert(event(1)),
        batcher.insert(event(2, 'bogus')),
        batcher.insert(event(3)),
        batcher.insert(event(1)),
      ]);
      assert.equal(results[0]?.status, 'fulfilled');
      assert.equal(results[1]?.status, 'rejected');
      assert.equal(results[2]?.status, 'fulfilled');
      const ids = results.map((r) => (r.status === 'fulfilled' ? r.value : 'refused'));
      assert.ok(typeof ids[0] === 'number' && typeof ids[2] === 'number');
      assert.equal(ids[3], null);
      const rows = await db.query<{ raw: string; query: unknown; decoded: unknown }>(
        'SELECT raw, query, decoded FROM events ORDER BY id',
      );
      assert.equal(rows.rows.length, 2);
      assert.deepEqual(rows.rows[0], {
        raw: '<xml>\ufffd1</xml>',
        query: { nonce: 'a\ufffd' },
        decoded: { Content: 'x\ufffd', 'k\ufffd': ['\ufffd'] },
      });
    });
  });
}

test('a database that fails as a whole fails the batch once, without a retry per row', async () => {
  let calls = 0;
  const down = {
    query: () => {
      calls++;
      return Promise.reject(Object.assign(new Error('Connection terminated'), { code: '57P01' }));
    },
  } as unknown as Queryable;
  const batcher = createEventInsertBatcher(down);
  const event = (i: number): NewEvent => ({
    dedupeKey: `down:${i}`,
    source: 'message',
    appid: null,
    type: 'text',
    raw: '<xml/>',
    query: {},
    decoded: {},
    createTime: null,
    receivedAt: new Date(),
  });
  const results = await Promise.allSettled([1, 2, 3].map((i) => batcher.insert(event(i))));
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'rejected'],
  );
  assert.equal(calls, 1);
});
