import { useState } from 'react';
import { api, get } from '../../api.ts';
import type { TenantPage } from '../../api-types.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, Loaded, useErrorText } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { ProfileForm } from './form.tsx';
import { messages } from './messages.ts';
import { SERVER_KINDS, type Profile } from './types.ts';

const path = (id: string) => `/api/admin/profiles/${encodeURIComponent(id)}`;

function Summary(props: { p: Profile }) {
  const t = useT(messages);
  const { p } = props;
  const domains = SERVER_KINDS.reduce((n, k) => n + (p.server_domains?.[k]?.length ?? 0), 0);
  const parts = [
    domains ? t('summaryDomains', { n: domains }) : '',
    p.webview_domains?.length ? t('summaryWebview', { n: p.webview_domains.length }) : '',
    p.categories?.length ? t('summaryCategories', { n: p.categories.length }) : '',
    p.privacy ? t('summaryPrivacy') : '',
  ].filter(Boolean);
  return <span className="muted">{parts.join(' · ') || '—'}</span>;
}

function Assign(props: {
  profile: Profile;
  tenants: TenantPage | undefined;
  onChanged: (note: string) => void;
  onError: (err: unknown) => void;
}) {
  const t = useT(messages);
  const [tenantId, setTenantId] = useState('');
  const [busy, setBusy] = useState(false);
  const nameOf = (id: string) => props.tenants?.items.find((x) => x.id === id)?.name ?? id;
  const put = async (tid: string, profileId: string | null) => {
    setBusy(true);
    try {
      await api('PUT', `/api/admin/tenants/${encodeURIComponent(tid)}/profile`, {
        body: { profile_id: profileId },
      });
      props.onChanged(
        profileId
          ? t('assigned', { profile: props.profile.name, tenant: nameOf(tid) })
          : t('unassigned', { tenant: nameOf(tid) }),
      );
      setTenantId('');
    } catch (err) {
      props.onError(err);
    } finally {
      setBusy(false);
    }
  };
  const selectId = `assign-${props.profile.id}`;
  return (
    <div className="adm-assign">
      <p className="muted small">{t('tenants')}:</p>
      {props.profile.tenant_ids.length === 0 ? (
        <p className="muted small">{t('noTenants')}</p>
      ) : (
        <ul className="compact">
          {props.profile.tenant_ids.map((id) => (
            <li key={id}>
              <Link to={`/tenants/${encodeURIComponent(id)}`}>{nameOf(id)}</Link>{' '}
              <button
                type="button"
                className="small-button"
                disabled={busy}
                onClick={() => void put(id, null)}
              >
                {t('unassign')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <select
          id={selectId}
          aria-label={t('assignTitle')}
          value={tenantId}
          onChange={(e) => setTenantId(e.target.value)}
        >
          <option value="">{t('pickTenant')}</option>
          {props.tenants?.items.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={busy || !tenantId}
          onClick={() => void put(tenantId, props.profile.id)}
        >
          {t('assign')}
        </button>
      </div>
    </div>
  );
}

/** Profiles: list with default, tenants and actions; a form to create or edit one. */
export function ProfilesPage() {
  const t = useT(messages);
  const text = useErrorText();
  const state = useApi(() => get<{ items: Profile[] }>('/api/admin/profiles'), []);
  const tenants = useApi(() => get<TenantPage>('/api/admin/tenants', { limit: 200 }), []);
  const [editing, setEditing] = useState<Profile | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const act = async (run: () => Promise<unknown>) => {
    setNote(undefined);
    setError(undefined);
    try {
      await run();
      await state.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHeader title={t('title')} />
      <p className="help">{t('intro')}</p>
      {note ? (
        <p className="notice ok" role="status">
          {note}
        </p>
      ) : null}
      {error !== undefined ? (
        <p className="form-error" role="alert">
          {text(error)}
        </p>
      ) : null}
      <div className="grid two">
        <section className="card">
          <Loaded state={state}>
            {(data) =>
              data.items.length === 0 ? (
                <Empty>{t('none')}</Empty>
              ) : (
                <ul className="adm-list" data-testid="profiles">
                  {data.items.map((p) => (
                    <li key={p.id} data-profile={p.name}>
                      <strong>{p.name}</strong>{' '}
                      {p.default ? <span className="badge s0">{t('default')}</span> : null}
                      <div>
                        <Summary p={p} />
                      </div>
                      <div className="muted small">
                        {t('updated')} <RelativeTime at={p.updated_at} absolute={false} />
                      </div>
                      <div className="row wrap">
                        <button
                          type="button"
                          onClick={() => {
                            setEditing(p);
                            window.scrollTo(0, 0);
                          }}
                        >
                          {t('edit')}
                        </button>
                        {p.default ? null : (
                          <button
                            type="button"
                            onClick={() => void act(() => api('PUT', `${path(p.id)}/default`))}
                          >
                            {t('setDefault')}
                          </button>
                        )}
                        {p.default ? null : (
                          <ConfirmButton
                            question={t('deleteQuestion')}
                            onConfirm={() =>
                              act(async () => {
                                await api('DELETE', path(p.id));
                                if (editing?.id === p.id) setEditing(undefined);
                              })
                            }
                          >
                            {t('delete')}
                          </ConfirmButton>
                        )}
                      </div>
                      <Assign
                        profile={p}
                        tenants={tenants.data}
                        onChanged={(n) => {
                          setNote(n);
                          setError(undefined);
                          void state.reload();
                        }}
                        onError={setError}
                      />
                    </li>
                  ))}
                </ul>
              )
            }
          </Loaded>
        </section>
        <section className="card">
          <div className="page-header">
            <h2>{editing ? t('editTitle', { name: editing.name }) : t('newProfile')}</h2>
            {editing ? (
              <button type="button" onClick={() => setEditing(undefined)}>
                {t('cancelEdit')}
              </button>
            ) : null}
          </div>
          <ProfileForm
            key={editing?.id ?? 'new'}
            {...(editing ? { profile: editing } : {})}
            onSaved={(p) => {
              setNote(t('savedOk', { name: p.name }));
              setEditing(undefined);
              void state.reload();
            }}
          />
        </section>
      </div>
    </>
  );
}
