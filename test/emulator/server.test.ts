import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { sha1Signature } from '../../src/crypto/signature.ts';
import { WxBizMsgCrypt } from '../../src/crypto/wx-biz-msg-crypt.ts';
import { parseXml, xmlText } from '../../src/crypto/xml.ts';
import Fastify from 'fastify';
import { createEmulator } from '../../src/emulator/index.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/server.ts';
import { COMPONENT } from './harness.ts';

interface Hit {
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

/** A tiny stand-in for an openwx instance: records every POST and answers `reply`. */
class Receiver {
  readonly hits: Hit[] = [];
  reply = 'success';
  private server: Server = createServer((req, res) => void this.onRequest(req, res));
  private waiters: Array<() => void> = [];

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async onRequest(
    req: IncomingMessage,
    res: import('node:http').ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    this.hits.push({
      path: url.pathname,
      query: url.searchParams,
      contentType: String(req.headers['content-type']),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.end(this.reply);
    for (const w of this.waiters.splice(0)) w();
  }

  async waitFor(n: number): Promise<void> {
    while (this.hits.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('emulator server: real HTTP pushes', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  const start = async (
    receivers: Receiver[],
    extra: { firstTicketDelayMs?: number; ticketIntervalMs?: number } = {},
  ) => {
    const bases: string[] = [];
    for (const r of receivers) {
      bases.push(await r.listen());
      cleanup.push(() => r.close());
    }
    const server: EmulatorServer = await startEmulatorServer({
      host: '127.0.0.1',
      port: 0,
      pushTo: bases,
      component: { ...COMPONENT },
      ticketIntervalMs: extra.ticketIntervalMs ?? 0,
      ...(extra.firstTicketDelayMs === undefined
        ? {}
        : { firstTicketDelayMs: extra.firstTicketDelayMs }),
    });
    cleanup.push(() => server.close());
    return server;
  };

  it('encrypts a ticket push that the platform decrypts and whose signatures verify', async () => {
    const receiver = new Receiver();
    const server = await start([receiver]);
    const res = await fetch(`${server.url}/control/push-ticket`, { method: 'POST' });
    assert.deepEqual(await res.json(), { status: 200, body: 'success', ok: true });

    const hit = receiver.hits[0];
    assert.ok(hit);
    assert.equal(hit.path, '/api/openwx/auth');
    assert.match(hit.contentType, /^text\/xml/);
    assert.equal(hit.query.get('encrypt_type'), 'aes');
    const outer = parseXml(hit.body);
    assert.equal(xmlText(outer, 'AppId'), COMPONENT.appid);
    const encrypt = xmlText(outer, 'Encrypt') ?? '';
    const timestamp = hit.query.get('timestamp') ?? '';
    const nonce = hit.query.get('nonce') ?? '';
    assert.equal(hit.query.get('signature'), sha1Signature(COMPONENT.token, timestamp, nonce));
    assert.equal(
      hit.query.get('msg_signature'),
      sha1Signature(COMPONENT.token, timestamp, nonce, encrypt),
    );

    const crypt = new WxBizMsgCrypt({
      token: COMPONENT.token,
      encodingAesKey: COMPONENT.aesKey,
      appid: COMPONENT.appid,
    });
    const { message, receiveId } = crypt.decrypt(encrypt);
    assert.equal(receiveId, COMPONENT.appid);
    const inner = parseXml(message);
    assert.equal(xmlText(inner, 'AppId'), COMPONENT.appid);
    assert.equal(xmlText(inner, 'InfoType'), 'component_verify_ticket');
    assert.equal(xmlText(inner, 'ComponentVerifyTicket'), server.emulator.state.currentTicket);
    assert.ok(Math.abs(Number(xmlText(inner, 'CreateTime')) - Number(timestamp)) <= 1);
  });

  it('records an unhealthy push when the receiver does not answer success', async () => {
    const receiver = new Receiver();
    receiver.reply = 'fail';
    const server = await start([receiver]);
    const res = await fetch(`${server.url}/control/push-ticket`, { method: 'POST' });
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(json['ok'], false);
    assert.equal(json['body'], 'fail');
    assert.equal(server.emulator.state.ticketPush.ok, false);
    assert.equal(server.emulator.state.ticketPush.consecutiveFailures, 1);
    receiver.reply = 'success';
    await server.emulator.pushTicket();
    assert.equal(server.emulator.state.ticketPush.ok, true);
    assert.equal(server.emulator.state.ticketPush.consecutiveFailures, 0);
  });

  it('pushes tickets on the timer, round-robin across several platform instances', async () => {
    const a = new Receiver();
    const b = new Receiver();
    await start([a, b], { firstTicketDelayMs: 5, ticketIntervalMs: 20 });
    await a.waitFor(2);
    await b.waitFor(2);
    assert.ok(Math.abs(a.hits.length - b.hits.length) <= 1);
    assert.ok([...a.hits, ...b.hits].every((h) => h.path === '/api/openwx/auth'));
  });

  it('serves the API at the root with no prefix', async () => {
    const receiver = new Receiver();
    const server = await start([receiver]);
    const res = await fetch(`${server.url}/cgi-bin/component/api_component_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        component_appid: COMPONENT.appid,
        component_appsecret: COMPONENT.appsecret,
        component_verify_ticket: 'ticket@@@x',
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Record<string, unknown>)['errcode'], 61006);
    const unknown = await fetch(`${server.url}/cgi-bin/unknown`, { method: 'POST' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as Record<string, unknown>)['errcode'], 40066);
  });

  it('mounts at the root of a host that has its own not-found handler', async () => {
    const emulator = createEmulator({
      component: { ...COMPONENT },
      authEventUrl: 'https://openwx.example.invalid/auth',
      messageUrl: 'https://openwx.example.invalid/cb/$APPID$',
      ticketIntervalMs: 0,
    });
    const host = Fastify({ logger: false });
    host.setNotFoundHandler((_req, reply) => reply.code(404).send('host 404'));
    await host.register(emulator.plugin);
    cleanup.push(() => host.close());
    const api = await host.inject({ method: 'POST', url: '/cgi-bin/component/api_query_auth' });
    assert.equal(api.json<Record<string, unknown>>()['errcode'], 47001);
    assert.equal((await host.inject({ url: '/elsewhere' })).body, 'host 404');
  });
});
