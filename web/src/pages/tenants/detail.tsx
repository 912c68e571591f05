import { useState, type FormEvent } from 'react';
import { api, get } from '../../api.ts';
import type { Tenant } from '../../api-types.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.tsx';
import { useApi } from '../../use-api.ts';
import { upgradeLabel } from './index.tsx';
import { TenantForm } from './form.tsx';
import { messages } from './messages.ts';
import type { NewTenantKey, TenantKey, TenantPatch } from './types.ts';

const path = (id: string) => `/api/admin/tenants/${encodeURIComponent(id)}`;

function EditForm(props: { tenant: Tenant; onSaved: (x: Tenant) => void }) {
  const t = useT(messages);
  return (
    <TenantForm
      id="tenant-edit"
      tenant={props.tenant}
      send={async (fields) => {
        const body: TenantPatch = fields;
        props.onSaved(await api<Tenant>('PATCH', path(props.tenant.id), { body }));
      }}
    >
      {({ busy, saved }) => (
        <div className="row wrap">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('saving') : t('save')}
          </button>
          {saved ? <span className="notice ok">{t('saved')}</span> : null}
        </div>
      )}
    </TenantForm>
  );
}

function SelfUpgrade(props: { tenant: Tenant; onSaved: (x: Tenant) => void }) {
  const t = useT(messages);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  const value = props.tenant.self_upgrade;
  const set = async (v: boolean | null) => {
    setError(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      const body: TenantPatch = { self_upgrade: v };
      props.onSaved(await api<Tenant>('PATCH', path(props.tenant.id), { body }));
      setDone(t('upgradeSaved', { value: upgradeLabel(t, v) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const options: { v: boolean | null; id: string }[] = [
    { v: null, id: 'default' },
    { v: true, id: 'true' },
    { v: false, id: 'false' },
  ];
  return (
    <fieldset className="adm-choices" disabled={busy}>
      <legend>{t('upgradeTitle')}</legend>
      <p className="help">{t('upgradeHelp')}</p>
      {options.map((o) => (
        <label key={o.id} className="adm-choice">
          <input
            type="radio"
            name="self_upgrade"
            value={o.id}
            checked={value === o.v}
            onChange={() => void set(o.v)}
          />
          {upgradeLabel(t, o.v)}
        </label>
      ))}
      {done ? <p className="notice ok">{done}</p> : null}
      <FieldError field="self_upgrade" error={error} />
      <FormError error={error} fields={['self_upgrade']} />
    </fieldset>
  );
}

/** Raw authorizer tokens for the tenant's keys: off unless the operator trusts the tenant. */
function TokenAccess(props: { tenant: Tenant; onSaved: (x: Tenant) => void }) {
  const t = useT(messages);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = async (v: boolean) => {
    setError(undefined);
    setBusy(true);
    try {
      const body: TenantPatch = { token_access: v };
      props.onSaved(await api<Tenant>('PATCH', path(props.tenant.id), { body }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset className="adm-choices" disabled={busy}>
      <legend>{t('tokenAccessTitle')}</legend>
      <p className="help">{t('tokenAccessHelp')}</p>
      <label className="adm-check">
        <input
          type="checkbox"
          name="token_access"
          checked={props.tenant.token_access}
          onChange={(e) => void set(e.target.checked)}
        />
        {t('tokenAccessLabel')}
      </label>
      <FormError error={error} fields={[]} />
    </fieldset>
  );
}

function Keys(props: { tenantId: string }) {
  const t = useT(messages);
  const keys = useApi(
    () => get<{ items: TenantKey[] }>(`${path(props.tenantId)}/keys`),
    [props.tenantId],
  );
  const [name, setName] = useState('');
  const [fresh, setFresh] = useState<NewTenantKey | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      setFresh(
        await api<NewTenantKey>('POST', `${path(props.tenantId)}/keys`, {
          body: name.trim() ? { name: name.trim() } : {},
        }),
      );
      setName('');
      void keys.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    try {
      await api('DELETE', `${path(props.tenantId)}/keys/${encodeURIComponent(id)}`);
      void keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card">
      <h2>{t('keysTitle')}</h2>
      <p className="help">{t('keysHelp')}</p>
      {fresh ? (
        <div className="notice warning" role="alert" data-testid="new-key">
          <strong>{t('newKeyTitle')}</strong>
          <p>{t('newKeyWarning')}</p>
          <p className="row wrap">
            <code className="value break" data-testid="new-key-value">
              {fresh.key}
            </code>
            <CopyButton value={fresh.key} label={t('newKeyTitle')} />
          </p>
          <button type="button" onClick={() => setFresh(undefined)}>
            {t('newKeyDone')}
          </button>
        </div>
      ) : null}
      <form className="inline-form" onSubmit={create} noValidate>
        <label htmlFor="key-name">{t('keyName')}</label>
        <div className="row">
          <input
            id="key-name"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            {t('createKey')}
          </button>
        </div>
        <FieldError field="name" error={error} />
        <FormError error={error} fields={['name']} />
      </form>
      <Loaded state={keys}>
        {(data) => (
          <DataTable
            kind="adm-table"
            testId="keys"
            head={[t('name'), t('prefix'), t('created'), t('lastUsed'), t('status'), null]}
            items={data.items}
            row={(k) => (
              <tr key={k.id} data-key-prefix={k.prefix}>
                <td>{k.name || '—'}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>
                  <RelativeTime at={k.created_at} />
                </td>
                <td>
                  <RelativeTime at={k.last_used_at} />
                </td>
                <td>
                  {k.revoked_at ? (
                    <span className="badge s1">
                      {t('revokedAt')} <RelativeTime at={k.revoked_at} absolute={false} />
                    </span>
                  ) : (
                    <span className="badge s0">{t('active')}</span>
                  )}
                </td>
                <td>
                  {k.revoked_at ? null : (
                    <ConfirmButton question={t('revokeQuestion')} onConfirm={() => revoke(k.id)}>
                      {t('revoke')}
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            )}
            empty={t('noKeys')}
          />
        )}
      </Loaded>
    </section>
  );
}

/** One tenant: name and ext data, self-upgrade, its mini programs, and its API keys. */
export function TenantDetailPage(props: PageProps) {
  const t = useT(messages);
  const id = props.params['id'] ?? '';
  const state = useApi(() => get<Tenant>(path(id)), [id]);
  return (
    <>
      <p>
        <Link to="/tenants">{t('back')}</Link>
      </p>
      <Loaded state={state}>
        {(tenant) => (
          <>
            <PageHeader title={tenant.name}>
              <code className="muted">{tenant.id}</code>
            </PageHeader>
            <div className="grid two">
              <section className="card">
                <h2>{t('edit')}</h2>
                <EditForm tenant={tenant} onSaved={(x) => state.setData(x)} />
              </section>
              <section className="card">
                <SelfUpgrade tenant={tenant} onSaved={(x) => state.setData(x)} />
                <TokenAccess tenant={tenant} onSaved={(x) => state.setData(x)} />
                <h2>{t('mpTitle')}</h2>
                {tenant.appids.length === 0 ? (
                  <p className="muted">{t('mpNone')}</p>
                ) : (
                  <ul className="compact" data-testid="tenant-appids">
                    {tenant.appids.map((a) => (
                      <li key={a}>
                        <Link to={`/authorizers/${a}`}>{a}</Link>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </div>
            <Keys tenantId={tenant.id} />
          </>
        )}
      </Loaded>
    </>
  );
}
