import { useEffect, useState } from 'react';
import { api, get, post } from '../../api.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { FormError } from '../../components/field-error.tsx';
import { ChoiceSelect } from '../../components/choice-select.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { Reason, useReasonText } from '../../components/reason.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import type { PageProps } from '../../routes.tsx';
import { Link } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';
import { StackedBar, stateLabel, StatusBadge, targetSummary, type T } from './parts.tsx';
import type { ItemState, RetryAnswer, Rollout, RolloutItemPage, Versions } from './types.ts';
import { useAction } from '../../use-action.ts';

const ITEM_LIMIT = 20;
const STATES: ItemState[] = [
  'ready',
  'committing',
  'committed',
  'submitting',
  'auditing',
  'passed',
  'releasing',
  'released',
  'gray',
  'awaiting_release',
  'failed',
  'cancelled',
];

function History(props: { t: T; appid: string }) {
  const { t } = props;
  const state = useApi(
    () => get<Versions>(`/api/admin/authorizers/${encodeURIComponent(props.appid)}/versions`),
    [props.appid],
  );
  return (
    <div className="history" data-testid={`history-${props.appid}`}>
      <Loaded state={state}>
        {(v) =>
          v.items.length ? (
            <ul className="timeline">
              {[...v.items].reverse().map((s) => {
                const key = `k_${s.kind}`;
                return (
                  <li key={s.id} data-kind={s.kind}>
                    <strong>
                      {key in messages.zh ? t(key as keyof typeof messages.zh) : s.kind}
                    </strong>
                    {s.user_version ? <> · {s.user_version}</> : null}
                    {s.template_id !== null ? <> · #{s.template_id}</> : null}
                    {s.auditid !== null ? (
                      <>
                        {' '}
                        · {t('auditid')} {s.auditid}
                      </>
                    ) : null}{' '}
                    · <RelativeTime at={s.at} /> ·{' '}
                    <span className="muted">
                      {t('by')} {s.by}
                    </span>
                    {s.reason ? <p className="help reason">{s.reason}</p> : null}
                  </li>
                );
              })}
            </ul>
          ) : (
            <Empty>{t('noHistory')}</Empty>
          )
        }
      </Loaded>
    </div>
  );
}

function Items(props: { t: T; id: number; tick: number }) {
  const { t, id } = props;
  const [state, setState] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const items = useApi(
    () =>
      get<RolloutItemPage>(`/api/admin/rollouts/${id}/items`, {
        state,
        offset,
        limit: ITEM_LIMIT,
      }),
    [id, state, offset, props.tick],
  );
  const toggle = (appid: string) =>
    setOpen((old) => {
      const next = new Set(old);
      if (next.has(appid)) next.delete(appid);
      else next.add(appid);
      return next;
    });
  return (
    <section className="card wide">
      <div className="page-header">
        <h2>{t('itemsTitle')}</h2>
        <div className="row">
          <label htmlFor="item-state" className="inline">
            {t('state')}
          </label>
          <ChoiceSelect
            id="item-state"
            value={state}
            onChange={(v) => {
              setOffset(0);
              setState(v);
            }}
            any={t('all')}
            choices={STATES.map((s) => [s, stateLabel(t, s)])}
          />
        </div>
      </div>
      <Loaded state={items}>
        {(page) => (
          <DataTable
            kind="table"
            testId="items"
            head={[
              'appid',
              t('wave'),
              t('state'),
              t('auditid'),
              t('reason'),
              t('attempts'),
              t('updated'),
              t('history'),
            ]}
            items={page.items}
            row={(i) => (
              <ItemRow
                key={i.appid}
                t={t}
                item={i}
                open={open.has(i.appid)}
                onToggle={() => toggle(i.appid)}
              />
            )}
            empty={t('noItems')}
            footer={
              <Pagination
                kind="offset"
                offset={offset}
                limit={ITEM_LIMIT}
                total={page.total}
                onChange={setOffset}
              />
            }
          />
        )}
      </Loaded>
    </section>
  );
}

function ItemRow(props: {
  t: T;
  item: RolloutItemPage['items'][number];
  open: boolean;
  onToggle: () => void;
}) {
  const { t, item: i } = props;
  return (
    <>
      <tr data-appid={i.appid} data-state={i.state}>
        <td>
          <Link to={`/authorizers/${i.appid}`}>
            <code>{i.appid}</code>
          </Link>
        </td>
        <td>{i.wave}</td>
        <td>
          <span className={`badge item-${i.state}`}>{stateLabel(t, i.state)}</span>
        </td>
        <td>{i.auditid ?? '—'}</td>
        <td className="reason">
          {i.reason ? (
            <Reason code={i.reason_code} params={i.reason_params} fallback={i.reason} />
          ) : (
            ''
          )}
          {i.errcode !== null ? <span className="muted"> (errcode {i.errcode})</span> : null}
        </td>
        <td>{i.attempts}</td>
        <td>
          <RelativeTime at={i.updated_at} absolute={false} />
        </td>
        <td>
          <button
            type="button"
            className="small"
            aria-expanded={props.open}
            onClick={props.onToggle}
          >
            {props.open ? t('hideHistory') : t('history')}
          </button>
        </td>
      </tr>
      {props.open ? (
        <tr className="expanded">
          <td colSpan={8}>
            <History t={t} appid={i.appid} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function Errors(props: { t: T; r: Rollout; onChange: (r: Rollout) => void }) {
  const { t, r } = props;
  const a = useAction();
  const retry = (reason?: string) =>
    a.run(async () => {
      const res = await api<RetryAnswer>('POST', `/api/admin/rollouts/${r.id}/retry`, {
        body: reason === undefined ? {} : { reason },
      });
      props.onChange(res.rollout as Rollout);
      return t('retried', { n: res.retried });
    });
  return (
    <section className="card wide" data-testid="errors">
      <div className="page-header">
        <h2>{t('errorsTitle')}</h2>
        {r.errors.length > 1 ? (
          <button type="button" disabled={a.busy} onClick={() => void retry()}>
            {t('retryAll')}
          </button>
        ) : null}
      </div>
      {r.errors.length ? (
        <ul className="error-groups">
          {r.errors.map((e) => (
            <li key={`${e.reason}|${e.errcode}`} data-reason={e.reason}>
              <div className="row wrap">
                <span className="badge s1">{t('count', { n: e.count })}</span>
                <strong className="reason">
                  <Reason code={e.code} params={e.params} fallback={e.reason} />
                </strong>
                {e.errcode !== null ? <span className="muted">errcode {e.errcode}</span> : null}
                <button type="button" disabled={a.busy} onClick={() => void retry(e.reason)}>
                  {t('retry')}
                </button>
              </div>
              <p className="help">
                {e.sample_appids.map((x, n) => (
                  <span key={x}>
                    {n ? ', ' : ''}
                    <Link to={`/authorizers/${x}`}>{x}</Link>
                  </span>
                ))}
                {e.count > e.sample_appids.length ? ', …' : ''}
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="help">{t('noErrors')}</p>
      )}
      {a.note ? (
        <p className="notice ok" role="status">
          {a.note}
        </p>
      ) : null}
      <FormError error={a.error} fields={[]} />
    </section>
  );
}

function Controls(props: { t: T; r: Rollout; onChange: (r: Rollout) => void }) {
  const { t, r } = props;
  const a = useAction();
  const act = (verb: 'pause' | 'resume' | 'cancel') =>
    a.run(async () => {
      props.onChange(await post<Rollout>(`/api/admin/rollouts/${r.id}/${verb}`));
      return undefined;
    });
  const waiting = r.counts.awaiting_release + r.counts.gray;
  const open = r.status === 'running' || r.status === 'paused' || r.status === 'halted';
  const status = t(`s_${r.status}`);
  // Each control is shown; one the rollout's state does not allow is disabled and says why.
  const whyNotPause = r.status === 'running' ? undefined : t('whyNotPause', { status });
  const whyNotResume =
    r.status === 'paused' || r.status === 'halted' ? undefined : t('whyNotResume', { status });
  const whyNotCancel = open ? undefined : t('whyNotCancel', { status });
  return (
    <div className="rollout-controls">
      <div className="row wrap">
        {r.status === 'paused' || r.status === 'halted' ? null : (
          <button
            type="button"
            disabled={a.busy || whyNotPause !== undefined}
            title={whyNotPause}
            data-testid="rollout-pause"
            onClick={() => void act('pause')}
          >
            {t('pause')}
          </button>
        )}
        {r.status === 'running' ? null : (
          <button
            type="button"
            className="primary"
            disabled={a.busy || whyNotResume !== undefined}
            title={whyNotResume}
            data-testid="rollout-resume"
            onClick={() => void act('resume')}
          >
            {t('resume')}
          </button>
        )}
        {waiting > 0 ? (
          <button
            type="button"
            className="primary"
            disabled={a.busy}
            onClick={() =>
              void a.run(async () => {
                const res = await post<{ releasing: number; rollout: Rollout }>(
                  `/api/admin/rollouts/${r.id}/release`,
                );
                props.onChange(res.rollout);
                return t('releasing', { n: res.releasing });
              })
            }
          >
            {t('releaseWaiting', { n: waiting })}
          </button>
        ) : null}
        <ConfirmButton
          question={t('cancelQuestion')}
          onConfirm={() => act('cancel')}
          disabled={whyNotCancel !== undefined}
          why={whyNotCancel}
        >
          {t('cancel')}
        </ConfirmButton>
      </div>
      {whyNotPause && whyNotResume ? (
        <p className="help why-disabled" data-testid="controls-why">
          {whyNotCancel ?? whyNotResume}
        </p>
      ) : null}
      {a.note ? (
        <p className="notice ok" role="status">
          {a.note}
        </p>
      ) : null}
      <FormError error={a.error} fields={[]} />
    </div>
  );
}

/** One rollout's live progress: bars per state and wave, failures by reason, its mini programs. */
export function RolloutPage(props: PageProps) {
  const t = useT(messages);
  const reason = useReasonText();
  const id = Number(props.params['id']);
  const state = useApi(() => get<Rollout>(`/api/admin/rollouts/${id}`), [id]);
  const [tick, setTick] = useState(0);
  const running = state.data?.status === 'running';
  const { reload, setData } = state;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      void reload();
      setTick((n) => n + 1);
    }, 2000);
    return () => clearInterval(timer);
  }, [running, reload]);
  const changed = (r: Rollout) => {
    setData(r);
    setTick((n) => n + 1);
  };
  return (
    <div className="releases">
      <PageHeader title={t('rolloutTitle', { id: props.params['id'] ?? '' })}>
        <Link to="/rollouts">{t('back')}</Link>
      </PageHeader>
      <Loaded state={state}>
        {(r) => (
          <>
            <section className="card wide" data-testid="rollout" data-status={r.status}>
              <div className="row wrap">
                <StatusBadge t={t} status={r.status} />
                <span>
                  {t('template')} #{r.template_id} · {t('version')} {r.user_version}
                </span>
                <span className="muted">{r.user_desc}</span>
                {running ? <span className="muted live">● {t('live')}</span> : null}
              </div>
              <p className="help">
                {t('target')}: {targetSummary(t, r.target)} · {t('options')}:{' '}
                {r.options['auto_release'] === false ? t('autoReleaseOff') : t('autoReleaseOn')}
                {typeof r.options['gray_percentage'] === 'number'
                  ? ` · ${t('gray', { n: r.options['gray_percentage'] })}`
                  : ''}
                {typeof r.options['failure_threshold'] === 'number'
                  ? ` · ${t('threshold', { n: r.options['failure_threshold'] })}`
                  : ''}
              </p>
              <p className="help">
                {t('created')}: <RelativeTime at={r.created_at} /> · {r.created_by}
                {r.finished_at ? (
                  <>
                    {' '}
                    · {t('finished')}: <RelativeTime at={r.finished_at} />
                  </>
                ) : null}
              </p>
              {r.halted_reason ? (
                <div className="notice warning" role="alert" data-testid="halted">
                  <strong>
                    {t('haltedReason', {
                      reason: reason(
                        { code: r.halted_code, params: r.halted_params },
                        r.halted_reason,
                      ),
                    })}
                  </strong>
                  <p className="help">{t('haltedHelp')}</p>
                </div>
              ) : null}
              <Controls t={t} r={r} onChange={changed} />
              <h3>
                {t('overall')} · {r.progress}%
              </h3>
              <StackedBar
                t={t}
                counts={r.counts}
                total={r.total}
                label={t('overall')}
                testid="overall"
              />
              <h3>{t('perWave')}</h3>
              {r.waves.map((w) => (
                <div key={w.wave} className="wave" data-wave={w.wave} data-state={w.state}>
                  <p className="help">
                    {t('waveN', { n: w.wave, percent: w.percent })} ·{' '}
                    {t(
                      r.status === 'completed'
                        ? 'w_done'
                        : `w_${w.state as 'done' | 'current' | 'waiting'}`,
                    )}{' '}
                    · {w.total}
                  </p>
                  <StackedBar
                    t={t}
                    counts={w.counts}
                    total={w.total}
                    label={t('waveN', { n: w.wave, percent: w.percent })}
                  />
                </div>
              ))}
            </section>
            <Errors t={t} r={r} onChange={changed} />
            <Items t={t} id={r.id} tick={tick} />
          </>
        )}
      </Loaded>
    </div>
  );
}
