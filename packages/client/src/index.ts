import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './openapi.js';

/**
 * @openwx/client: openwx's REST API, typed from its OpenAPI document (GET /docs/json).
 *
 *   const openwx = createTenantClient({ baseUrl: 'https://openwx.example.com', apiKey });
 *   const { data, error } = await openwx.GET('/api/tenant/authorizers/{appid}', {
 *     params: { path: { appid } },
 *   });
 *
 * Every call answers `{ data, error, response }` (openapi-fetch): `error` is the Error schema
 * (`error.error.code`, `.params`) when openwx refused. `unwrap()` turns that into a thrown
 * OpenwxApiError instead.
 */
export type { components, operations, paths };

/** The named schemas of the document: `Schemas['Tenant']`, `Schemas['Rollout']`, … */
export type Schemas = components['schemas'];
/** openwx's answer to a refused call (any 4xx or 5xx). */
export type ApiError = Schemas['Error'];

/** The paths an API key may call: the tenant API and the WeChat proxy. */
export type TenantPaths = Pick<
  paths,
  Extract<keyof paths, `/api/tenant/${string}` | `/api/proxy/${string}`>
>;

export type TenantClient = Client<TenantPaths>;
export type AdminClient = Client<paths>;

export interface OpenwxClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Where openwx answers, e.g. https://openwx.example.com (no trailing /api). */
  baseUrl: string;
}

function withBearer(options: OpenwxClientOptions, token: string): ClientOptions {
  if (!token) throw new TypeError('openwx client: the API key or token is empty');
  const headers = new Headers(options.headers as HeadersInit | undefined);
  headers.set('authorization', `Bearer ${token}`);
  return { ...options, baseUrl: options.baseUrl.replace(/\/+$/, ''), headers };
}

/** A tenant's client: its API key (created by an operator: POST /api/admin/tenants/{id}/keys). */
export function createTenantClient(
  options: OpenwxClientOptions & { apiKey: string },
): TenantClient {
  const { apiKey, ...rest } = options;
  return createClient<TenantPaths>(withBearer(rest, apiKey));
}

/** An operator's client: the admin token (OPENWX_ADMIN_TOKEN) or a session token (POST /api/session). */
export function createAdminClient(options: OpenwxClientOptions & { token: string }): AdminClient {
  const { token, ...rest } = options;
  return createClient<paths>(withBearer(rest, token));
}

/** openwx refused a call: the HTTP status and the Error schema's code, message and params. */
export class OpenwxApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly params: Record<string, unknown>;
  readonly body: ApiError;

  constructor(status: number, body: ApiError) {
    super(`openwx answered ${status} ${body.error.code}: ${body.error.message}`);
    this.name = 'OpenwxApiError';
    this.status = status;
    this.code = body.error.code;
    this.params = body.error.params ?? {};
    this.body = body;
  }
}

const isApiError = (v: unknown): v is ApiError =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { error?: { code?: unknown } }).error?.code === 'string';

/**
 * The answer's data, or an OpenwxApiError when openwx refused (an answer that is not openwx's
 * Error schema, e.g. from a proxy in between, is an OpenwxApiError with code http_<status>).
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) {
    throw new OpenwxApiError(
      response.status,
      isApiError(error)
        ? error
        : { error: { code: `http_${response.status}`, message: response.statusText } },
    );
  }
  return data as T;
}
