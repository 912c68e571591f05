import { useT, type Params } from '../../i18n.ts';
import { messages } from './messages.ts';
import type { Delivery } from './types.ts';

type Key = keyof typeof messages.zh;
type T = (key: Key, params?: Params) => string;

/** The params of a delivery's failure that can fill a sentence (strings and numbers). */
function paramsOf(d: Delivery): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(d.last_error_params ?? {}))
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}

const KINDS = ['loopback', 'private', 'link_local', 'metadata', 'unspecified', 'shared'] as const;

/** A delivery's failure in the operator's language, from its code and params. */
export function deliveryErrorText(t: T, d: Delivery): string {
  const p = paramsOf(d);
  const where =
    p['address'] === undefined
      ? undefined
      : `${p['address']}${p['port'] === undefined ? '' : `:${p['port']}`}`;
  switch (d.last_error_code) {
    case 'http_status':
      return t('err_http_status', p);
    case 'timeout':
      return t('err_timeout', p);
    case 'connection_refused':
      return where ? t('err_connection_refused_at', { where }) : t('err_connection_refused');
    case 'connection_reset':
      return t('err_connection_reset');
    case 'dns':
      return t('err_dns', p);
    case 'unreachable':
      return where ? t('err_unreachable_at', { where }) : t('err_unreachable');
    case 'address_forbidden': {
      const kind = KINDS.find((k) => k === p['kind']);
      const words = { ...p, kind: t(kind ? `kind_${kind}` : 'kind_refused') };
      return p['host'] === p['address']
        ? t('err_address_forbidden_literal', words)
        : t('err_address_forbidden', words);
    }
    case 'url_invalid':
      return p['reason'] === 'url_credentials' ? t('err_url_credentials') : t('err_url_invalid');
    case 'tls':
      return t('err_tls', p);
    case 'network':
      return p['error_code'] === undefined ? t('err_network') : t('err_network_code', p);
    case 'internal':
      return t('err_internal');
    default:
      // Failed before openwx recorded codes (or a code this console does not know yet).
      return t('err_failed');
  }
}

/**
 * Why the last attempt failed, in words; the server's text (e.g. the receiver's answer) is in
 * the title, never the sentence.
 */
export function DeliveryError(props: { delivery: Delivery }) {
  const t = useT(messages);
  const d = props.delivery;
  if (!d.last_error && !d.last_error_code) return null;
  return (
    <div
      className="field-error"
      title={d.last_error ?? undefined}
      data-error-code={d.last_error_code ?? ''}
    >
      {deliveryErrorText(t, d)}
    </div>
  );
}
