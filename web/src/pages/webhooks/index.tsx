import { useState, type FormEvent } from 'react';
import { api, get } from '../../api.ts';
import type { TenantPage } from '../../api-types.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { ChoiceSelect } from '../../components/choice-select.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, Loaded, useErrorText } from '../../components/states.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { useT } from '../../i18n.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { DeliveryError } from './delivery-error.tsx';
import { messages } from './messages.ts';
import { RotateSecret } from './rotate-secret.tsx';
import { SecretNotice } from './secret-notice.tsx';
import {
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryPage,
  type DeliveryStatus,
  type NewWebhook,
  type Webhook,
} from './types.ts';

const LIMIT = 20;
const isStatus = (v: string | null): v is DeliveryStatus =>
  DELIVERY_STATUSES.includes(v as DeliveryStatus);

function NewWebhookForm(props: { tenants: TenantPage | undefined; onCreated: () => void }) {
  const t = useT(messages);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('');
  const [tenantId, setTenantId] = useState('');
  const [receiveSecrets, setReceiveSecrets] = useState(false);
  const [local, setLocal] = useState<{ url?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | undefined>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const u = url.trim();
    if (!/^https?:\/\/[^\s/]+/i.test(u)) return setLocal({ url: t('urlInvalid') });
    setLocal({});
    const types = events.split(/[\s,，]+/).filter(Boolean);
    const body: NewWebhook = {
      url: u,
      ...(types.length ? { events: types } : {}),
      ...(tenantId ? { tenant_id: tenantId } : {}),
      receive_secrets: receiveSecrets,
    };
    setBusy(true);
    try {
      const created = await api<Webhook & { secret: string }>('POST', '/api/admin/webhooks', {
        body,
      });
      setSecret(created.secret);
      setUrl('');
      setEvents('');
      setReceiveSecrets(false);
      props.onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {secret ? <SecretNotice secret={secret} onDone={() => setSecret(undefined)} /> : null}
      <form onSubmit={submit} noValidate>
        <label htmlFor="webhook-url">{t('url')}</label>
        <input
          id="webhook-url"
          type="url"
          value={url}
          placeholder="https://"
          maxLength={2048}
          aria-invalid={local.url ? true : undefined}
          onChange={(e) => setUrl(e.target.value)}
        />
        <FieldError field="url" local={local.url} error={error} />
        <label htmlFor="webhook-events">{t('events')}</label>
        <input id="webhook-events" value={events} onChange={(e) => setEvents(e.target.value)} />
        <p className="help">{t('eventsHelp')}</p>
        <FieldError field="events" error={error} />
        <label htmlFor="webhook-tenant">{t('tenant')}</label>
        <ChoiceSelect
          id="webhook-tenant"
          value={tenantId}
          onChange={setTenantId}
          any={t('anyTenant')}
          choices={(props.tenants?.items ?? []).map((x) => [x.id, x.name])}
        />
        <FieldError field="tenant_id" error={error} />
        <label className="adm-check">
          <input
            type="checkbox"
            checked={receiveSecrets}
            onChange={(e) => setReceiveSecrets(e.target.checked)}
          />
          {t('receiveSecrets')}
        </label>
        <p className="help">{t('receiveSecretsHelp')}</p>
        <FormError error={error} fields={['url', 'events', 'tenant_id', 'receive_secrets']} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('creating') : t('create')}
        </button>
      </form>
    </>
  );
}

function Deliveries(props: { hooks: Webhook[] }) {
  const t = useT(messages);
  const text = useErrorText();
  const { search } = useLocation();
  const status = isStatus(search.get('status')) ? (search.get('status') as DeliveryStatus) : '';
  const hookId = search.get('webhook') ?? '';
  const [before, setBefore] = useState<number | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const state = useApi(
    () =>
      get<DeliveryPage>(
        hookId
          ? `/api/admin/webhooks/${encodeURIComponent(hookId)}/deliveries`
          : '/api/admin/webhook-deliveries',
        { status, before, limit: LIMIT },
      ),
    [hookId, status, before],
  );
  const setFilter = (k: 'status' | 'webhook', v: string) => {
    const next = new URLSearchParams(search);
    if (v) next.set(k, v);
    else next.delete(k);
    setBefore(undefined);
    const q = next.toString();
    navigate(`/webhooks${q ? `?${q}` : ''}`, { replace: true });
  };
  const urlOf = (id: string) => props.hooks.find((h) => h.id === id)?.url ?? id;
  const redeliver = async (d: Delivery) => {
    setNote(undefined);
    setActionError(undefined);
    try {
      await api(
        'POST',
        `/api/admin/webhooks/${encodeURIComponent(d.webhook_id)}/deliveries/${d.id}/redeliver`,
      );
      setNote(t('redelivered', { id: d.id }));
      void state.reload();
    } catch (err) {
      setActionError(err);
    }
  };
  return (
    <section className="card" data-testid="deliveries">
      <div className="page-header">
        <h2>{t('deliveriesTitle')}</h2>
        <RefreshButton state={state} />
      </div>
      <div className="row wrap adm-filters">
        <label>
          {t('webhook')}
          <ChoiceSelect
            value={hookId}
            onChange={(v) => setFilter('webhook', v)}
            any={t('allWebhooks')}
            choices={props.hooks.map((h) => [h.id, h.url])}
          />
        </label>
        <label>
          {t('status')}
          <ChoiceSelect
            id="delivery-status"
            value={status}
            onChange={(v) => setFilter('status', v)}
            any={t('anyStatus')}
            choices={DELIVERY_STATUSES.map((s) => [s, t(`st_${s}`)])}
          />
        </label>
      </div>
      {note ? <p className="notice ok">{note}</p> : null}
      {actionError !== undefined ? <p className="form-error">{text(actionError)}</p> : null}
      <Loaded state={state}>
        {(page) => (
          <DataTable
            kind="adm-table"
            head={[
              '#',
              t('event'),
              t('webhook'),
              t('status'),
              t('attempts'),
              t('lastResult'),
              t('lastAttempt'),
              t('nextAttempt'),
              null,
            ]}
            items={page.items}
            row={(d) => (
              <tr key={d.id} data-delivery={d.id} data-status={d.status}>
                <td>{d.id}</td>
                <td>
                  <Link to={`/events/${d.event_id}`}>
                    {d.event_type} #{d.event_id}
                  </Link>
                </td>
                <td className="break">{urlOf(d.webhook_id)}</td>
                <td>
                  <span className={`badge adm-st-${d.status}`}>{t(`st_${d.status}`)}</span>
                </td>
                <td>{d.attempts}</td>
                <td className="break">
                  {d.last_status_code !== null && !d.last_error_code
                    ? `HTTP ${d.last_status_code}`
                    : ''}
                  <DeliveryError delivery={d} />
                </td>
                <td>
                  <RelativeTime at={d.last_attempt_at} absolute={false} />
                </td>
                <td>
                  {d.next_attempt_at ? (
                    <RelativeTime at={d.next_attempt_at} absolute={false} />
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  <button type="button" onClick={() => void redeliver(d)}>
                    {t('redeliver')}
                  </button>
                </td>
              </tr>
            )}
            empty={t('noDeliveries')}
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

/** Webhooks: subscriptions, a new one (its secret shown once), and deliveries with redeliver. */
export function WebhooksPage() {
  const t = useT(messages);
  const text = useErrorText();
  const hooks = useApi(() => get<{ items: Webhook[] }>('/api/admin/webhooks'), []);
  const tenants = useApi(() => get<TenantPage>('/api/admin/tenants', { limit: 200 }), []);
  const [error, setError] = useState<unknown>();
  const tenantName = (id: string | null) =>
    id === null ? t('anyTenant') : (tenants.data?.items.find((x) => x.id === id)?.name ?? id);
  const remove = async (id: string) => {
    setError(undefined);
    try {
      await api('DELETE', `/api/admin/webhooks/${encodeURIComponent(id)}`);
      void hooks.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHeader title={t('title')} />
      <p className="help">{t('intro')}</p>
      <div className="grid two">
        <section className="card">
          <h2>{t('listTitle')}</h2>
          {error !== undefined ? <p className="form-error">{text(error)}</p> : null}
          <Loaded state={hooks}>
            {(data) =>
              data.items.length === 0 ? (
                <Empty>{t('noHooks')}</Empty>
              ) : (
                <ul className="adm-list" data-testid="webhooks">
                  {data.items.map((h) => (
                    <li key={h.id}>
                      <code className="value break">{h.url}</code>
                      <div className="muted small">
                        {t('events')}: {h.events ? h.events.join(', ') : t('allEvents')} ·{' '}
                        {t('tenant')}: {tenantName(h.tenant_id)}
                        {h.receive_secrets ? (
                          <>
                            {' '}
                            · <span className="badge s1">{t('secretsShort')}</span>
                          </>
                        ) : null}{' '}
                        · {t('created')} <RelativeTime at={h.created_at} absolute={false} />
                      </div>
                      <div className="muted small" data-testid="secret-state">
                        {h.secret_format === 'legacy' ? (
                          <span className="badge s1" title={t('legacySecretHelp')}>
                            {t('legacySecret')}
                          </span>
                        ) : (
                          t('standardSecret')
                        )}
                        {h.secret_rotated_at ? (
                          <>
                            {' '}
                            · {t('rotatedAt')}{' '}
                            <RelativeTime at={h.secret_rotated_at} absolute={false} />
                          </>
                        ) : null}
                        {h.previous_secret_expires_at ? (
                          <>
                            {' '}
                            · {t('previousValidUntil')}{' '}
                            <RelativeTime at={h.previous_secret_expires_at} absolute={false} />
                          </>
                        ) : null}
                      </div>
                      <div className="row wrap">
                        <RotateSecret hook={h} onRotated={() => void hooks.reload()} />
                        <ConfirmButton
                          question={t('deleteQuestion')}
                          onConfirm={() => remove(h.id)}
                        >
                          {t('delete')}
                        </ConfirmButton>
                      </div>
                    </li>
                  ))}
                </ul>
              )
            }
          </Loaded>
        </section>
        <section className="card">
          <h2>{t('newTitle')}</h2>
          <NewWebhookForm tenants={tenants.data} onCreated={() => void hooks.reload()} />
        </section>
      </div>
      <Deliveries hooks={hooks.data?.items ?? []} />
    </>
  );
}
