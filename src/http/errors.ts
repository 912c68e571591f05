import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorCode } from '../core/errors.ts';
import { WechatApiError } from '../wechat/errors.ts';

/** The one place where domain errors become HTTP statuses. */
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

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof WechatApiError) {
      return reply.status(502).send({
        error: 'wechat_error',
        message: err.message,
        errcode: err.errcode,
        errmsg: err.errmsg,
        endpoint: err.endpoint,
      });
    }
    if (err instanceof AppError) {
      const status = STATUS[err.code];
      if (status >= 500) req.log.error({ err: err.message, code: err.code }, 'request failed');
      return reply.status(status).send({ error: err.code, message: err.message });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({ error: 'bad_request', message: fe.message });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
      return reply
        .status(fe.statusCode)
        .send({ error: fe.code ?? 'bad_request', message: fe.message });
    }
    req.log.error({ err: err.message }, 'unexpected error');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });
}
