import { useEffect, useState } from 'react';
import { get } from '../../api.ts';
import { ChoiceSelect } from '../../components/choice-select.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { useT } from '../../i18n.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';
import { ProgressBar, StatusBadge, targetSummary } from './parts.tsx';
import type { RolloutPage, RolloutStatus } from './types.ts';

const STATUSES: RolloutStatus[] = ['running', 'paused', 'halted', 'completed', 'cancelled'];
const LIMIT = 20;

/** Every rollout, newest first, with its status and progress (live while one runs). */
export function RolloutsPage() {
  const t = useT(messages);
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const [offset, setOffset] = useState(0);
  const state = useApi(
    () => get<RolloutPage>('/api/admin/rollouts', { status, offset, limit: LIMIT }),
    [status, offset],
  );
  const running = state.data?.items.some((r) => r.status === 'running') ?? false;
  const { reload } = state;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [running, reload]);
  return (
    <div className="releases">
      <PageHeader title={t('listTitle')}>
        <Link to="/rollouts/new" className="button primary">
          {t('newRollout')}
        </Link>
        <RefreshButton state={state} />
      </PageHeader>
      <p className="help">{t('listIntro')}</p>
      <div className="row wrap filters">
        <label htmlFor="rollout-status">{t('statusFilter')}</label>
        <ChoiceSelect
          id="rollout-status"
          value={status}
          onChange={(v) => {
            setOffset(0);
            navigate(v ? `/rollouts?status=${v}` : '/rollouts');
          }}
          any={t('all')}
          choices={STATUSES.map((s) => [s, t(`s_${s}`)])}
        />
      </div>
      <Loaded state={state}>
        {(page) => (
          <DataTable
            kind="table"
            testId="rollouts"
            head={[t('id'), t('status'), t('template'), t('target'), t('progress'), t('created')]}
            items={page.items}
            row={(r) => (
              <tr key={r.id} data-rollout={r.id}>
                <td>
                  <Link to={`/rollouts/${r.id}`}>#{r.id}</Link>
                </td>
                <td>
                  <StatusBadge t={t} status={r.status} />
                </td>
                <td>
                  #{r.template_id} · {r.user_version}
                </td>
                <td>{targetSummary(t, r.target)}</td>
                <td className="progress-cell">
                  <ProgressBar rollout={r} />
                  <span className="help">
                    {t('releasedOf', {
                      released: r.counts.released + r.counts.gray,
                      total: r.total,
                    })}
                    {r.counts.failed ? ` · ${t('failedN', { n: r.counts.failed })}` : ''}
                  </span>
                </td>
                <td>
                  <RelativeTime at={r.created_at} absolute={false} />
                </td>
              </tr>
            )}
            empty={t('noRollouts')}
            footer={
              <Pagination
                kind="offset"
                offset={offset}
                limit={LIMIT}
                total={page.total}
                onChange={setOffset}
              />
            }
          />
        )}
      </Loaded>
    </div>
  );
}
