import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, type ErrorCode } from '../core/errors.ts';
import { WechatApiError } from '../wechat/errors.ts';

/**
 * The one place where domain errors become HTTP statuses. Every JSON error has the shape
 * `{ error: { code, message, ...details } }`.
 */
const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  config_invalid: 500,
  crypto_error: 400,
  wechat_error: 502,
  upstream_unavailable: 503,
  internal: 500,
};

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply.status(status).send({ error: { code, message, ...extra } });
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof WechatApiError) {
      return sendError(reply, 502, 'wechat_error', err.message, {
        errcode: err.errcode,
        errmsg: err.errmsg,
        endpoint: err.endpoint,
      });
    }
    if (err instanceof AppError) {
      const status = STATUS[err.code];
      if (status >= 500) req.log.error({ err: err.message, code: err.code }, 'request failed');
      const field = err.details?.['field'];
      return sendError(
        reply,
        status,
        err.code,
        err.message,
        typeof field === 'string' ? { field } : {},
      );
    }
    const fe = err as FastifyError;
    if (fe.validation) return sendError(reply, 400, 'bad_request', fe.message);
    if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
      return sendError(
        reply,
        fe.statusCode,
        fe.statusCode === 413 ? 'payload_too_large' : 'bad_request',
        fe.message,
        // A body the content-type parser refused (malformed or empty JSON, wrong media type).
        fe.code?.startsWith('FST_ERR_CTP_') ? { field: 'body' } : {},
      );
    }
    req.log.error({ err: err.message }, 'unexpected error');
    return sendError(reply, 500, 'internal', 'internal error');
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`),
  );
}
