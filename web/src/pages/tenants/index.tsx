import { useState } from 'react';
import { api, get } from '../../api.ts';
import type { Tenant, TenantPage } from '../../api-types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link, navigate } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { TenantForm } from './form.tsx';
import { messages } from './messages.ts';

const LIMIT = 20;

export function upgradeLabel(
  t: (key: 'upgradeDefault' | 'upgradeTrue' | 'upgradeFalse') => string,
  v: boolean | null,
): string {
  return v === null ? t('upgradeDefault') : v ? t('upgradeTrue') : t('upgradeFalse');
}

function NewTenantForm(props: { onCreated: (x: Tenant) => void }) {
  const t = useT(messages);
  return (
    <TenantForm
      id="new-tenant"
      send={async (body) => {
        props.onCreated(await api<Tenant>('POST', '/api/admin/tenants', { body }));
      }}
    >
      {({ busy }) => (
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('creating') : t('create')}
        </button>
      )}
    </TenantForm>
  );
}

/** Tenants: search, pages of 20, and a new tenant. */
export function TenantsPage() {
  const t = useT(messages);
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  const state = useApi(
    () => get<TenantPage>('/api/admin/tenants', { q: query, limit: LIMIT, offset }),
    [query, offset],
  );
  return (
    <>
      <PageHeader title={t('title')} />
      <p className="help">{t('intro')}</p>
      <div className="grid two">
        <section className="card">
          <form
            className="row"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setOffset(0);
              setQuery(q.trim());
            }}
          >
            <input
              aria-label={t('search')}
              placeholder={t('search')}
              value={q}
              maxLength={200}
              onChange={(e) => setQ(e.target.value)}
            />
            <button type="submit">{t('searchButton')}</button>
          </form>
          <Loaded state={state}>
            {(page) => (
              <DataTable
                kind="adm-table"
                testId="tenants"
                head={[t('name'), t('miniPrograms'), t('selfUpgrade'), t('created')]}
                items={page.items}
                row={(x) => (
                  <tr key={x.id}>
                    <td>
                      <Link to={`/tenants/${encodeURIComponent(x.id)}`}>{x.name}</Link>
                      <div className="muted small">{x.id}</div>
                    </td>
                    <td>{x.appids.length}</td>
                    <td>{upgradeLabel(t, x.self_upgrade)}</td>
                    <td>
                      <RelativeTime at={x.created_at} absolute={false} />
                    </td>
                  </tr>
                )}
                empty={t('none')}
                footer={
                  <Pagination
                    kind="offset"
                    offset={offset}
                    limit={LIMIT}
                    total={page.total}
                    onChange={setOffset}
                  />
                }
              />
            )}
          </Loaded>
        </section>
        <section className="card">
          <h2>{t('newTenant')}</h2>
          <NewTenantForm onCreated={(x) => navigate(`/tenants/${encodeURIComponent(x.id)}`)} />
        </section>
      </div>
    </>
  );
}
