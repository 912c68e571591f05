import { useEffect, useRef, useState } from 'react';
import { ApiError, errorOf, get } from '../../api.ts';
import { Reason } from '../../components/reason.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { ErrorBox, Loaded, useErrorText } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { getToken } from '../../session.ts';
import { useApi } from '../../use-api.ts';
import { AuditAdviceList } from './audit-advice.tsx';
import { CodeActions } from './code-actions.tsx';
import { messages } from './messages.ts';
import { Timeline } from './timeline.tsx';
import type { CodeState, Preflight, Versions } from './types.ts';

type Key = keyof typeof messages.zh;

/** The trial QR code: WeChat's image behind the admin token, shown from a blob URL. */
function TrialQr(props: { appid: string; version: string }) {
  const t = useT(messages);
  const [src, setSrc] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let url: string | undefined;
    let live = true;
    (async () => {
      const token = getToken();
      const res = await fetch(`/api/admin/authorizers/${props.appid}/code/qrcode`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (!res.ok) {
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          // not JSON: the text itself
        }
        throw errorOf(res.status, body);
      }
      url = URL.createObjectURL(await res.blob());
      if (live) setSrc(url);
    })().catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [props.appid, props.version]);
  if (error !== undefined) return <ErrorBox error={error} />;
  return src ? (
    <img
      className="qr"
      src={src}
      alt={t('qrAlt')}
      width={180}
      height={180}
      data-testid="trial-qr"
    />
  ) : null;
}

function PreflightList(props: { preflight: Preflight }) {
  const t = useT(messages);
  const { preflight } = props;
  return (
    <div data-testid="preflight">
      <p className={preflight.ok ? 'notice ok' : 'notice warning'}>
        {preflight.ok ? t('preflightOk') : t('preflightBad')}
      </p>
      <ul className="authz-checks">
        {preflight.checks.map((c) => (
          <li key={c.check} data-check={c.check} data-ok={c.ok ? 'true' : 'false'}>
            <span className={c.ok ? 'authz-ok' : 'authz-fail'}>{c.ok ? '✓' : '✗'}</span>{' '}
            <strong>{t(`check_${c.check}` as Key)}</strong>:{' '}
            <Reason code={c.code} params={c.params} fallback={c.detail} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function StateFacts(props: { appid: string; code: CodeState }) {
  const t = useT(messages);
  const { committed, audit, released, gray, visit_status } = props.code;
  return (
    <dl className="authz-facts" data-testid="code-state">
      <dt>{t('committedVersion')}</dt>
      <dd>
        {committed ? (
          <>
            {t('version', { v: committed.user_version ?? '?' })}
            {committed.template_id !== null
              ? ` · ${t('template', { id: committed.template_id })}`
              : ''}{' '}
            · <RelativeTime at={committed.at} absolute={false} />
          </>
        ) : (
          t('nothing')
        )}
      </dd>
      <dt>{t('auditState')}</dt>
      <dd data-testid="audit-state" data-state={audit?.state ?? ''}>
        {audit ? (
          <>
            <span className={`badge authz-audit-${audit.state}`}>
              {t(`state_${audit.state}` as Key)}
            </span>{' '}
            {audit.user_version ? t('version', { v: audit.user_version }) : ''}
            {audit.auditid !== null ? ` · ${t('auditid', { id: audit.auditid })}` : ''}
            {audit.auto_release ? ` · ${t('autoRelease')}` : ''}
            {audit.reason ? (
              <div className="authz-reason" data-testid="audit-reason">
                {t('failReason')}:{' '}
                {audit.reason.split(/<br\s*\/?>/i).map((line, i) => (
                  <span key={i}>
                    {i > 0 ? <br /> : null}
                    {line}
                  </span>
                ))}
              </div>
            ) : null}
            {audit.state === 'failed' ? (
              <AuditAdviceList appid={props.appid} auditid={audit.auditid} />
            ) : null}
            {audit.screenshots?.length ? (
              <div className="muted">
                {t('screenshots')}: <code>{audit.screenshots.join(', ')}</code>
              </div>
            ) : null}
          </>
        ) : (
          t('nothing')
        )}
      </dd>
      <dt>{t('onlineVersion')}</dt>
      <dd data-testid="online-version">
        {released ? (
          <>
            {t('version', { v: released.user_version ?? '?' })}
            {released.rollback ? ` · ${t('kind_rolled_back')}` : ''} ·{' '}
            <RelativeTime at={released.at} absolute={false} />
          </>
        ) : (
          t('nothing')
        )}
      </dd>
      {gray ? (
        <>
          <dt>{t('grayRelease')}</dt>
          <dd>
            {gray.percentage}% · {t('version', { v: gray.user_version ?? '?' })}
          </dd>
        </>
      ) : null}
      <dt>{t('visitStatus')}</dt>
      <dd>{visit_status ? t(`visit_${visit_status}` as Key) : t('visit_open')}</dd>
    </dl>
  );
}

/** A mini program's code: state, trial QR code, pre-flight, actions and version history. */
export function CodePanel(props: { appid: string; refreshKey?: number }) {
  const t = useT(messages);
  const text = useErrorText();
  const base = `/api/admin/authorizers/${props.appid}`;
  const code = useApi(() => get<CodeState>(`${base}/code`), [props.appid, props.refreshKey]);
  const versions = useApi(() => get<Versions>(`${base}/versions`), [props.appid]);
  const preflight = useApi(
    () => get<Preflight>(`${base}/code/preflight`),
    [props.appid, props.refreshKey],
  );
  const reload = async () => {
    await Promise.all([code.reload(), versions.reload(), preflight.reload()]);
  };
  // Audit results arrive as WeChat's pushes: look again while one is in flight.
  const inFlight = code.data?.audit?.state === 'auditing' || code.data?.audit?.state === 'delayed';
  // When the audit is decided, the pre-flight (no audit in flight) reads the new state too.
  const wasInFlight = useRef(inFlight);
  useEffect(() => {
    if (wasInFlight.current && !inFlight) void preflight.reload();
    wasInFlight.current = inFlight;
  }, [inFlight, preflight.reload]);
  useEffect(() => {
    if (!inFlight) return;
    const timer = setInterval(() => {
      void code.reload();
      void versions.reload();
    }, 2000);
    return () => clearInterval(timer);
  }, [inFlight, code.reload, versions.reload]);
  return (
    <>
      <section className="card" data-testid="code-panel">
        <h2>{t('code')}</h2>
        <Loaded state={code}>
          {(c) => (
            <div className="authz-code">
              <StateFacts appid={props.appid} code={c} />
              <div>
                <h3>{t('qrcode')}</h3>
                {c.committed ? (
                  <TrialQr appid={props.appid} version={c.committed.at} />
                ) : (
                  <p className="muted">{t('qrNone')}</p>
                )}
              </div>
            </div>
          )}
        </Loaded>
        <h3>{t('preflight')}</h3>
        {preflight.error !== undefined ? (
          <p className="form-error">
            {preflight.error instanceof ApiError ? text(preflight.error) : String(preflight.error)}
          </p>
        ) : preflight.data ? (
          <PreflightList preflight={preflight.data} />
        ) : null}
      </section>
      <CodeActions
        appid={props.appid}
        code={code.data}
        preflight={preflight.data}
        onDone={reload}
      />
      <section className="card">
        <h2>{t('timeline')}</h2>
        <Loaded state={versions}>{(v) => <Timeline steps={v.items} />}</Loaded>
      </section>
    </>
  );
}
