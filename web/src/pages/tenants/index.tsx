import { useState, type FormEvent } from 'react';
import { api, get } from '../../api.ts';
import type { Tenant, TenantPage } from '../../api-types.ts';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link, navigate } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { parseExt } from './ext-json.ts';
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
  const [name, setName] = useState('');
  const [ext, setExt] = useState('');
  const [local, setLocal] = useState<{ name?: string; ext?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const errs: { name?: string; ext?: string } = {};
    if (!name.trim()) errs.name = t('nameMissing');
    const parsed = parseExt(ext);
    if (!parsed.ok)
      errs.ext =
        parsed.reason === null ? t('extNotObject') : t('extInvalid', { reason: parsed.reason });
    setLocal(errs);
    if (errs.name || errs.ext || !parsed.ok) return;
    setBusy(true);
    try {
      const created = await api<Tenant>('POST', '/api/admin/tenants', {
        body: { name: name.trim(), ext: parsed.value },
      });
      setName('');
      setExt('');
      props.onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <label htmlFor="new-tenant-name">{t('name')}</label>
      <input
        id="new-tenant-name"
        value={name}
        maxLength={200}
        aria-invalid={local.name ? true : undefined}
        onChange={(e) => setName(e.target.value)}
      />
      <FieldError field="name" local={local.name} error={error} />
      <label htmlFor="new-tenant-ext">{t('ext')}</label>
      <textarea
        id="new-tenant-ext"
        className="code"
        rows={4}
        value={ext}
        placeholder="{}"
        aria-invalid={local.ext ? true : undefined}
        onChange={(e) => setExt(e.target.value)}
      />
      <p className="help">{t('extHelp')}</p>
      <FieldError field="ext" local={local.ext} error={error} />
      <FormError error={error} fields={['name', 'ext']} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('creating') : t('create')}
      </button>
    </form>
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
            {(page) =>
              page.items.length === 0 ? (
                <Empty>{t('none')}</Empty>
              ) : (
                <>
                  <div className="adm-table-wrap">
                    <table className="adm-table" data-testid="tenants">
                      <thead>
                        <tr>
                          <th>{t('name')}</th>
                          <th>{t('miniPrograms')}</th>
                          <th>{t('selfUpgrade')}</th>
                          <th>{t('created')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {page.items.map((x) => (
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
                        ))}
                      </tbody>
                    </table>
                  </div>
                  <Pagination
                    kind="offset"
                    offset={offset}
                    limit={LIMIT}
                    total={page.total}
                    onChange={setOffset}
                  />
                </>
              )
            }
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
