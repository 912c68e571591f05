import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { eventually, type Sandbox } from './sandbox.ts';

/**
 * Webhook test support: a tiny receiver on 127.0.0.1 (port 0) that records every request and
 * answers as `answer` says (a status code, or 'hang' to never answer), the signature check a
 * receiver does, and admin API helpers against a sandbox.
 */
export interface WebhookPayload {
  id: number;
  type: string;
  appid: string | null;
  tenant_id: string | null;
  received_at: string;
  data: Record<string, unknown>;
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: string;
  body: WebhookPayload;
  at: number;
}

export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides the answer to the n-th request (0-based). */
  answer: (n: number, r: ReceivedWebhook) => Answer;
  ofType(type: string): ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startReceiver(answer: Receiver['answer'] = () => 200): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: ReceivedWebhook = {
        headers: req.headers,
        raw,
        body: JSON.parse(raw) as WebhookPayload,
        at: Date.now(),
      };
      received.push(r);
      const a = receiver.answer(received.length - 1, r);
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(a, { 'content-type': 'text/plain' }).end(a < 300 ? 'ok' : 'receiver failed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer,
    ofType: (type) => received.filter((r) => r.body.type === type),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** Checks `X-Openwx-Signature` the way a receiver should (constant-time compare). */
export function signatureMatches(secret: string, r: ReceivedWebhook): boolean {
  const timestamp = String(r.headers['x-openwx-timestamp'] ?? '');
  const given = String(r.headers['x-openwx-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.raw}`).digest('hex')}`;
  return (
    given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  );
}

export type Hook = {
  id: string;
  url: string;
  events: string[] | null;
  tenant_id: string | null;
  receive_secrets: boolean;
  secret?: string;
};
export type Delivery = {
  id: number;
  event_id: number;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
};

/** Short timeout, backoff and retry window: a dead letter takes about a second. */
export const options = {
  webhooks: {
    pollMs: 20,
    timeoutMs: 1500,
    retryWindowMs: 1000,
    backoffMs: () => 60,
    unknownAppidGraceMs: 3000,
  },
};

export function helpers(get: () => Sandbox) {
  const json = (body: unknown) => ({
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return {
    json,
    async createHook(body: Record<string, unknown>): Promise<Hook & { secret: string }> {
      const res = await get().admin('/api/admin/webhooks', json(body));
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as Hook & { secret: string };
    },
    async deliveries(hookId: string): Promise<Delivery[]> {
      const res = await get().admin(`/api/admin/webhooks/${hookId}/deliveries?limit=200`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { items: Delivery[] }).items;
    },
    sendText: (appid: string, content: string) =>
      get().control('/messages', { appid, openid: 'oUSER000000000000000000000042', content }),
    received: (rx: Receiver, pred: (r: ReceivedWebhook) => boolean, what: string) =>
      eventually(async () => rx.received.find(pred), 8000, what),
  };
}
