import Fastify from 'fastify';
import { openPush } from '../src/callbacks/envelope.ts';
import { WxBizMsgCrypt } from '../src/crypto/wx-biz-msg-crypt.ts';
import { MAX_XML_BYTES } from '../src/crypto/xml.ts';
import { runChild } from './lib/protocol.ts';

/**
 * Rungs between the bare server and openwx: Fastify with the push routes' raw-body parser and
 * (BENCH_OPEN=1) openPush — verify, decrypt, parse — but no database. Same credentials as openwx.
 */
type Query = Record<string, string | undefined>;

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

await runChild(async () => {
  const open = process.env['BENCH_OPEN'] === '1';
  const crypt = new WxBizMsgCrypt({
    token: env('OPENWX_COMPONENT_TOKEN'),
    encodingAesKey: env('OPENWX_COMPONENT_AES_KEY'),
    appid: env('OPENWX_COMPONENT_APPID'),
  });
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_XML_BYTES }, (_r, b, done) =>
    done(null, b),
  );
  const handle = async (query: Query, body: unknown): Promise<string> => {
    if (open) openPush(crypt, { query, rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0) });
    return 'success';
  };
  app.post<{ Querystring: Query }>('/api/openwx/auth', async (req, reply) =>
    reply.type('text/plain; charset=utf-8').send(await handle(req.query, req.body)),
  );
  app.post<{ Querystring: Query; Params: { appid: string } }>(
    '/api/openwx/callback/:appid',
    async (req, reply) =>
      reply.type('text/plain; charset=utf-8').send(await handle(req.query, req.body)),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, info: { openPush: open }, stop: () => app.close() };
});
