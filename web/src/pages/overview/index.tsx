import type { ReactNode } from 'react';
import { get } from '../../api.ts';
import type { Overview, OverviewWarning } from '../../api-types.ts';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { useT } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';

/** One number of the overview, linking to the list it counts. */
function Stat(props: {
  label: string;
  value: number;
  to: string;
  tone?: 'bad' | 'good';
  id: string;
}) {
  return (
    <Link to={props.to} className={`stat ${props.value > 0 && props.tone ? props.tone : ''}`}>
      <span className="stat-value" data-testid={`stat-${props.id}`}>
        {props.value}
      </span>
      <span className="stat-label">{props.label}</span>
    </Link>
  );
}

function Card(props: { title: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function OverviewPage() {
  const t = useT(messages);
  const state = useApi(() => get<Overview>('/api/admin/overview'), []);
  const warning = (w: OverviewWarning) => {
    const key = `w_${w.code}`;
    return key in messages.zh ? t(key as keyof typeof messages.zh, w.params) : w.message;
  };
  return (
    <>
      <PageHeader title={t('title')}>
        <RefreshButton state={state} />
      </PageHeader>
      <Loaded state={state}>
        {(o) => (
          <>
            <section className={o.warnings.length ? 'card warnings' : 'card ok'} aria-live="polite">
              <h2>{t('warnings')}</h2>
              {o.warnings.length ? (
                <ul>
                  {o.warnings.map((w) => (
                    <li key={w.code} data-code={w.code}>
                      {warning(w)}
                    </li>
                  ))}
                </ul>
              ) : (
                <p>{t('allGood')}</p>
              )}
            </section>
            <div className="grid">
              <Card title={t('ticket')}>
                <p>
                  {t('ticketAge')}:{' '}
                  {o.ticket.receivedAt ? <RelativeTime at={o.ticket.receivedAt} /> : t('noTicket')}
                </p>
                <Link to="/events?type=component_verify_ticket">/events</Link>
              </Card>
              <Card title={t('componentToken')}>
                <p>
                  {t('expires')}:{' '}
                  {o.componentToken.expiresAt ? (
                    <RelativeTime at={o.componentToken.expiresAt} />
                  ) : (
                    t('noToken')
                  )}
                </p>
              </Card>
              <Card title={t('authorizers')}>
                <div className="stats">
                  <Stat
                    id="authorized"
                    label={t('authorized')}
                    value={o.authorizers.authorized}
                    to="/authorizers?status=authorized"
                  />
                  <Stat
                    id="revoked"
                    label={t('revoked')}
                    value={o.authorizers.revoked}
                    to="/authorizers?status=revoked"
                  />
                  <Stat
                    id="authorizers-total"
                    label={t('total')}
                    value={o.authorizers.total}
                    to="/authorizers"
                  />
                </div>
              </Card>
              <Card title={t('tokenFailures')}>
                <div className="stats">
                  <Stat
                    id="token-failures"
                    label={t('tokenFailures')}
                    value={o.tokenFailures.total}
                    to="/authorizers?token=failing"
                    tone="bad"
                  />
                </div>
              </Card>
              <Card title={t('webhookBacklog')}>
                <div className="stats">
                  <Stat
                    id="webhook-backlog"
                    label={t('webhookBacklog')}
                    value={o.webhooks.backlog}
                    to="/webhooks?status=pending"
                    tone="bad"
                  />
                  <Stat
                    id="webhook-dead"
                    label={t('webhookDead')}
                    value={o.webhooks.dead}
                    to="/webhooks?status=dead"
                    tone="bad"
                  />
                </div>
              </Card>
              <Card title={t('auditsInFlight')}>
                <div className="stats">
                  <Stat
                    id="audits"
                    label={t('auditsInFlight')}
                    value={o.audits.inFlight}
                    to="/authorizers?audit=in_flight"
                  />
                </div>
                {o.audits.items.length ? (
                  <ul className="compact">
                    {o.audits.items.map((a) => (
                      <li key={a.appid}>
                        <Link to={`/authorizers/${a.appid}`}>{a.appid}</Link> ·{' '}
                        <RelativeTime at={a.since} absolute={false} />
                      </li>
                    ))}
                  </ul>
                ) : null}
              </Card>
              <Card title={t('rollouts')}>
                <div className="stats">
                  <Stat
                    id="rollouts-running"
                    label={t('rolloutsRunning')}
                    value={o.rollouts.running}
                    to="/rollouts?status=running"
                  />
                  {o.rollouts.halted ? (
                    <Stat
                      id="rollouts-halted"
                      label={t('rolloutsHalted')}
                      value={o.rollouts.halted}
                      to="/rollouts?status=halted"
                      tone="bad"
                    />
                  ) : null}
                  {o.rollouts.paused ? (
                    <Stat
                      id="rollouts-paused"
                      label={t('rolloutsPaused')}
                      value={o.rollouts.paused}
                      to="/rollouts?status=paused"
                    />
                  ) : null}
                </div>
              </Card>
              <Card title={t('auditQuota')}>
                {o.auditQuota ? (
                  <div className="stats">
                    <Stat
                      id="audit-quota"
                      label={t('auditQuotaOf', { limit: o.auditQuota.limit })}
                      value={o.auditQuota.rest}
                      to="/rollouts"
                    />
                  </div>
                ) : (
                  <p>
                    <Link to="/rollouts">{t('auditQuotaUnknown')}</Link>
                  </p>
                )}
              </Card>
              <Card title={t('jobs')}>
                <ul className="compact">
                  {Object.entries(o.jobs).map(([status, n]) => (
                    <li key={status}>
                      {status}: {n}
                    </li>
                  ))}
                </ul>
              </Card>
            </div>
          </>
        )}
      </Loaded>
    </>
  );
}
