import { useState } from 'react';
import { api, get } from '../../api.ts';
import type { Tenant } from '../../api-types.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded, useErrorText } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import type { PageProps } from '../../routes.tsx';
import { Link } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { CodePanel } from './code-panel.tsx';
import { TestersPanel } from './testers-panel.tsx';
import { messages } from './messages.ts';
import type { ApplyResult, AuthorizerDetail, Drift } from './types.ts';

type Key = keyof typeof messages.zh;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function Info(props: { a: AuthorizerDetail }) {
  const t = useT(messages);
  const { a } = props;
  const tenant = useApi(
    () => (a.tenant_id ? get<Tenant>(`/api/admin/tenants/${a.tenant_id}`) : Promise.resolve(null)),
    [a.tenant_id],
  );
  const principal = a.info?.['principal_name'];
  return (
    <section className="card">
      <h2>{t('info')}</h2>
      <dl className="authz-facts" data-testid="authorizer-info">
        <dt>{t('nickname')}</dt>
        <dd>{a.nickname ?? '—'}</dd>
        <dt>{t('principal')}</dt>
        <dd>{typeof principal === 'string' ? principal : '—'}</dd>
        <dt>{t('type')}</dt>
        <dd>{t(`type_${a.type}`)}</dd>
        <dt>{t('userName')}</dt>
        <dd>
          <code>{a.user_name ?? '—'}</code>
        </dd>
        <dt>{t('status')}</dt>
        <dd>{t(`status_${a.status}`)}</dd>
        <dt>{t('authorizedAt')}</dt>
        <dd>
          <RelativeTime at={a.authorized_at} />
        </dd>
        {a.revoked_at ? (
          <>
            <dt>{t('revokedAt')}</dt>
            <dd>
              <RelativeTime at={a.revoked_at} />
            </dd>
          </>
        ) : null}
        <dt>{t('tenant')}</dt>
        <dd>{a.tenant_id ? (tenant.data?.name ?? a.tenant_id) : t('noTenant')}</dd>
      </dl>
      <h3>{t('funcInfo')}</h3>
      <p className="help">{t('funcInfoHelp')}</p>
      {a.func_info.length ? (
        <ul className="authz-tags" data-testid="func-info">
          {a.func_info.map((id) => (
            <li key={id}>{id}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('funcInfoNone')}</p>
      )}
    </section>
  );
}

/**
 * A failed refresh in the console's language: WeChat's errcode when it answered one (the stored
 * text is "<endpoint> failed with errcode N: …"), else that WeChat could not be reached.
 */
function lastErrorWords(t: (k: Key, p?: Record<string, string | number>) => string, text: string) {
  const errcode = /errcode (-?\d+)/.exec(text)?.[1];
  return errcode === undefined ? t('lastErrorUnreachable') : t('lastErrorErrcode', { errcode });
}

function TokenHealth(props: { a: AuthorizerDetail; onRefreshed: (a: AuthorizerDetail) => void }) {
  const t = useT(messages);
  const { token } = props.a;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const refresh = async () => {
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      props.onRefreshed(
        await api<AuthorizerDetail>(
          'POST',
          `/api/admin/authorizers/${props.a.appid}/token/refresh`,
        ),
      );
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const failures = token.failures;
  return (
    <section className="card" data-testid="token-health">
      <h2>{t('tokenHealth')}</h2>
      <dl className="authz-facts">
        <dt>{t('expiresAt')}</dt>
        <dd>
          <RelativeTime at={token.expires_at} />
        </dd>
        <dt>{t('refreshedAt')}</dt>
        <dd>
          <RelativeTime at={token.refreshed_at} />
        </dd>
        <dt>{t('nextRefresh')}</dt>
        <dd>
          <RelativeTime at={token.next_refresh_at} />
        </dd>
        <dt>{t('hasRefreshToken')}</dt>
        <dd>{token.has_refresh_token ? t('yes') : t('no')}</dd>
        <dt>{t('failures')}</dt>
        <dd className={failures > 0 ? 'authz-fail' : ''} data-testid="token-failures">
          {failures}
        </dd>
        {token.last_error ? (
          <>
            <dt>{t('lastError')}</dt>
            <dd className="authz-reason">
              {lastErrorWords(t, token.last_error)} ·{' '}
              <RelativeTime at={token.last_error_at} absolute={false} />
            </dd>
          </>
        ) : null}
      </dl>
      <button type="button" onClick={() => void refresh()} disabled={busy}>
        {t('refreshNow')}
      </button>
      {done ? (
        <p className="notice ok" role="status">
          {t('refreshed')}
        </p>
      ) : null}
      <FormError error={error} fields={[]} />
    </section>
  );
}

function DriftPanel(props: { appid: string; onApplied: () => void }) {
  const t = useT(messages);
  const text = useErrorText();
  const drift = useApi(() => get<Drift>(`/api/admin/authorizers/${props.appid}/drift`), []);
  const [result, setResult] = useState<ApplyResult | undefined>();
  const [error, setError] = useState<unknown>();
  const apply = async () => {
    setError(undefined);
    try {
      setResult(
        await api<ApplyResult>('POST', `/api/admin/authorizers/${props.appid}/apply`, {
          body: {},
        }),
      );
      await drift.reload();
    } catch (err) {
      setError(err);
    } finally {
      // The pre-flight and the code state read what the profile changed (privacy, categories).
      props.onApplied();
    }
  };
  return (
    <section className="card" data-testid="drift">
      <h2>{t('driftTitle')}</h2>
      <p className="help">{t('driftIntro')}</p>
      {drift.error !== undefined ? (
        <p className="notice warning">{text(drift.error)}</p>
      ) : drift.data === undefined ? (
        <p className="muted">{t('checking')}</p>
      ) : drift.data.in_sync ? (
        <p className="notice ok">{t('inSync')}</p>
      ) : (
        <>
          <p>{t('driftFound', { n: drift.data.differences.length })}</p>
          <ul className="authz-diffs">
            {drift.data.differences.map((d) => (
              <li key={`${d.area}.${d.field}`} data-area={d.area}>
                <strong>{t(`area_${d.area}` as Key)}</strong> <code>{d.field}</code>:{' '}
                {t('expected')} <code>{show(d.expected)}</code>, {t('actual')}{' '}
                <code>{show(d.actual)}</code>
              </li>
            ))}
          </ul>
          <ConfirmButton question={t('applyQuestion')} onConfirm={apply}>
            {t('apply')}
          </ConfirmButton>
        </>
      )}
      <button type="button" onClick={() => void drift.reload()} disabled={drift.loading}>
        {t('checkDrift')}
      </button>
      {result ? (
        result.ok ? (
          <p className="notice ok" role="status">
            {t('applied', { n: result.results.length })}
          </p>
        ) : (
          <div className="form-error" role="alert">
            {t('applyFailed')}
            <ul>
              {result.results
                .filter((r) => !r.ok)
                .map((r) => (
                  <li key={r.endpoint}>
                    <code>{r.endpoint}</code>:{' '}
                    {r.errcode !== undefined
                      ? t('applyCallErrcode', { errcode: r.errcode })
                      : t('applyCallFailed')}
                  </li>
                ))}
            </ul>
          </div>
        )
      ) : null}
      <FormError error={error} fields={[]} />
    </section>
  );
}

/** One authorizer: info, permission sets, token health, drift, and its code pipeline. */
export function AuthorizerDetailPage(props: PageProps) {
  const t = useT(messages);
  const appid = props.params['appid'] ?? '';
  const state = useApi(() => get<AuthorizerDetail>(`/api/admin/authorizers/${appid}`), [appid]);
  const [applied, setApplied] = useState(0);
  return (
    <>
      <p className="authz-back">
        <Link to="/authorizers">{t('back')}</Link>
      </p>
      <PageHeader title={state.data?.nickname ?? appid}>
        <code>{appid}</code>
      </PageHeader>
      <Loaded state={state}>
        {(a) => (
          <div className="authz-detail">
            <div className="grid two">
              <Info a={a} />
              <TokenHealth a={a} onRefreshed={(x) => state.setData(x)} />
            </div>
            {a.type === 'miniprogram' && a.status === 'authorized' ? (
              <>
                <DriftPanel appid={a.appid} onApplied={() => setApplied((n) => n + 1)} />
                <CodePanel appid={a.appid} refreshKey={applied} />
                <TestersPanel appid={a.appid} />
              </>
            ) : a.type === 'officialaccount' ? (
              <p className="muted">{t('notMiniProgram')}</p>
            ) : null}
            <section className="card">
              <h2>{t('history')}</h2>
              <ul className="compact">
                {a.history.map((h, i) => (
                  <li key={`${h.at}-${i}`}>
                    <code>{h.action}</code> · <RelativeTime at={h.at} absolute={false} />
                  </li>
                ))}
              </ul>
            </section>
          </div>
        )}
      </Loaded>
    </>
  );
}
