import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import type { CallbackReply, CallbackService } from '../../callbacks/callback-service.ts';
import { MAX_XML_BYTES } from '../../crypto/xml.ts';

/**
 * WeChat's push URLs. Raw bytes in (the signature is checked over them), no auth (the signature is
 * the auth), a 64 KiB limit, plain-text errors.
 */
type Query = Record<string, string | undefined>;

const APPID_RE = /^wx[0-9a-zA-Z]{16}$/;

/**
 * WeChat waits 5 s for an answer and then retries the push. A push that could not be stored
 * within 3 s (a frozen or unreachable database) is answered 503 so that the retry takes over
 * before WeChat gives up. Should the store still land afterwards, the retry is a duplicate: it is
 * answered `success` and stored no second time (events are deduplicated).
 */
export const PUSH_DEADLINE_MS = 3_000;

function send(reply: FastifyReply, r: CallbackReply): FastifyReply {
  return reply.status(r.status).header('content-type', r.contentType).send(r.body);
}

/** The push's answer, or a 503 when it is not there within `ms`. */
async function withinDeadline(
  req: FastifyRequest,
  work: Promise<CallbackReply>,
  ms: number,
): Promise<CallbackReply> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const first = await Promise.race([work, late]);
    if (first !== 'late') return first;
  } finally {
    clearTimeout(timer);
  }
  req.log.warn({ deadline_ms: ms }, 'push not stored in time: answered 503, WeChat retries');
  work.then(
    (r) => req.log.info({ status: r.status }, 'push answered 503 was handled late'),
    (err: unknown) => req.log.error({ err }, 'push answered 503 failed later'),
  );
  return {
    status: 503,
    contentType: 'text/plain; charset=utf-8',
    body: `the push could not be stored within ${ms / 1000} s; WeChat retries it`,
  };
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
      send(
        reply,
        await withinDeadline(
          req,
          callbacks.handleAuthEvent({ query: req.query, rawBody: body(req.body) }),
          PUSH_DEADLINE_MS,
        ),
      ),
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
          await withinDeadline(
            req,
            callbacks.handleMessage(req.params.appid, {
              query: req.query,
              rawBody: body(req.body),
            }),
            PUSH_DEADLINE_MS,
          ),
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
