/**
 * Domain errors. They carry a stable `code` and optional details; they know nothing of HTTP.
 * The HTTP layer maps codes to statuses in one place.
 */
export type ErrorCode =
  | 'bad_request'
  | 'webhook_url_credentials'
  | 'webhook_url_forbidden'
  | 'webhook_secret_invalid'
  | 'webhook_event_type_unknown'
  | 'unauthorized'
  | 'forbidden'
  | 'forbidden_role'
  | 'token_access_off'
  | 'sign_in_failed'
  | 'sign_in_throttled'
  | 'totp_required'
  | 'totp_invalid'
  | 'password_rejected'
  | 'username_invalid'
  | 'username_taken'
  | 'not_found'
  | 'conflict'
  | 'preflight_failed'
  | 'quota_exhausted'
  | 'sandbox_only'
  | 'payload_too_large'
  | 'config_invalid'
  | 'crypto_error'
  | 'wechat_error'
  | 'upstream_unavailable'
  | 'internal';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

/**
 * A refused field: bad_request naming the field, with the reason and the values its sentence
 * needs in params (the console words `bad_request_<reason>`).
 */
export function fieldRefusal(
  field: string,
  message: string,
  { reason, ...params }: { reason: string; [k: string]: unknown },
): AppError {
  return new AppError('bad_request', message, {
    details: { field, params: { reason, field, ...params } },
  });
}

/** The same, its English message starting with the field's name (`domains.request[0]: …`). */
export function namedFieldRefusal(
  field: string,
  message: string,
  { reason, ...params }: { reason: string; [k: string]: unknown },
): AppError {
  return new AppError('bad_request', `${field}: ${message}`, {
    details: { field, params: { reason, field, ...params } },
  });
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * An error as the API names it where it reports a failure inside a 200 answer (one mini program
 * of a bulk action): a domain error's code and params, WeChat's errcode, or `internal`.
 */
export function errorReason(err: unknown): { code: string; params: Record<string, unknown> } {
  // WeChat's errors are domain errors too (wechat_error): their errcode is what names them.
  const e = err as { errcode?: unknown; endpoint?: unknown } | null;
  if (typeof e?.errcode === 'number')
    return {
      code: 'wechat_error',
      params: {
        errcode: e.errcode,
        ...(typeof e.endpoint === 'string' ? { endpoint: e.endpoint } : {}),
      },
    };
  if (err instanceof AppError) {
    const params = err.details?.['params'];
    return {
      code: err.code,
      params: typeof params === 'object' && params !== null ? { ...params } : {},
    };
  }
  return { code: 'internal', params: {} };
}
