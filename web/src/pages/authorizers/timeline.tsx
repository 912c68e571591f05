import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { messages } from './messages.ts';
import type { VersionStep } from './types.ts';

type Key = keyof typeof messages.zh;

/** What a step says beyond its kind: version, audit, share, service status. */
function Facts(props: { step: VersionStep }) {
  const t = useT(messages);
  const s = props.step;
  const facts: string[] = [];
  if (s.user_version) facts.push(t('version', { v: s.user_version }));
  if (s.template_id !== null) facts.push(t('template', { id: s.template_id }));
  if (s.auditid !== null) facts.push(t('auditid', { id: s.auditid }));
  const pct = s.detail['percentage'];
  if (s.kind === 'gray_release' && typeof pct === 'number') facts.push(`${pct}%`);
  const status = s.detail['status'];
  if (s.kind === 'visit_status' && (status === 'open' || status === 'close')) {
    facts.push(t(`visit_${status}`));
  }
  if (s.kind === 'submitted' && s.detail['auto_release'] === true) facts.push(t('autoRelease'));
  return facts.length ? <span className="muted"> · {facts.join(' · ')}</span> : null;
}

/** The version history, oldest first: every step of the code pipeline with who and when. */
export function Timeline(props: { steps: VersionStep[] }) {
  const t = useT(messages);
  if (props.steps.length === 0) return <Empty>{t('timelineEmpty')}</Empty>;
  return (
    <ol className="authz-timeline" data-testid="timeline">
      {props.steps.map((s) => (
        <li key={s.id} data-kind={s.kind} className={`authz-step authz-step-${s.kind}`}>
          <div>
            <strong>{t(`kind_${s.kind}` as Key)}</strong>
            <Facts step={s} />
          </div>
          {s.user_desc && s.kind === 'committed' ? <div>{s.user_desc}</div> : null}
          {s.reason ? (
            <div className="authz-reason" data-testid="step-reason">
              {t('failReason')}: {s.reason}
            </div>
          ) : null}
          {s.screenshots?.length ? (
            <div className="muted">
              {t('screenshots')}: <code>{s.screenshots.join(', ')}</code>
            </div>
          ) : null}
          <div className="muted small">
            <RelativeTime at={s.at} /> · {t('by')} <code>{s.by}</code>
          </div>
        </li>
      ))}
    </ol>
  );
}
