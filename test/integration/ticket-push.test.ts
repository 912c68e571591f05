import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSealer, parseMasterKey } from '../../src/crypto/seal.ts';
import { DB_KINDS } from '../support/databases.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { post, push, ticketXml } from '../support/pushes.ts';

/**
 * The component_verify_ticket push (every 10 minutes) is stored with its ticket in one
 * statement: the event once, the ticket kept with the nine before it, a replay keeping nothing,
 * and a push without a ticket refused with nothing stored.
 */
for (const kind of DB_KINDS) {
  describe(`the ticket push (${kind})`, () => {
    let sb: Sandbox;
    before(async () => {
      sb = await startSandbox({ db: kind });
    });
    after(() => sb.stop());

    const url = () => `${sb.url}/api/openwx/auth`;
    const counts = async () => {
      const r = await sb.openwx.db.query<{ events: number; tickets: number }>(
        `SELECT (SELECT count(*)::int FROM events WHERE type = 'component_verify_ticket') AS events,
                (SELECT count(*)::int FROM tickets) AS tickets`,
      );
      return r.rows[0];
    };
    const tickets = async () => {
      const sealer = createSealer(parseMasterKey(sb.openwx.config.masterKey));
      const r = await sb.openwx.db.query<{ ticket_sealed: string }>(
        'SELECT ticket_sealed FROM tickets ORDER BY id DESC',
      );
      return r.rows.map((row) => sealer.open(row.ticket_sealed, 'component_verify_ticket'));
    };

    test('twelve tickets: twelve events, the newest ten tickets kept, the latest first', async () => {
      const before = await counts();
      for (let i = 1; i <= 12; i++) {
        const res = await post(
          url(),
          push(sb.openwx.config, ticketXml(sb.openwx.config, `ticket@@@n${i}`)),
        );
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'success');
      }
      const after = await counts();
      assert.equal(after?.events, (before?.events ?? 0) + 12);
      assert.equal(after?.tickets, 10);
      const kept = await tickets();
      assert.equal(kept[0], 'ticket@@@n12');
      assert.ok(kept.includes('ticket@@@n3') && !kept.includes('ticket@@@n2'), kept.join(' '));
    });

    test('a replayed ticket push is answered success and stores nothing again', async () => {
      const p = push(sb.openwx.config, ticketXml(sb.openwx.config, 'ticket@@@replayed'));
      assert.equal((await post(url(), p)).status, 200);
      const once = await counts();
      const again = await post(url(), p);
      assert.equal(again.status, 200);
      assert.equal(await again.text(), 'success');
      assert.deepEqual(await counts(), once);
      assert.equal((await tickets())[0], 'ticket@@@replayed');
    });

    test('a ticket push without ComponentVerifyTicket is refused and stores nothing', async () => {
      const before = await counts();
      const xml = ticketXml(sb.openwx.config, 'x').replace(
        /<ComponentVerifyTicket>.*<\/ComponentVerifyTicket>/,
        '',
      );
      const res = await post(url(), push(sb.openwx.config, xml));
      assert.equal(res.status, 400);
      assert.match(await res.text(), /ComponentVerifyTicket/);
      assert.deepEqual(await counts(), before);
    });
  });
}
