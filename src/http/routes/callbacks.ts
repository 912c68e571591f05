import type { FastifyInstance, FastifyReply } from 'fastify';
import type {} from '@fastify/swagger';
import type { CallbackReply, CallbackService } from '../../callbacks/callback-service.ts';
import { MAX_XML_BYTES } from '../../crypto/xml.ts';

/**
 * WeChat's push URLs. Raw bytes in (the signature is checked over them), no auth (the signature is
 * the auth), a 64 KiB limit, plain-text errors.
 */
type Query = Record<string, string | undefined>;

const APPID_RE = /^wx[0-9a-zA-Z]{16}$/;

function send(reply: FastifyReply, r: CallbackReply): FastifyReply {
  return reply.status(r.status).header('content-type', r.contentType).send(r.body);
}

export function callbackRoutes(callbacks: CallbackService) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_XML_BYTES },
      (_req, body, done) => done(null, body),
    );
    app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
      const message =
        status === 413
          ? `body larger than ${MAX_XML_BYTES} bytes`
          : status < 500
            ? err.message
            : 'internal error';
      return reply.status(status).header('content-type', 'text/plain; charset=utf-8').send(message);
    });

    const tags = ['WeChat pushes'];
    const authDoc = {
      tags,
      summary: 'Authorization event URL (授权事件接收URL): tickets and authorization changes',
    };
    const msgDoc = {
      tags,
      summary: 'Message and event URL (消息与事件接收URL, $APPID$ = authorizer appid)',
    };
    const checkDoc = { tags, summary: 'URL check: echoes echostr when the signature matches' };
    const body = (b: unknown): Buffer => (Buffer.isBuffer(b) ? b : Buffer.alloc(0));

    app.post<{ Querystring: Query }>('/api/openwx/auth', { schema: authDoc }, async (req, reply) =>
      send(reply, await callbacks.handleAuthEvent({ query: req.query, rawBody: body(req.body) })),
    );
    app.get<{ Querystring: Query }>('/api/openwx/auth', { schema: checkDoc }, async (req, reply) =>
      send(reply, callbacks.verifyUrl(req.query)),
    );

    app.post<{ Querystring: Query; Params: { appid: string } }>(
      '/api/openwx/callback/:appid',
      { schema: msgDoc },
      async (req, reply) => {
        if (!APPID_RE.test(req.params.appid))
          return reply
            .status(400)
            .type('text/plain')
            .send('the path must end with an appid (wx + 16 letters or digits)');
        return send(
          reply,
          await callbacks.handleMessage(req.params.appid, {
            query: req.query,
            rawBody: body(req.body),
          }),
        );
      },
    );
    app.get<{ Querystring: Query }>(
      '/api/openwx/callback/:appid',
      { schema: checkDoc },
      async (req, reply) => send(reply, callbacks.verifyUrl(req.query)),
    );
  };
}
