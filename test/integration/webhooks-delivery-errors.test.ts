import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { authorizeMerchant } from '../support/flows.ts';
import { eventually, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { helpers, options, startReceiver, type Delivery } from '../support/webhooks.ts';

/**
 * A failed delivery answers, next to its text (last_error), a stable code and the values its
 * sentence needs (last_error_code, last_error_params), so that the console words it in the
 * operator's language: a receiver answering HTTP 500, a port that refuses the connection, a
 * receiver that never answers. A later success clears them.
 */
type CodedDelivery = Delivery & {
  last_error_code: string | null;
  last_error_params: Record<string, unknown> | null;
};

/** A port on 127.0.0.1 with nothing listening (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('webhook delivery failures as codes and params', () => {
  let sb: Sandbox;
  let appid: string;
  const h = helpers(() => sb);
  before(async () => {
    sb = await startSandbox({ options });
    appid = await authorizeMerchant(sb, { nickname: 'Delivery errors shop' });
  });
  after(() => sb.stop());

  /** The first delivery of a hook once an attempt has failed. */
  const failed = (hookId: string, what: string) =>
    eventually(
      async () =>
        ((await h.deliveries(hookId)) as CodedDelivery[]).find(
          (d) => d.attempts > 0 && d.last_error_code !== null,
        ),
      8000,
      what,
    );

  test('HTTP 500, a refused connection and a timeout each answer their code', async () => {
    const broken = await startReceiver(() => 500);
    const silent = await startReceiver(() => 'hang');
    const port = await closedPort();
    try {
      const http500 = await h.createHook({ url: broken.url, events: ['text'] });
      const refused = await h.createHook({
        url: `http://127.0.0.1:${port}/hook`,
        events: ['text'],
      });
      const hanging = await h.createHook({ url: silent.url, events: ['text'] });
      await h.sendText(appid, 'who answers?');

      const a = await failed(http500.id, 'HTTP 500');
      assert.equal(a.last_status_code, 500);
      assert.match(a.last_error ?? '', /^HTTP 500/);
      assert.equal(a.last_error_code, 'http_status');
      assert.deepEqual(a.last_error_params, { status: 500 });

      const b = await failed(refused.id, 'refused connection');
      assert.equal(b.last_status_code, null);
      assert.match(b.last_error ?? '', /ECONNREFUSED/);
      assert.equal(b.last_error_code, 'connection_refused');
      assert.deepEqual(b.last_error_params, { address: '127.0.0.1', port });

      const c = await failed(hanging.id, 'timeout');
      assert.match(c.last_error ?? '', /timed out after 1500 ms/);
      assert.equal(c.last_error_code, 'timeout');
      assert.deepEqual(c.last_error_params, { seconds: 1.5 });

      // A success clears the code with the text.
      broken.answer = () => 200;
      const path = `/api/admin/webhooks/${http500.id}/deliveries/${a.id}/redeliver`;
      assert.equal((await sb.admin(path, { method: 'POST' })).status, 202);
      const ok = await eventually(
        async () =>
          ((await h.deliveries(http500.id)) as CodedDelivery[]).find(
            (d) => d.id === a.id && d.status === 'delivered',
          ),
        8000,
        'redelivered',
      );
      assert.deepEqual(
        [ok.last_error, ok.last_error_code, ok.last_error_params],
        [null, null, null],
      );
      for (const hook of [http500, refused, hanging])
        await sb.admin(`/api/admin/webhooks/${hook.id}`, { method: 'DELETE' });
    } finally {
      await broken.close();
      await silent.close();
    }
  });
});
