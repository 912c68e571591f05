import { lazy, Suspense, type ReactNode } from 'react';
import { get } from '../../api.ts';
import type { Overview, OverviewWarning } from '../../api-types.ts';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded, Loading } from '../../components/states.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { useT } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';
import { useStats } from './use-stats.ts';
import './overview.css';

/** The charts and their library load with the overview, not with the rest of the console. */
const StatsCharts = lazy(() => import('./charts.tsx'));

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

function Section(props: { id: string; title: string; children: ReactNode; className?: string }) {
  return (
    <section
      className={`overview-section ${props.className ?? ''}`}
      aria-labelledby={`${props.id}-heading`}
      data-testid={`section-${props.id}`}
    >
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** One line of the platform's health: a dot (good or bad), what, and its state. */
function Health(props: { label: string; ok: boolean; children: ReactNode; to?: string }) {
  return (
    <li className={props.ok ? 'health-ok' : 'health-bad'}>
      <span className="dot" aria-hidden="true" />
      <span className="health-label">
        {props.to ? <Link to={props.to}>{props.label}</Link> : props.label}
      </span>
      <span className="health-value">{props.children}</span>
    </li>
  );
}

/** The ticket is late after 25 minutes (the overview's warning says the same). */
const TICKET_LATE_SECONDS = 25 * 60;

export function OverviewPage() {
  const t = useT(messages);
  const state = useApi(() => get<Overview>('/api/admin/overview'), []);
  const day = useStats('24h');
  const warning = (w: OverviewWarning) => {
    const key = `w_${w.code}`;
    return key in messages.zh ? t(key as keyof typeof messages.zh, w.params) : w.message;
  };
  const rejected = day.data?.totals.audits_rejected ?? 0;
  const jobLabel = (status: string) => {
    const key = JOB_KEYS[status];
    return key ? t(key) : status;
  };
  const reload = {
    ...state,
    reload: () => {
      void state.reload();
      void day.reload();
    },
  };
  return (
    <>
      <PageHeader title={t('title')}>
        <RefreshButton state={reload} />
      </PageHeader>
      <Loaded state={state}>
        {(o) => {
          const attention =
            o.tokenFailures.total +
            o.authorizers.needsAttention +
            o.rollouts.halted +
            rejected +
            o.webhooks.dead;
          const calm = attention === 0 && o.warnings.length === 0;
          const ticketOk =
            o.ticket.ageSeconds !== null && o.ticket.ageSeconds <= TICKET_LATE_SECONDS;
          const tokenOk =
            o.componentToken.expiresInSeconds !== null && o.componentToken.expiresInSeconds > 0;
          const stuck = o.warnings.some((w) => w.code === 'webhooks_stuck');
          const deadJobs = o.jobs['dead'] ?? 0;
          return (
            <div className="overview">
              <Section
                id="attention"
                title={t('warnings')}
                className={calm ? 'card ok' : 'card warnings'}
              >
                <div aria-live="polite">
                  <div className="stats attention">
                    <Stat
                      id="token-failures"
                      label={t('tokenFailures')}
                      value={o.tokenFailures.total}
                      to="/authorizers?token=failing"
                      tone="bad"
                    />
                    <Stat
                      id="needs-attention"
                      label={t('needsAttention')}
                      value={o.authorizers.needsAttention}
                      to="/authorizers?token=needs_attention"
                      tone="bad"
                    />
                    <Stat
                      id="rollouts-halted"
                      label={t('attRolloutsHalted')}
                      value={o.rollouts.halted}
                      to="/rollouts?status=halted"
                      tone="bad"
                    />
                    <Stat
                      id="audits-rejected"
                      label={t('auditsRejected24h')}
                      value={rejected}
                      to="/authorizers?audit=failed"
                      tone="bad"
                    />
                    <Stat
                      id="webhook-dead"
                      label={t('attWebhooksDead')}
                      value={o.webhooks.dead}
                      to="/webhooks?status=dead"
                      tone="bad"
                    />
                  </div>
                  {o.warnings.length ? (
                    <ul className="warning-list">
                      {o.warnings.map((w) => (
                        <li key={w.code} data-code={w.code}>
                          {warning(w)}
                        </li>
                      ))}
                    </ul>
                  ) : calm ? (
                    <p>{t('allGood')}</p>
                  ) : null}
                  {o.tokenFailures.items.length ? (
                    <ul className="compact failing">
                      {o.tokenFailures.items.map((f) => (
                        <li key={`${f.kind}:${f.appid}`}>
                          {f.kind === 'authorizer' ? (
                            <Link to={`/authorizers/${f.appid}`}>{f.appid}</Link>
                          ) : (
                            <code>{f.kind}</code>
                          )}{' '}
                          · {t('failuresInRow', { n: f.failures })}
                          {f.lastErrorAt ? (
                            <>
                              {' '}
                              · <RelativeTime at={f.lastErrorAt} absolute={false} />
                            </>
                          ) : null}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              </Section>

              <Section id="health" title={t('health')} className="card">
                <ul className="health">
                  <Health
                    label={t('ticket')}
                    ok={ticketOk}
                    to="/events?type=component_verify_ticket"
                  >
                    {o.ticket.receivedAt ? (
                      <>
                        {t('ticketAge')} <RelativeTime at={o.ticket.receivedAt} />
                      </>
                    ) : (
                      t('noTicket')
                    )}
                  </Health>
                  <Health label={t('componentToken')} ok={tokenOk}>
                    {o.componentToken.expiresAt ? (
                      <>
                        {t('expires')} <RelativeTime at={o.componentToken.expiresAt} />
                      </>
                    ) : (
                      t('noToken')
                    )}
                  </Health>
                  <Health label={t('webhookBacklog')} ok={!stuck} to="/webhooks?status=pending">
                    <span data-testid="stat-webhook-backlog">{o.webhooks.backlog}</span>
                    {o.webhooks.oldestPendingAt ? (
                      <>
                        {' '}
                        · {t('oldest')}{' '}
                        <RelativeTime at={o.webhooks.oldestPendingAt} absolute={false} />
                      </>
                    ) : null}
                  </Health>
                  <Health
                    label={t('auditQuota')}
                    ok={o.auditQuota === null || o.auditQuota.rest > 0}
                    to="/rollouts"
                  >
                    {o.auditQuota ? (
                      <>
                        <span data-testid="stat-audit-quota">{o.auditQuota.rest}</span>{' '}
                        {t('auditQuotaOf', { limit: o.auditQuota.limit })}
                      </>
                    ) : (
                      t('auditQuotaUnknown')
                    )}
                  </Health>
                  <Health label={t('jobs')} ok={deadJobs === 0}>
                    {Object.entries(o.jobs)
                      .map(([status, n]) => `${jobLabel(status)} ${n}`)
                      .join(' · ')}
                  </Health>
                </ul>
              </Section>

              <Section id="counts" title={t('counts')}>
                <div className="grid">
                  <section className="card">
                    <h3>{t('authorizers')}</h3>
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
                  </section>
                  <section className="card">
                    <h3>{t('auditsInFlight')}</h3>
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
                  </section>
                  <section className="card">
                    <h3>{t('rollouts')}</h3>
                    <div className="stats">
                      <Stat
                        id="rollouts-running"
                        label={t('rolloutsRunning')}
                        value={o.rollouts.running}
                        to="/rollouts?status=running"
                      />
                      <Stat
                        id="rollouts-paused"
                        label={t('rolloutsPaused')}
                        value={o.rollouts.paused}
                        to="/rollouts?status=paused"
                      />
                    </div>
                  </section>
                </div>
              </Section>

              <Suspense fallback={<Loading />}>
                <StatsCharts day={day} />
              </Suspense>
            </div>
          );
        }}
      </Loaded>
    </>
  );
}

/** The job states the queue reports, in the console's words. */
const JOB_KEYS: Record<string, keyof typeof messages.zh> = {
  queued: 'jobsQueued',
  running: 'jobsRunning',
  done: 'jobsDone',
  dead: 'jobsDead',
};
