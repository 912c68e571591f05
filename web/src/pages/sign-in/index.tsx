import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import type { SessionAnswer, SignInAnswer } from '../../api-types.ts';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { LangToggle, SandboxBanner } from '../../components/layout.tsx';
import { useT } from '../../i18n.ts';
import { setToken, type SignOutReason } from '../../session.ts';
import { messages } from './messages.ts';

type Mode = 'account' | 'token';

/** An operator account: username, password and, when two-step sign-in is on, the code. */
function AccountForm(props: { onSignedIn: () => void }) {
  const t = useT(messages);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [local, setLocal] = useState<{ field: string; text: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (needCode) codeRef.current?.focus();
  }, [needCode]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!username.trim()) return setLocal({ field: 'username', text: t('usernameMissing') });
    if (!password) return setLocal({ field: 'password', text: t('passwordMissing') });
    if (needCode && !code.trim()) return setLocal({ field: 'code', text: t('codeMissing') });
    setLocal(undefined);
    setBusy(true);
    try {
      const s = await api<SignInAnswer>('POST', '/api/session', {
        token: '',
        body: { username: username.trim(), password, ...(needCode ? { code: code.trim() } : {}) },
      });
      setToken(s.token, {
        kind: 'operator',
        role: s.operator.role,
        username: s.operator.username,
        displayName: s.operator.displayName,
      });
      props.onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') setNeedCode(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  const localFor = (field: string) => (local?.field === field ? local.text : undefined);

  return (
    <form onSubmit={submit} noValidate data-testid="account-form">
      <label htmlFor="username">{t('usernameLabel')}</label>
      <input
        id="username"
        name="username"
        autoComplete="username"
        value={username}
        maxLength={64}
        aria-invalid={localFor('username') ? true : undefined}
        onChange={(e) => setUsername(e.target.value)}
        autoFocus
      />
      <FieldError field="username" local={localFor('username')} error={error} />
      <label htmlFor="password">{t('passwordLabel')}</label>
      <input
        id="password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        aria-invalid={localFor('password') ? true : undefined}
        onChange={(e) => setPassword(e.target.value)}
      />
      <FieldError field="password" local={localFor('password')} error={error} />
      {needCode ? (
        <>
          <label htmlFor="code">{t('codeLabel')}</label>
          <input
            id="code"
            name="code"
            ref={codeRef}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            value={code}
            aria-describedby="code-help"
            onChange={(e) => setCode(e.target.value)}
          />
          <p className="help" id="code-help">
            {t('codeHelp')}
          </p>
          <FieldError field="code" local={localFor('code')} error={error} />
        </>
      ) : null}
      <FormError error={error} fields={['username', 'password', 'code']} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('checking') : t('submit')}
      </button>
    </form>
  );
}

/** The admin token (automation's credential; the way in before any account exists). */
function TokenForm(props: { onSignedIn: () => void }) {
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
      const who = await api<SessionAnswer>('GET', '/api/session', { token: value });
      setToken(value, {
        kind: who.kind,
        role: who.role,
        username: who.operator?.username ?? null,
        displayName: who.operator?.displayName ?? null,
      });
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
    <form onSubmit={submit} noValidate data-testid="token-form">
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
  );
}

/**
 * Sign in with an operator account (offered first once accounts exist) or with the admin token
 * (the only way before the first account is made). The credential is checked before it is kept.
 */
export function SignInPage(props: {
  sandbox: boolean;
  accounts: boolean;
  reason: SignOutReason | undefined;
  onSignedIn: () => void;
}) {
  const t = useT(messages);
  const [chosen, setChosen] = useState<Mode | undefined>();
  const mode: Mode = chosen ?? (props.accounts ? 'account' : 'token');
  return (
    <div className="signin">
      {props.sandbox ? <SandboxBanner /> : null}
      <div className="card signin-card">
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
        <div className="tabs" role="tablist">
          {(['account', 'token'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              className={mode === m ? 'tab selected' : 'tab'}
              onClick={() => setChosen(m)}
            >
              {m === 'account' ? t('withAccount') : t('withToken')}
            </button>
          ))}
        </div>
        {mode === 'account' ? (
          <AccountForm onSignedIn={props.onSignedIn} />
        ) : (
          <TokenForm onSignedIn={props.onSignedIn} />
        )}
      </div>
    </div>
  );
}
