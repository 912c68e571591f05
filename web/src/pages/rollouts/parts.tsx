import { useT } from '../../i18n.ts';
import { messages } from './messages.ts';
import type { ItemState, Rollout, RolloutStatus } from './types.ts';

/** Pieces shared by the rollout pages: status badge, target in words, stacked progress bars. */
export type T = ReturnType<typeof useT<typeof messages.zh>>;

export function StatusBadge(props: { t: T; status: RolloutStatus }) {
  return (
    <span className={`badge rollout-${props.status}`} data-status={props.status}>
      {props.t(`s_${props.status}`)}
    </span>
  );
}

export function stateLabel(t: T, s: string): string {
  const key = `st_${s}`;
  return key in messages.zh ? t(key as keyof typeof messages.zh) : s;
}

export function targetSummary(t: T, target: Record<string, unknown>): string {
  const parts: string[] = [];
  if (target['all'] === true) parts.push(t('targetSummaryAll'));
  const tenants = target['tenant_ids'];
  if (Array.isArray(tenants)) parts.push(t('targetSummaryTenants', { list: tenants.join(', ') }));
  const appids = target['appids'];
  if (Array.isArray(appids)) parts.push(t('targetSummaryAppids', { n: appids.length }));
  const below = target['released_below'];
  if (typeof below === 'string') parts.push(t('targetSummaryBelow', { v: below }));
  return parts.join(' · ') || '—';
}

/** In what order and colour the states sit in a bar: settled good, in progress, waiting, bad. */
const ORDER: ItemState[] = [
  'released',
  'gray',
  'awaiting_release',
  'releasing',
  'passed',
  'auditing',
  'submitting',
  'committed',
  'committing',
  'ready',
  'failed',
  'cancelled',
];
const TONE: Record<ItemState, string> = {
  released: 'good',
  gray: 'good',
  awaiting_release: 'wait',
  releasing: 'busy',
  passed: 'busy',
  auditing: 'busy',
  submitting: 'busy',
  committed: 'busy',
  committing: 'busy',
  ready: 'idle',
  failed: 'bad',
  cancelled: 'off',
};

/** One bar split by state, with the counts as a legend under it. */
export function StackedBar(props: {
  t: T;
  counts: Partial<Record<ItemState, number>>;
  total: number;
  label: string;
  testid?: string;
}) {
  const { t, counts, total } = props;
  const shown = ORDER.filter((s) => (counts[s] ?? 0) > 0);
  return (
    <div className="stacked" data-testid={props.testid}>
      <div
        className="bar"
        role="img"
        aria-label={`${props.label}: ${shown.map((s) => `${stateLabel(t, s)} ${counts[s]}`).join(', ')}`}
      >
        {shown.map((s) => (
          <span
            key={s}
            className={`seg ${TONE[s]}`}
            style={{ width: `${((counts[s] ?? 0) / Math.max(1, total)) * 100}%` }}
            title={`${stateLabel(t, s)}: ${counts[s]}`}
          />
        ))}
      </div>
      <ul className="legend">
        {shown.map((s) => (
          <li key={s} data-state={s}>
            <span className={`dot ${TONE[s]}`} aria-hidden="true" /> {stateLabel(t, s)}{' '}
            <strong>{counts[s]}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A small progress bar of the settled share (the list). */
export function ProgressBar(props: { rollout: Rollout }) {
  const r = props.rollout;
  const failed = r.total ? (r.counts.failed / r.total) * 100 : 0;
  const good = Math.max(0, r.progress - failed);
  return (
    <div className="bar small" role="img" aria-label={`${r.progress}%`}>
      <span className="seg good" style={{ width: `${good}%` }} />
      <span className="seg bad" style={{ width: `${failed}%` }} />
    </div>
  );
}
