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

type Validation = { keyword?: string; instancePath?: string; params?: Record<string, unknown> };

/** An AJV limit (`{ limit: 64 }`) as a number, or nothing. */
function limitOf(p: Record<string, unknown>): Record<string, unknown> {
  return typeof p['limit'] === 'number' ? { limit: p['limit'] } : {};
}

/** A list of allowed values (enum, type) as one readable string: `"a", "b"`, `string, null`. */
function listed(v: unknown, quote: boolean): string {
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => (quote ? JSON.stringify(x) : String(x))).join(', ');
}

/**
 * The rule a schema validation error broke, as a stable `reason` and the values its sentence
 * needs, from the AJV keyword and params (https://ajv.js.org/api.html#error-parameters). The
 * console words each `bad_request_<reason>` in the operator's language.
 */
function validationParams(
  v: Validation | undefined,
  field: string,
): Record<string, unknown> & { reason: string; field: string } {
  const p = v?.params ?? {};
  switch (v?.keyword) {
    case 'required':
      return { reason: 'required', field };
    case 'dependentRequired':
    case 'dependencies':
      return { reason: 'required_with', field, property: String(p['property'] ?? '') };
    case 'type':
      return { reason: 'type', field, type: listed(p['type'], false) };
    case 'minLength':
      // An empty value where one character is the least: the field is missing, to the operator.
      return p['limit'] === 1
        ? { reason: 'required', field }
        : { reason: 'too_short', field, ...limitOf(p) };
    case 'maxLength':
      return { reason: 'too_long', field, ...limitOf(p) };
    case 'minimum':
    case 'exclusiveMinimum':
      return { reason: 'too_small', field, ...limitOf(p) };
    case 'maximum':
    case 'exclusiveMaximum':
      return { reason: 'too_large', field, ...limitOf(p) };
    case 'multipleOf':
      return { reason: 'multiple_of', field, multiple: Number(p['multipleOf']) };
    case 'pattern':
      return { reason: 'pattern', field, pattern: String(p['pattern']) };
    case 'format':
      return { reason: 'format', field, format: String(p['format']) };
    case 'enum':
      return { reason: 'not_allowed', field, allowed: listed(p['allowedValues'], true) };
    case 'const':
      return { reason: 'not_allowed', field, allowed: listed(p['allowedValue'], true) };
    case 'minItems':
    case 'minProperties':
      return { reason: 'too_few', field, ...limitOf(p) };
    case 'maxItems':
    case 'maxProperties':
      return { reason: 'too_many', field, ...limitOf(p) };
    case 'uniqueItems':
      return { reason: 'duplicate', field };
    case 'additionalProperties':
    case 'unevaluatedProperties':
    case 'propertyNames':
      return { reason: 'unknown_field', field };
    default:
      // anyOf, oneOf, not, if/then and any keyword of a plugin: the value takes none of the accepted forms.
      return { reason: 'invalid', field };
  }
}

/** Why the content-type parser refused a body (FST_ERR_CTP_*), as a stable reason. */
function bodyReason(code: string): string {
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'media_type';
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'body_empty';
  return 'body_malformed';
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
      // Without a property name (the whole body, query or params broke the rule): the part itself.
      const params = validationParams(fe.validation[0], field ?? fe.validationContext ?? 'body');
      return sendError(reply, 400, 'bad_request', fe.message, {
        ...(field ? { field } : {}),
        params,
      });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
      const code = fe.statusCode === 413 ? 'payload_too_large' : 'bad_request';
      return sendError(
        reply,
        fe.statusCode,
        code,
        fe.message,
        // A body the content-type parser refused (malformed or empty JSON, wrong media type).
        fe.code?.startsWith('FST_ERR_CTP_') && code === 'bad_request'
          ? { field: 'body', params: { reason: bodyReason(fe.code), field: 'body' } }
          : fe.code?.startsWith('FST_ERR_CTP_')
            ? { field: 'body' }
            : {},
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
