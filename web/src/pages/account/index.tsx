import QRCode from 'qrcode';
import { useEffect, useState, type FormEvent } from 'react';
import { api, get } from '../../api.ts';
import type { Operator, SessionAnswer, TotpOffer } from '../../api-types.ts';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { common } from '../../messages.ts';
import { useAction } from '../../use-action.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';

function Qr(props: { value: string }) {
  const [src, setSrc] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(props.value, { margin: 1, width: 200 })
      .then((url) => live && setSrc(url))
      .catch(() => live && setSrc(undefined));
    return () => {
      live = false;
    };
  }, [props.value]);
  return src ? <img className="qr" src={src} alt="otpauth" width={200} height={200} /> : null;
}

function ChangePassword() {
  const t = useT(messages);
  const [f, setF] = useState({ currentPassword: '', newPassword: '' });
  const [local, setLocal] = useState<string | undefined>();
  const action = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!f.currentPassword) return setLocal('currentPassword');
    if (!f.newPassword) return setLocal('newPassword');
    setLocal(undefined);
    void action.run(async () => {
      await api('PUT', '/api/session/password', { body: f });
      setF({ currentPassword: '', newPassword: '' });
      return t('changed');
    });
  };
  return (
    <section className="card">
      <h2>{t('passwordTitle')}</h2>
      <form onSubmit={submit} noValidate data-testid="change-password">
        <label htmlFor="current-password">{t('currentPassword')}</label>
        <input
          id="current-password"
          type="password"
          autoComplete="current-password"
          value={f.currentPassword}
          onChange={(e) => setF({ ...f, currentPassword: e.target.value })}
        />
        <FieldError
          field="currentPassword"
          local={local === 'currentPassword' ? t('missing') : undefined}
          error={action.error}
        />
        <label htmlFor="new-password">{t('newPassword')}</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          aria-describedby="new-password-help"
          value={f.newPassword}
          onChange={(e) => setF({ ...f, newPassword: e.target.value })}
        />
        <p className="help" id="new-password-help">
          {t('newPasswordHelp')}
        </p>
        <FieldError
          field="newPassword"
          local={local === 'newPassword' ? t('missing') : undefined}
          error={action.error}
        />
        <FormError error={action.error} fields={['currentPassword', 'newPassword']} />
        {action.note ? (
          <p className="notice" role="status">
            {action.note}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={action.busy}>
          {t('change')}
        </button>
      </form>
    </section>
  );
}

function TwoStep(props: { operator: Operator; onChanged: () => void }) {
  const t = useT(messages);
  const [offer, setOffer] = useState<TotpOffer | undefined>();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  if (props.operator.totpEnabled) {
    return (
      <section className="card" data-testid="two-step">
        <h2>{t('totpTitle')}</h2>
        <p>{t('totpOn')}</p>
        {action.note ? <p className="notice">{action.note}</p> : null}
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              await api('DELETE', '/api/session/totp', { body: { password } });
              setPassword('');
              props.onChanged();
              return t('turnedOff');
            });
          }}
        >
          <label htmlFor="totp-off-password">{t('passwordToTurnOff')}</label>
          <input
            id="totp-off-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <FieldError field="password" error={action.error} />
          <FormError error={action.error} fields={['password']} />
          <button type="submit" className="danger" disabled={action.busy || !password}>
            {t('turnOff')}
          </button>
        </form>
      </section>
    );
  }
  return (
    <section className="card" data-testid="two-step">
      <h2>{t('totpTitle')}</h2>
      <p>{t('totpOff')}</p>
      {action.note ? <p className="notice">{action.note}</p> : null}
      {offer ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              await api('POST', '/api/session/totp/confirm', { body: { code: code.trim() } });
              setOffer(undefined);
              setCode('');
              props.onChanged();
              return t('confirmed');
            });
          }}
        >
          <p>{t('scan')}</p>
          <Qr value={offer.otpauthUri} />
          <p>
            {t('secret')}: <code data-testid="totp-secret">{offer.secret}</code>
          </p>
          <label htmlFor="totp-code">{t('code')}</label>
          <input
            id="totp-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <FieldError field="code" error={action.error} />
          <FormError error={action.error} fields={['code']} />
          <button type="submit" className="primary" disabled={action.busy || !code.trim()}>
            {t('confirm')}
          </button>
        </form>
      ) : (
        <>
          <FormError error={action.error} fields={[]} />
          <button
            type="button"
            className="primary"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                setOffer(await api<TotpOffer>('POST', '/api/session/totp'));
                return undefined;
              })
            }
          >
            {t('start')}
          </button>
        </>
      )}
    </section>
  );
}

/** The signed-in operator's own account: who, their password and their two-step sign-in. */
export function AccountPage() {
  const t = useT(messages);
  const tc = useT(common);
  const state = useApi(() => get<SessionAnswer>('/api/session'), []);
  return (
    <>
      <PageHeader title={t('title')} />
      <Loaded state={state}>
        {(s) =>
          s.operator ? (
            <>
              <section className="card">
                <p>
                  {t('username')}:{' '}
                  <strong data-testid="account-username">{s.operator.username}</strong>
                </p>
                <p>
                  {t('role')}: <span className="badge">{tc(`role_${s.role}`)}</span>
                </p>
              </section>
              <ChangePassword />
              <TwoStep operator={s.operator} onChanged={() => void state.reload()} />
            </>
          ) : (
            <section className="card">
              <p>{t('tokenNote')}</p>
            </section>
          )
        }
      </Loaded>
    </>
  );
}
