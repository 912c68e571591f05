import { Fragment, useState, type FormEvent } from 'react';
import { get } from '../../api.ts';
import type { AuditEntry, AuditPage, SignInAttemptPage } from '../../api-types.ts';
import { ChoiceSelect } from '../../components/choice-select.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { FieldError } from '../../components/field-error.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { FilteredLog } from '../../components/filtered-log.tsx';
import { useT } from '../../i18n.ts';
import { navigate } from '../../router.tsx';
import { getWho } from '../../session.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';

const LIMIT = 30;
const FILTERS = ['actor', 'route', 'method', 'appid'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

function FilterForm(props: { current: Filters; error: unknown }) {
  const t = useT(messages);
  const [f, setF] = useState<Filters>(props.current);
  const set = (k: keyof Filters, v: string) => setF({ ...f, [k]: v });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of FILTERS) if (f[k].trim()) q.set(k, f[k].trim());
    const s = q.toString();
    navigate(`/audit${s ? `?${s}` : ''}`, { replace: true });
  };
  return (
    <form className="adm-filters" onSubmit={submit} noValidate>
      <div>
        <label htmlFor="audit-actor">{t('actor')}</label>
        <input
          id="audit-actor"
          value={f.actor}
          maxLength={64}
          placeholder={t('actorPlaceholder')}
          onChange={(e) => set('actor', e.target.value)}
        />
        <FieldError field="actor" error={props.error} />
      </div>
      <div>
        <label htmlFor="audit-route">{t('route')}</label>
        <input
          id="audit-route"
          value={f.route}
          maxLength={200}
          placeholder="/api/admin/tenants/:id"
          onChange={(e) => set('route', e.target.value)}
        />
        <FieldError field="route" error={props.error} />
      </div>
      <div>
        <label htmlFor="audit-method">{t('method')}</label>
        <ChoiceSelect
          id="audit-method"
          value={f.method}
          onChange={(v) => set('method', v)}
          any={t('anyMethod')}
          choices={METHODS.map((m) => [m, m])}
        />
      </div>
      <div>
        <label htmlFor="audit-appid">{t('appid')}</label>
        <input
          id="audit-appid"
          value={f.appid}
          maxLength={64}
          placeholder="wx…"
          onChange={(e) => set('appid', e.target.value)}
        />
        <FieldError field="appid" error={props.error} />
      </div>
      <div className="row adm-filter-buttons">
        <button type="submit" className="primary">
          {t('filter')}
        </button>
        <button type="button" onClick={() => navigate('/audit', { replace: true })}>
          {t('clear')}
        </button>
      </div>
    </form>
  );
}

function Json(props: { label: string; value: unknown }) {
  if (props.value === null || props.value === undefined) return null;
  return (
    <div>
      <strong>{props.label}</strong>
      <pre className="json-block">{JSON.stringify(props.value, null, 2)}</pre>
    </div>
  );
}

function EntryRow(props: { e: AuditEntry }) {
  const t = useT(messages);
  const [open, setOpen] = useState(false);
  const { e } = props;
  const who = e.actor.kind === 'operator' ? (e.actor.name ?? e.actor.id ?? '?') : t('adminToken');
  return (
    <Fragment>
      <tr data-audit={e.id}>
        <td>
          <RelativeTime at={e.at} />
        </td>
        <td data-testid="audit-actor">{who}</td>
        <td>
          <code>
            {e.method} {e.route}
          </code>
        </td>
        <td>
          <code>{e.appid ?? '—'}</code>
        </td>
        <td>
          <span className={e.status < 400 ? 'badge s0' : 'badge s1'}>{e.status}</span>
        </td>
        <td>{e.ip}</td>
        <td>
          <button type="button" className="link-button" onClick={() => setOpen(!open)}>
            {open ? t('hideDetails') : t('details')}
          </button>
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={7}>
            <p className="help">
              {t('requestId')}: <code>{e.requestId}</code>
            </p>
            <Json label={t('body')} value={e.body} />
            <Json label={t('before')} value={e.before} />
            <Json label={t('after')} value={e.after} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

/** Sign-in attempts (admins): who tried, from where, and how it ended. */
function SignIns() {
  const t = useT(messages);
  const [failed, setFailed] = useState(false);
  const [before, setBefore] = useState<number | undefined>();
  const state = useApi(
    () =>
      get<SignInAttemptPage>('/api/admin/sign-ins', {
        limit: LIMIT,
        before,
        failed: failed || undefined,
      }),
    [failed, before],
  );
  return (
    <section className="card">
      <div className="page-header">
        <h2>{t('signIns')}</h2>
        <label className="adm-check">
          <input
            type="checkbox"
            checked={failed}
            onChange={(e) => {
              setBefore(undefined);
              setFailed(e.target.checked);
            }}
          />
          {t('onlyFailed')}
        </label>
      </div>
      <p className="help">{t('signInsIntro')}</p>
      <Loaded state={state}>
        {(page) => (
          <DataTable
            kind="adm-table"
            testId="sign-ins"
            head={[t('at'), t('username'), t('address'), t('outcome')]}
            items={page.items}
            row={(a) => (
              <tr key={a.id} data-outcome={a.outcome}>
                <td>
                  <RelativeTime at={a.at} />
                </td>
                <td>{a.username}</td>
                <td>{a.ip}</td>
                <td>
                  <span className={a.outcome === 'ok' ? 'badge s0' : 'badge s1'}>
                    {t(`out_${a.outcome}`)}
                  </span>
                </td>
              </tr>
            )}
            empty={t('noSignIns')}
            footer={
              <Pagination
                kind="cursor"
                next={page.next}
                atStart={before === undefined}
                onNext={(c) => setBefore(Number(c))}
                onFirst={() => setBefore(undefined)}
              />
            }
          />
        )}
      </Loaded>
    </section>
  );
}

/** The audit trail (filters in the URL), and for admins the sign-in attempts. */
export function AuditPage() {
  const t = useT(messages);
  return (
    <FilteredLog<(typeof FILTERS)[number], AuditEntry>
      title={t('title')}
      intro={t('intro')}
      path="/api/admin/audit"
      filters={FILTERS}
      limit={LIMIT}
      form={(current, error) => <FilterForm current={current} error={error} />}
      testId="audit"
      head={[t('at'), t('actor'), t('route'), t('appid'), t('status'), t('address'), '']}
      row={(e) => <EntryRow key={e.id} e={e} />}
      empty={t('none')}
    >
      {getWho().role === 'admin' ? <SignIns /> : null}
    </FilteredLog>
  );
}
