import { useEffect, useState, type FormEvent } from 'react';
import { get } from '../../api.ts';
import type { TenantPage } from '../../api-types.ts';
import { ChoiceSelect } from '../../components/choice-select.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { NeedsAttentionBadge, useTokenFailureText } from './attention-reason.tsx';
import { messages } from './messages.ts';
import {
  FILTER_KEYS,
  type AuthorizerListItem,
  type AuthorizerListPage,
  type Filters,
} from './types.ts';

const LIMIT = 20;

/** The choices of each select filter (the values the API accepts). */
const CHOICES = {
  type: ['miniprogram', 'officialaccount'],
  status: ['authorized', 'revoked'],
  audit: ['in_flight', 'failed', 'passed'],
  token: ['failing', 'ok', 'needs_attention'],
  drift: ['drifted', 'in_sync'],
} as const;
type SelectKey = keyof typeof CHOICES;

function filtersOf(search: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of FILTER_KEYS) {
    const v = search.get(k);
    if (v) f[k] = v;
  }
  return f;
}

/** Replaces the query string: the list follows it, so links and the back button work. */
function go(filters: Filters, offset = 0) {
  const params = new URLSearchParams();
  for (const k of FILTER_KEYS) if (filters[k]) params.set(k, filters[k] as string);
  if (offset > 0) params.set('offset', String(offset));
  const qs = params.toString();
  navigate(qs ? `/authorizers?${qs}` : '/authorizers', { replace: true });
}

function TokenCell(props: { item: AuthorizerListItem }) {
  const t = useT(messages);
  const failureText = useTokenFailureText();
  const { token } = props.item;
  if (props.item.needs_attention) {
    return (
      <NeedsAttentionBadge reason={props.item.attention_reason}>
        {t('tokenNeedsAttention')}
      </NeedsAttentionBadge>
    );
  }
  if (token.failures > 0) {
    return (
      <span className="badge authz-bad" title={failureText(token.last_error)} data-token="failing">
        {t('tokenFailing', { n: token.failures })}
      </span>
    );
  }
  if (!token.expires_at) return <span className="muted">{t('tokenNone')}</span>;
  return (
    <span className="badge authz-good" data-token="ok">
      {t('tokenOk')}
    </span>
  );
}

function Row(props: { item: AuthorizerListItem; tenants: Map<string, string> }) {
  const t = useT(messages);
  const a = props.item;
  return (
    <tr data-appid={a.appid}>
      <td data-label={t('appid')}>
        <Link to={`/authorizers/${a.appid}`}>
          <code>{a.appid}</code>
        </Link>
      </td>
      <td data-label={t('nickname')}>{a.nickname ?? '—'}</td>
      <td data-label={t('type')}>{t(`type_${a.type}`)}</td>
      <td data-label={t('tenant')}>
        {a.tenant_id ? (props.tenants.get(a.tenant_id) ?? a.tenant_id) : '—'}
      </td>
      <td data-label={t('status')}>
        <span className={`badge ${a.status === 'authorized' ? 'authz-good' : 'authz-bad'}`}>
          {t(`status_${a.status}`)}
        </span>
      </td>
      <td data-label={t('releasedVersion')}>
        {a.released ? (
          <span title={a.released.at}>
            {a.released.user_version ?? '?'} <RelativeTime at={a.released.at} absolute={false} />
          </span>
        ) : (
          <span className="muted">{t('noReleased')}</span>
        )}
        {a.audit_state ? (
          <span className={`badge authz-audit-${a.audit_state}`} data-audit={a.audit_state}>
            {t(`state_${a.audit_state}` as 'state_auditing')}
          </span>
        ) : null}
      </td>
      <td data-label={t('token')}>
        <TokenCell item={a} />
      </td>
      <td data-label={t('drift')}>
        {a.drift ? (
          <span className="badge authz-bad" data-drift="drifted">
            {t('driftCount', { n: a.drift.differences })}
          </span>
        ) : (
          <span className="muted">{t('noDrift')}</span>
        )}
      </td>
    </tr>
  );
}

/** Every authorizer, searchable and filtered by the query string; paginated on the server. */
export function AuthorizersPage() {
  const t = useT(messages);
  const { search } = useLocation();
  const filters = filtersOf(search);
  const offset = Math.max(0, Number(search.get('offset')) || 0);
  const key = `${JSON.stringify(filters)}|${offset}`;
  const state = useApi(
    () => get<AuthorizerListPage>('/api/admin/authorizers', { ...filters, limit: LIMIT, offset }),
    [key],
  );
  const tenants = useApi(() => get<TenantPage>('/api/admin/tenants', { limit: 200 }), []);
  const tenantNames = new Map((tenants.data?.items ?? []).map((x) => [x.id, x.name]));
  const [q, setQ] = useState(filters.q ?? '');
  const [version, setVersion] = useState(filters.released_version ?? '');
  useEffect(() => {
    setQ(filters.q ?? '');
    setVersion(filters.released_version ?? '');
  }, [filters.q, filters.released_version]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    go({ ...filters, q: q.trim(), released_version: version.trim() });
  };
  const select = (k: SelectKey) => (
    <div className="authz-filter" key={k}>
      <label htmlFor={`f-${k}`}>{t(k)}</label>
      <ChoiceSelect
        id={`f-${k}`}
        value={filters[k] ?? ''}
        onChange={(v) => go({ ...filters, [k]: v })}
        any={t('any')}
        choices={CHOICES[k].map((v) => [v, t(`${k}_${v}` as 'type_miniprogram')])}
      />
    </div>
  );

  return (
    <>
      <PageHeader title={t('title')} />
      <form className="card authz-filters" onSubmit={submit} role="search" noValidate>
        <div className="authz-filter wide">
          <label htmlFor="f-q">{t('search')}</label>
          <div className="row">
            <input
              id="f-q"
              type="search"
              value={q}
              maxLength={100}
              placeholder={t('searchPlaceholder')}
              onChange={(e) => setQ(e.target.value)}
            />
            <button type="submit">{t('search')}</button>
          </div>
        </div>
        {select('type')}
        <div className="authz-filter">
          <label htmlFor="f-tenant_id">{t('tenant')}</label>
          <ChoiceSelect
            id="f-tenant_id"
            value={filters.tenant_id ?? ''}
            onChange={(v) => go({ ...filters, tenant_id: v })}
            any={t('any')}
            choices={(tenants.data?.items ?? []).map((x) => [x.id, x.name])}
          />
        </div>
        {select('status')}
        <div className="authz-filter">
          <label htmlFor="f-released_version">{t('releasedVersion')}</label>
          <input
            id="f-released_version"
            value={version}
            maxLength={64}
            placeholder={t('releasedVersionPlaceholder')}
            onChange={(e) => setVersion(e.target.value)}
            onBlur={() =>
              version.trim() !== (filters.released_version ?? '') &&
              go({ ...filters, released_version: version.trim() })
            }
          />
        </div>
        {select('audit')}
        {select('token')}
        {select('drift')}
        <div className="authz-filter">
          <button type="button" className="link-button authz-clear" onClick={() => go({})}>
            {t('clear')}
          </button>
        </div>
      </form>
      <Loaded state={state}>
        {(page) => (
          <section className="card">
            <p className="muted" data-testid="authorizers-total">
              {t('totalFound', { total: page.total })}
            </p>
            <DataTable
              kind="authz-table"
              testId="authorizers-table"
              head={[
                t('appid'),
                t('nickname'),
                t('type'),
                t('tenant'),
                t('status'),
                t('releasedVersion'),
                t('token'),
                t('drift'),
              ]}
              items={page.items}
              row={(a) => <Row key={a.appid} item={a} tenants={tenantNames} />}
              empty={t('none')}
            />
            <Pagination
              kind="offset"
              offset={offset}
              limit={LIMIT}
              total={page.total}
              onChange={(o) => go(filters, o)}
            />
          </section>
        )}
      </Loaded>
    </>
  );
}
