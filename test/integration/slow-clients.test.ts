import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * Slow and silent clients lose their sockets: half the headers, a body a byte at a time, nothing
 * at all, an idle keep-alive connection. The limits are shortened here; the deadline is ten
 * times the longest of them and far below Node's own defaults (60 s for headers, 5 min for a
 * request, no idle limit), so each test fails if the limits are not applied.
 */
const LIMITS = {
  headersMs: 500,
  requestMs: 1000,
  keepAliveMs: 500,
  idleMs: 1500,
  checkEveryMs: 100,
};
const DEADLINE_MS = 15_000;

interface Closed {
  /** Whether the server closed the socket before the deadline. */
  closed: boolean;
  /** What the server wrote before closing. */
  received: string;
}

/**
 * Opens a socket, writes `first` (if any), then a byte every 200 ms when `trickle`, and waits
 * for the server to close it.
 */
function closedByServer(url: string, first?: string, trickle = false): Promise<Closed> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearTimeout(deadline);
      clearInterval(timer);
      socket.destroy();
      resolve({ closed, received });
    };
    const deadline = setTimeout(() => done(false), DEADLINE_MS);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('close', () => done(true));
    socket.on('error', () => {});
    socket.on('connect', () => {
      if (first !== undefined) socket.write(first);
      if (trickle) timer = setInterval(() => socket.write('a'), 200);
    });
  });
}

describe('slow and silent clients', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ options: { serverTimeouts: LIMITS } });
  });
  after(() => sb.stop());

  test('a client that sends half its headers and stops is cut off', async () => {
    const r = await closedByServer(sb.url, 'GET /livez HTTP/1.1\r\nHost: a\r\n');
    assert.equal(r.closed, true, 'the socket is still open');
    assert.doesNotMatch(r.received, /^HTTP\/1\.1 200/);
  });

  test('a client that trickles its body a byte at a time is cut off', async () => {
    const r = await closedByServer(
      sb.url,
      'POST /api/openwx/auth HTTP/1.1\r\nHost: a\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n',
      true,
    );
    assert.equal(r.closed, true, 'the socket is still open');
    assert.doesNotMatch(r.received, /^HTTP\/1\.1 200/);
  });

  test('a client that connects and says nothing is cut off', async () => {
    const r = await closedByServer(sb.url);
    assert.equal(r.closed, true, 'the socket is still open');
    assert.doesNotMatch(r.received, /^HTTP\/1\.1 200/);
  });

  test('an idle keep-alive connection is closed after its answer', async () => {
    const r = await closedByServer(
      sb.url,
      'GET /livez HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n',
    );
    assert.equal(r.closed, true, 'the socket is still open');
    assert.match(r.received, /^HTTP\/1\.1 200/);
    assert.match(r.received, /"status":"ok"/);
  });

  test('a client that sends its request promptly is answered as before', async () => {
    const res = await fetch(`${sb.url}/livez`);
    assert.equal(res.status, 200);
  });
});
