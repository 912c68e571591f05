import { isAppError } from '../../core/errors.ts';
import { ADDRESS_REASONS } from './target.ts';

/**
 * Why a delivery attempt failed, as a stable code with the values its sentence needs, stored
 * next to the text (last_error) so that the console words it in the operator's language. The
 * text stays for logs and for readers of the API.
 */
export const DELIVERY_ERROR_CODES = [
  /** The receiver answered outside 2xx: params.status. */
  'http_status',
  /** No answer within the attempt's time limit: params.seconds. */
  'timeout',
  /** The receiver's address refused the connection: params.address, params.port. */
  'connection_refused',
  /** The connection was closed before an answer (reset, hang-up). */
  'connection_reset',
  /** The host name does not resolve: params.host. */
  'dns',
  /** No route to the receiver's address: params.address. */
  'unreachable',
  /** The host is or resolves to an address webhooks may not target: params.host, address, kind. */
  'address_forbidden',
  /** The stored URL is no longer acceptable (e.g. it holds credentials): params.reason. */
  'url_invalid',
  /** The TLS handshake or the certificate failed: params.tls_code. */
  'tls',
  /** Another network failure: params.error_code when Node gave one. */
  'network',
  /** The attempt could not be prepared (e.g. a sealed secret did not open). */
  'internal',
] as const;

export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];
export type DeliveryErrorParams = Record<string, string | number>;

export interface DeliveryFailure {
  code: DeliveryErrorCode;
  params: DeliveryErrorParams;
}

const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
]);

interface NodeErrorFields {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error itself and its causes, outermost first. */
function chain(err: unknown): NodeErrorFields[] {
  const out: NodeErrorFields[] = [];
  for (let e = err; e && typeof e === 'object' && out.length < 5; e = (e as NodeErrorFields).cause)
    out.push(e as NodeErrorFields);
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** No answer within the attempt's time limit. */
export const timedOut = (timeoutMs: number): DeliveryFailure => ({
  code: 'timeout',
  params: { seconds: Math.round(timeoutMs / 100) / 10 },
});

/** A failed attempt's cause (thrown while connecting or sending) as a code and params. */
export function deliveryFailureOf(err: unknown, host: string, timeoutMs: number): DeliveryFailure {
  if (isAppError(err)) {
    const params = (err.details?.['params'] ?? {}) as Record<string, unknown>;
    if (err.code === 'webhook_url_forbidden') {
      const kind = str(params['kind']) ?? '';
      return {
        code: 'address_forbidden',
        params: {
          host: str(params['host']) ?? host,
          address: str(params['address']) ?? '',
          kind: (ADDRESS_REASONS[kind] ?? 'address_refused').replace(/^address_/, ''),
        },
      };
    }
    return { code: 'url_invalid', params: { reason: str(params['reason']) ?? err.code } };
  }
  for (const e of chain(err)) {
    const code = str(e.code);
    const message = str(e.message) ?? '';
    const address = str(e.address);
    const where = {
      ...(address ? { address } : {}),
      ...(typeof e.port === 'number' ? { port: e.port } : {}),
    };
    if (code === 'ECONNREFUSED') return { code: 'connection_refused', params: where };
    if (code === 'ETIMEDOUT') return timedOut(timeoutMs);
    if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message))
      return { code: 'connection_reset', params: {} };
    if (
      code === 'ENOTFOUND' ||
      code === 'EAI_AGAIN' ||
      code === 'EAI_NODATA' ||
      code === 'EAI_NONAME' ||
      /\b(ENOTFOUND|EAI_AGAIN)\b|has no address/.test(message)
    )
      return { code: 'dns', params: { host: str(e.hostname) ?? host } };
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN')
      return { code: 'unreachable', params: where };
    if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')))
      return { code: 'tls', params: { tls_code: code } };
  }
  const code = chain(err)
    .map((e) => str(e.code))
    .find((c) => c !== undefined);
  return { code: 'network', params: code ? { error_code: code } : {} };
}
