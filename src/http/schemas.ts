/**
 * JSON schemas shared by the routes, the OpenAPI document and the console. A `title` written as a
 * type name makes the schema a named component of the OpenAPI document (src/http/openapi.ts), and
 * so a named type of generated clients: keep it stable.
 */
export const errorBody = {
  title: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string' },
        errcode: { type: 'integer' },
        errmsg: { type: 'string' },
        endpoint: { type: 'string' },
        params: {
          type: 'object',
          description: 'What the error is about, by name (wechat_outcome_unknown: endpoint)',
          additionalProperties: true,
        },
        auditid: { type: 'integer' },
        rollout_id: { type: 'integer' },
        checks: {
          type: 'array',
          description: 'The pre-flight checks, when the error is preflight_failed',
          items: {
            type: 'object',
            properties: {
              check: { type: 'string' },
              ok: { type: 'boolean' },
              detail: { type: 'string' },
              params: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
  },
} as const;

export const tokenBody = {
  title: 'AccessToken',
  type: 'object',
  required: ['access_token', 'expires_at'],
  properties: {
    access_token: { type: 'string' },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const eventItem = {
  title: 'Event',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    appid: { type: ['string', 'null'] },
    type: { type: 'string' },
    source: { type: 'string', enum: ['auth', 'message', 'internal'] },
    receivedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The `{appid}` of a route about one authorized account (an unknown one answers 404). */
export const appidParams = {
  type: 'object',
  required: ['appid'],
  properties: { appid: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/** The error answers of a route that acts on one mini program through WeChat. */
export const perAppErrors = {
  400: errorBody,
  401: errorBody,
  404: errorBody,
  409: errorBody,
  502: errorBody,
} as const;
