import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { LazyRequestLogger, requestLogger } from '../../src/http/request-logger.ts';

/** A request's logger exists only once the request logs, and then carries reqId and ip. */
function server(level: string) {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const logger = pino({ level }, out);
  const app = Fastify({
    loggerInstance: logger,
    childLoggerFactory: requestLogger,
    // As openwx's server: its own request line, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof logger.child;
  app.addHook('onRequest', async (req) => {
    if (req.log instanceof LazyRequestLogger) req.log.attachRequest(req);
  });
  app.get('/quiet', async (req) => {
    req.log.debug('not written at info');
    return 'ok';
  });
  app.get('/loud', async (req) => {
    req.log.info({ n: 1 }, 'first');
    req.log.warn('second');
    return 'ok';
  });
  return { app, lines, children: () => children };
}

test('a request that logs nothing makes no child logger', async () => {
  const s = server('info');
  for (let i = 0; i < 5; i++) assert.equal((await s.app.inject('/quiet')).body, 'ok');
  assert.equal(s.children(), 0);
  assert.deepEqual(
    s.lines.filter((l) => l['msg'] === 'not written at info'),
    [],
  );
});

test('a request that logs gets one child: every line carries its reqId and ip', async () => {
  const s = server('info');
  const res = await s.app.inject({ url: '/loud', remoteAddress: '192.0.2.7' });
  assert.equal(res.body, 'ok');
  assert.equal(s.children(), 1);
  const mine = s.lines.filter((l) => l['msg'] === 'first' || l['msg'] === 'second');
  assert.equal(mine.length, 2);
  for (const l of mine) {
    assert.equal(l['ip'], '192.0.2.7');
    assert.equal(typeof l['reqId'], 'string');
  }
  assert.equal(mine[0]?.['n'], 1);
  assert.equal(mine[0]?.['reqId'], mine[1]?.['reqId']);
});
