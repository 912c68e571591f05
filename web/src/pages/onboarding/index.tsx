import { useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { api, get } from '../../api.ts';
import type { AuthorizationLink, LinkRequest, Tenant, TenantPage } from '../../api-types.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { ErrorBox, Loading } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';
import { Registrations } from './registrations.tsx';

const AUTH_TYPES = [1, 2, 3, 6] as const;
type AuthType = (typeof AUTH_TYPES)[number];

function QrImage(props: { value: string; alt: string }) {
  const [src, setSrc] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(props.value, { margin: 1, width: 220 })
      .then((url) => live && setSrc(url))
      .catch(() => live && setSrc(undefined));
    return () => {
      live = false;
    };
  }, [props.value]);
  return src ? <img className="qr" src={src} alt={props.alt} width={220} height={220} /> : null;
}

function NewTenant(props: { onCreated: (t: Tenant) => void }) {
  const t = useT(messages);
  const [name, setName] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!name.trim()) return setLocal(t('tenantNameMissing'));
    setLocal(undefined);
    setBusy(true);
    try {
      props.onCreated(
        await api<Tenant>('POST', '/api/admin/tenants', { body: { name: name.trim() } }),
      );
      setName('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <label htmlFor="tenant-name">{t('tenantName')}</label>
      <div className="row">
        <input
          id="tenant-name"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {t('createTenant')}
        </button>
      </div>
      <FieldError field="name" local={local} error={error} />
      <FormError error={error} fields={['name']} />
    </form>
  );
}

/** Authorization links (and their QR codes) for a tenant's merchants. */
export function OnboardingPage() {
  const t = useT(messages);
  const tenants = useApi(() => get<TenantPage>('/api/admin/tenants', { limit: 200 }), []);
  const [tenantId, setTenantId] = useState('');
  const [authType, setAuthType] = useState<AuthType>(3);
  const [redirect, setRedirect] = useState('');
  const [local, setLocal] = useState<{ redirect?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<AuthorizationLink | undefined>();
  const [created, setCreated] = useState<string | undefined>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const r = redirect.trim();
    if (r && !/^https?:\/\/[^\s/]+/.test(r)) return setLocal({ redirect: t('redirectInvalid') });
    setLocal({});
    const body: LinkRequest = {
      auth_type: authType,
      ...(tenantId ? { tenant_id: tenantId } : {}),
      ...(r ? { redirect: r } : {}),
    };
    setBusy(true);
    try {
      setLink(await api<AuthorizationLink>('POST', '/api/admin/authorizations', { body }));
    } catch (err) {
      setLink(undefined);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('title')} />
      <div className="grid two">
        <section className="card">
          <h2>{t('linkTitle')}</h2>
          <p className="help">{t('linkIntro')}</p>
          <form onSubmit={submit} noValidate>
            <label htmlFor="tenant_id">{t('tenant')}</label>
            {tenants.error !== undefined ? (
              <ErrorBox error={tenants.error} onRetry={() => void tenants.reload()} />
            ) : tenants.data === undefined ? (
              <Loading />
            ) : (
              <select id="tenant_id" value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
                <option value="">{t('noTenant')}</option>
                {tenants.data.items.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            )}
            <FieldError field="tenant_id" error={error} />
            <label htmlFor="auth_type">{t('authType')}</label>
            <select
              id="auth_type"
              value={authType}
              onChange={(e) => setAuthType(Number(e.target.value) as AuthType)}
            >
              {AUTH_TYPES.map((a) => (
                <option key={a} value={a}>
                  {t(`authType${a}`)}
                </option>
              ))}
            </select>
            <FieldError field="auth_type" error={error} />
            <label htmlFor="redirect">{t('redirect')}</label>
            <input
              id="redirect"
              type="url"
              value={redirect}
              placeholder="https://"
              aria-invalid={local.redirect ? true : undefined}
              onChange={(e) => setRedirect(e.target.value)}
            />
            <p className="help">{t('redirectHelp')}</p>
            <FieldError field="redirect" local={local.redirect} error={error} />
            <FormError error={error} fields={['tenant_id', 'auth_type', 'redirect']} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t('creating') : t('create')}
            </button>
          </form>
          <h3>{t('newTenant')}</h3>
          <NewTenant
            onCreated={(x) => {
              setCreated(t('tenantCreated', { name: x.name }));
              setTenantId(x.id);
              void tenants.reload();
            }}
          />
          {created ? <p className="notice ok">{created}</p> : null}
        </section>
        {link ? (
          <section className="card" data-testid="link-result">
            <h2>{t('result')}</h2>
            <p>
              {t('startUrl')}:{' '}
              <code className="value break" data-testid="start-url">
                {link.start_url}
              </code>
            </p>
            <p className="row">
              <CopyButton value={link.start_url} label={t('startUrl')} />
              <a className="button" href={link.start_url} target="_blank" rel="noreferrer">
                {t('open')}
              </a>
            </p>
            <QrImage value={link.start_url} alt={t('qrAlt')} />
            <p>
              {t('expires')}: <RelativeTime at={link.expires_at} />
            </p>
          </section>
        ) : null}
      </div>
      <Registrations tenants={tenants.data} />
    </>
  );
}
