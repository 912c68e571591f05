import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import type { PlatformStatus } from '../../api-types.ts';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { LangToggle, SandboxBanner } from '../../components/layout.tsx';
import { useT } from '../../i18n.ts';
import { setToken, type SignOutReason } from '../../session.ts';
import { messages } from './messages.ts';

/** Sign in with the admin token; the token is checked against the API before it is kept. */
export function SignInPage(props: {
  sandbox: boolean;
  reason: SignOutReason | undefined;
  onSignedIn: () => void;
}) {
  const t = useT(messages);
  const [token, setTokenValue] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const value = token.trim();
    if (!value) {
      setLocal(t('tokenMissing'));
      return;
    }
    setLocal(undefined);
    setBusy(true);
    try {
      await api<PlatformStatus>('GET', '/api/admin/status', { token: value });
      setToken(value);
      props.onSignedIn();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? new ApiError(401, 'unauthorized', t('tokenWrong'), { field: 'token' })
          : err,
      );
    } finally {
      setBusy(false);
    }
  };

  const wrong = error instanceof ApiError && error.field === 'token' ? t('tokenWrong') : undefined;
  return (
    <div className="signin">
      {props.sandbox ? <SandboxBanner /> : null}
      <form className="card signin-card" onSubmit={submit} noValidate>
        <div className="page-header">
          <h1>{t('title')}</h1>
          <LangToggle />
        </div>
        {props.reason === 'expired' ? (
          <p className="notice warning" role="alert" data-testid="signout-reason">
            {t('expired')}
          </p>
        ) : props.reason === 'signed_out' ? (
          <p className="notice">{t('signedOut')}</p>
        ) : null}
        <label htmlFor="token">{t('tokenLabel')}</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          value={token}
          aria-invalid={local || wrong ? true : undefined}
          aria-describedby="token-help"
          onChange={(e) => setTokenValue(e.target.value)}
          autoFocus
        />
        <FieldError field="token" local={local ?? wrong} />
        <p className="help" id="token-help">
          {t('tokenHelp')}
        </p>
        <FormError error={error} fields={['token']} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('checking') : t('submit')}
        </button>
      </form>
    </div>
  );
}
