import { useState, type FormEvent, type ReactNode } from 'react';
import { api, get } from '../../api.ts';
import type { TenantPage } from '../../api-types.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, Loaded } from '../../components/states.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { regMessages } from './registration-messages.ts';
import type { Registration, RegistrationStatus } from './types.ts';

const STATUSES: readonly RegistrationStatus[] = [
  'pending',
  'awaiting_legal_person',
  'awaiting_user',
  'succeeded',
  'failed',
];

type RegKey = keyof typeof regMessages.zh;
const regKnown = (k: string): k is RegKey => Object.hasOwn(regMessages.zh, k);

/**
 * A registration's progress or failure from its code: a failure names WeChat's status and, for
 * the statuses WeChat documents, what it means. Without a code, the stored text.
 */
function useProgress() {
  const t = useT(regMessages);
  return (code: string | null, params: Record<string, string> | null, text: string | null) => {
    if (!code || !regKnown(`rm_${code}`)) return text ?? '';
    const said = t(`rm_${code}` as RegKey, params ?? {});
    const status = params?.['status'];
    if (code !== 'failed_status' || status === undefined) return said;
    const meaning = `rs_${status.replace('-', 'm')}`;
    return regKnown(meaning) ? t('rm_with_meaning', { said, meaning: t(meaning) }) : said;
  };
}

/** What the merchant must do next, in plain words of the console's language. */
function useNextStep() {
  const t = useT(regMessages);
  return (r: Registration): string => {
    switch (r.status) {
      case 'pending':
        return t('next_pending');
      case 'awaiting_legal_person':
        return t('next_awaiting_legal_person');
      case 'awaiting_user':
        return t('next_awaiting_user', { who: t(`who_${r.kind}`) });
      case 'failed':
        return t('next_failed');
      case 'succeeded':
        if (r.verify_status === 'awaiting_legal_person') return t('next_verify');
        if (r.kind === 'beta' && r.verify_status !== 'succeeded') return t('next_beta_done');
        return t('next_done');
      default:
        return r.next_step;
    }
  };
}

function kindLabel(
  t: (key: `kind_${Registration['kind']}` | 'kind_enterprise_legacy') => string,
  r: Registration,
): string {
  if (r.kind === 'enterprise' && r.request['flow'] === 'legacy') return t('kind_enterprise_legacy');
  return t(`kind_${r.kind}`);
}

function TenantSelect(props: {
  id: string;
  tenants: TenantPage | undefined;
  value: string;
  onChange: (v: string) => void;
}) {
  const t = useT(regMessages);
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">{t('noTenant')}</option>
      {props.tenants?.items.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </select>
  );
}

type Field = { key: string; label: string; help?: string; max: number };

/** A small registration form: the fields, local checks, then POST /api/admin/registrations. */
function RegForm(props: {
  idPrefix: string;
  title: string;
  fields: Field[];
  tenants: TenantPage | undefined;
  check: (v: Record<string, string>) => Record<string, string>;
  body: (v: Record<string, string>) => Record<string, unknown>;
  onCreated: (r: Registration) => void;
  children?: ReactNode;
}) {
  const t = useT(regMessages);
  const empty = Object.fromEntries(props.fields.map((f) => [f.key, '']));
  const [v, setV] = useState<Record<string, string>>(empty);
  const [tenantId, setTenantId] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const trimmed = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.trim()]));
    const errs = props.check(trimmed);
    setLocal(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const created = await api<Registration>('POST', '/api/admin/registrations', {
        body: { ...props.body(trimmed), ...(tenantId ? { tenant_id: tenantId } : {}) },
      });
      setV(empty);
      props.onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const id = (k: string) => `${props.idPrefix}-${k}`;
  return (
    <form onSubmit={submit} noValidate data-testid={`${props.idPrefix}-form`}>
      <h3>{props.title}</h3>
      {props.fields.map((f) => (
        <div key={f.key}>
          <label htmlFor={id(f.key)}>{f.label}</label>
          <input
            id={id(f.key)}
            value={v[f.key] ?? ''}
            maxLength={f.max}
            aria-invalid={local[f.key] ? true : undefined}
            onChange={(e) => setV({ ...v, [f.key]: e.target.value })}
          />
          {f.help ? <p className="help">{f.help}</p> : null}
          <FieldError field={f.key} local={local[f.key]} error={error} />
        </div>
      ))}
      <label htmlFor={id('tenant')}>{t('tenant')}</label>
      <TenantSelect
        id={id('tenant')}
        tenants={props.tenants}
        value={tenantId}
        onChange={setTenantId}
      />
      <FieldError field="tenant_id" error={error} />
      <FormError error={error} fields={[...props.fields.map((f) => f.key), 'tenant_id']} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}

/** Registrations: the tasks with status, stale flag and next step; new enterprise and trial ones. */
export function Registrations(props: { tenants: TenantPage | undefined }) {
  const t = useT(regMessages);
  const progress = useProgress();
  const next = useNextStep();
  const [status, setStatus] = useState<RegistrationStatus | ''>('');
  const [created, setCreated] = useState<string | undefined>();
  const state = useApi(
    () => get<{ items: Registration[] }>('/api/admin/registrations', { status }),
    [status],
  );
  const tenantName = (id: string | null) =>
    id === null ? '—' : (props.tenants?.items.find((x) => x.id === id)?.name ?? id);
  const onCreated = (r: Registration) => {
    setCreated(t('createdOk', { next: next(r) }));
    void state.reload();
  };
  return (
    <section className="card wide" data-testid="registrations">
      <h2>{t('title')}</h2>
      <p className="help">{t('intro')}</p>
      <div className="grid two">
        <RegForm
          idPrefix="reg-enterprise"
          title={t('enterpriseTitle')}
          tenants={props.tenants}
          fields={[
            { key: 'name', label: t('enterpriseName'), max: 100 },
            { key: 'code', label: t('code'), max: 18 },
            { key: 'component_phone', label: t('phone'), max: 20 },
          ]}
          check={(v) => ({
            ...(v['name'] ? {} : { name: t('nameMissing') }),
            ...(/^[0-9A-Z]{18}$/.test(v['code'] ?? '') ? {} : { code: t('codeInvalid') }),
            ...(/^\d{5,20}$/.test(v['component_phone'] ?? '')
              ? {}
              : { component_phone: t('phoneInvalid') }),
          })}
          body={(v) => ({ kind: 'enterprise', flow: 'url', ...v })}
          onCreated={onCreated}
        />
        <RegForm
          idPrefix="reg-beta"
          title={t('betaTitle')}
          tenants={props.tenants}
          fields={[
            { key: 'name', label: t('betaName'), max: 30 },
            { key: 'openid', label: t('openid'), help: t('openidHelp'), max: 128 },
          ]}
          check={(v) => {
            const n = [...(v['name'] ?? '')].length;
            return {
              ...(n >= 4 && n <= 30 ? {} : { name: t('betaNameInvalid') }),
              ...(v['openid'] ? {} : { openid: t('openidMissing') }),
            };
          }}
          body={(v) => ({ kind: 'beta', ...v })}
          onCreated={onCreated}
        />
      </div>
      {created ? (
        <p className="notice ok" role="status">
          {created}
        </p>
      ) : null}
      <div className="page-header">
        <h3>{t('listTitle')}</h3>
        <div className="row adm-toolbar">
          <select
            aria-label={t('status')}
            value={status}
            onChange={(e) => setStatus(e.target.value as RegistrationStatus | '')}
          >
            <option value="">{t('anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`st_${s}`)}
              </option>
            ))}
          </select>
          <RefreshButton state={state} />
        </div>
      </div>
      <Loaded state={state}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>{t('none')}</Empty>
          ) : (
            <ul className="adm-list" data-testid="registration-list">
              {data.items.map((r) => (
                <li key={r.id} data-registration={r.id} data-status={r.status}>
                  <div className="row wrap">
                    <strong>{String(r.request['name'] ?? r.request['idname'] ?? r.id)}</strong>
                    <span className="badge">{kindLabel(t, r)}</span>
                    <span
                      className={`badge ${r.status === 'succeeded' ? 's0' : r.status === 'failed' ? 's1' : ''}`}
                    >
                      {t(`st_${r.status}`)}
                    </span>
                    {r.stale ? (
                      <span className="badge s1" title={t('staleHelp')}>
                        {t('stale')}
                      </span>
                    ) : null}
                    {r.appid ? <code>{r.appid}</code> : null}
                  </div>
                  <p>
                    <strong>{t('next')}:</strong> {next(r)}
                  </p>
                  {r.authorize_url && r.status === 'awaiting_user' ? (
                    <p className="row wrap">
                      {t('link')}: <code className="value break">{r.authorize_url}</code>
                      <CopyButton value={r.authorize_url} label={t('link')} />
                    </p>
                  ) : null}
                  {r.verify_url && r.verify_status === 'awaiting_legal_person' ? (
                    <p className="row wrap">
                      {t('link')}: <code className="value break">{r.verify_url}</code>
                      <CopyButton value={r.verify_url} label={t('link')} />
                    </p>
                  ) : null}
                  {r.failure_reason ? (
                    <p className="field-error">
                      {t('reason')}: {progress(r.failure_code, r.failure_params, r.failure_reason)}
                    </p>
                  ) : null}
                  <p className="muted small">
                    {t('lastMessage')}:{' '}
                    {progress(r.last_message_code, r.last_message_params, r.last_message)} ·{' '}
                    {t('tenant')}: {tenantName(r.tenant_id)} · {t('updated')}{' '}
                    <RelativeTime at={r.updated_at} absolute={false} />
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}
