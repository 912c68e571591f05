import { useT, type Params } from '../i18n.ts';
import { reasonMessages } from '../reasons.ts';

type Key = keyof typeof reasonMessages.zh;
const known = (key: string): key is Key => Object.hasOwn(reasonMessages.zh, key);

/** A reason as the API gives it: a stable code, its params, and the English for anyone else. */
export interface ApiReason {
  code?: string | null | undefined;
  params?: Record<string, unknown> | null | undefined;
}

/**
 * Words a reason from its code and params in the console's language. Lists become "a, b", an
 * empty value "none", a pre-flight check's name its label. An unknown code falls back to the
 * server's text (`fallback`), or to the code itself.
 */
export function useReasonText() {
  const t = useT(reasonMessages);
  return (r: ApiReason, fallback?: string | null): string => {
    const code = r.code ?? '';
    const params: Params = {};
    for (const [k, v] of Object.entries(r.params ?? {})) {
      if (Array.isArray(v)) params[k] = v.length ? v.join(', ') : t('none');
      else if (v === '' || v === null) params[k] = t('none');
      else if (k === 'check' && typeof v === 'string' && known(`check_${v}`))
        params[k] = t(`check_${v}` as Key);
      else if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    }
    const status = r.params?.['status'];
    const specific = `${code}_${String(status)}`;
    if (status !== undefined && known(specific)) return t(specific, params);
    if (known(code)) return t(code, params);
    return fallback ?? code;
  };
}

/** A reason in the operator's language, its code kept in data-reason-code. */
export function Reason(props: ApiReason & { fallback?: string | null; className?: string }) {
  const text = useReasonText();
  return (
    <span className={props.className} data-reason-code={props.code ?? ''}>
      {text(props, props.fallback)}
    </span>
  );
}
