import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { errorMessages } from '../error-messages.ts';
import { useT, type Params } from '../i18n.ts';
import { common } from '../messages.ts';

type ErrorKey = keyof typeof errorMessages.zh;
const knownError = (key: string): key is ErrorKey => Object.hasOwn(errorMessages.zh, key);

/**
 * The error's params that can fill a message ({min}, {role}, …), its field and errcode; `own`
 * (the form's label for the field) wins.
 */
function paramsOf(e: ApiError, own: Params = {}): Params {
  const out: Params = { status: e.status };
  if (e.field !== undefined) out['field'] = e.field;
  if (e.errcode !== undefined) out['errcode'] = e.errcode;
  for (const [k, v] of Object.entries(e.params))
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return { ...out, ...own };
}

/** Loading, error and empty states: every page shows one of them instead of a blank page. */
export function Loading() {
  const t = useT(common);
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {t('loading')}
    </p>
  );
}

/**
 * The message to show for an error, in the console's language where it is a known one; `own`
 * params (a form's `{ field: label }`) replace the error's.
 */
export function useErrorText() {
  const t = useT(common);
  const te = useT(errorMessages);
  return (error: unknown, own?: Params): string => {
    if (error instanceof ApiError) {
      if (error.code === 'network') return t('networkError');
      if (error.code === 'unauthorized') return t('tokenExpired');
      const reason = error.params['reason'];
      const specific = typeof reason === 'string' ? `${error.code}_${reason}` : '';
      if (knownError(specific)) return te(specific, paramsOf(error, own));
      if (knownError(error.code)) return te(error.code, paramsOf(error, own));
      return error.errcode === undefined
        ? error.message
        : `${error.message} (errcode ${error.errcode})`;
    }
    return error instanceof Error ? error.message : String(error);
  };
}

export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  const t = useT(common);
  const text = useErrorText();
  return (
    <div className="state error-box" role="alert">
      <strong>{t('errorTitle')}</strong>
      <p>{text(props.error)}</p>
      {props.onRetry ? (
        <button type="button" onClick={props.onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Empty(props: { children?: ReactNode }) {
  const t = useT(common);
  return <p className="state empty">{props.children ?? t('empty')}</p>;
}

/** Loading, then the error (with retry), then the content. */
export function Loaded<T>(props: {
  state: { data: T | undefined; error: unknown; loading: boolean; reload: () => void };
  children: (data: T) => ReactNode;
}) {
  const { data, error, reload } = props.state;
  if (error !== undefined) return <ErrorBox error={error} onRetry={reload} />;
  if (data === undefined) return <Loading />;
  return <>{props.children(data)}</>;
}
