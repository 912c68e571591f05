import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, type ErrorCode } from '../core/errors.ts';
import { WechatApiError, WechatOutcomeUnknownError } from '../wechat/errors.ts';

/**
 * The one place where domain errors become HTTP statuses. Every JSON error has the shape
 * `{ error: { code, message, ...details } }`.
 */
const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  webhook_url_credentials: 400,
  webhook_url_forbidden: 400,
  webhook_secret_invalid: 400,
  webhook_event_type_unknown: 400,
  unauthorized: 401,
  forbidden: 403,
  forbidden_role: 403,
  token_access_off: 403,
  sign_in_failed: 401,
  sign_in_throttled: 429,
  totp_required: 401,
  totp_invalid: 401,
  password_rejected: 400,
  username_invalid: 400,
  username_taken: 409,
  not_found: 404,
  conflict: 409,
  preflight_failed: 409,
  quota_exhausted: 409,
  sandbox_only: 409,
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

/**
 * The details of a domain error that a caller may see: the field, WeChat's errcode, the failed
 * pre-flight checks, the audit or rollout it is about.
 */
function shownDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof details?.['field'] === 'string') out['field'] = details['field'];
  if (typeof details?.['errcode'] === 'number') out['errcode'] = details['errcode'];
  if (typeof details?.['errmsg'] === 'string') out['errmsg'] = details['errmsg'];
  if (Array.isArray(details?.['checks'])) out['checks'] = details['checks'];
  if (typeof details?.['auditid'] === 'number') out['auditid'] = details['auditid'];
  if (typeof details?.['rollout_id'] === 'number') out['rollout_id'] = details['rollout_id'];
  if (isRecord(details?.['params'])) out['params'] = details['params'];
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request field a schema validation error is about (`code`, `redirect_uri`, ...). */
function validationField(
  v: { instancePath?: string; params?: Record<string, unknown> } | undefined,
): string | undefined {
  const missing = v?.params?.['missingProperty'] ?? v?.params?.['additionalProperty'];
  if (typeof missing === 'string') return missing;
  const last = v?.instancePath?.split('/').filter(Boolean).pop();
  return last || undefined;
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
    if (err instanceof WechatOutcomeUnknownError) {
      // WeChat may have applied the call: the operator reads its state before trying again.
      req.log.error({ err, code: 'wechat_outcome_unknown' }, 'request failed');
      return sendError(reply, 502, 'wechat_outcome_unknown', err.message, {
        params: { endpoint: err.endpoint },
      });
    }
    if (err instanceof AppError) {
      const status = STATUS[err.code];
      if (status >= 500) req.log.error({ err, code: err.code }, 'request failed');
      return sendError(reply, status, err.code, err.message, shownDetails(err.details));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const field = validationField(fe.validation[0]);
      return sendError(reply, 400, 'bad_request', fe.message, field ? { field } : {});
    }
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
    // The Error itself: pino's serializer keeps its type, message and stack; reqId comes with req.log.
    req.log.error({ err }, 'unexpected error');
    return sendError(reply, 500, 'internal', 'internal error');
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`),
  );
}
