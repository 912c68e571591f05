import { useState, type FormEvent } from 'react';
import { ChoiceSelect } from '../../components/choice-select.tsx';
import { FieldError } from '../../components/field-error.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { FilteredLog } from '../../components/filtered-log.tsx';
import { useT } from '../../i18n.ts';
import { Link, navigate } from '../../router.tsx';
import { messages } from './messages.ts';
import { EVENT_SOURCES, type EventPage, type EventSource } from './types.ts';

const LIMIT = 30;
const FILTERS = ['type', 'appid', 'source', 'since', 'until'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** A datetime-local value (the browser's local time) as ISO 8601, or '' when empty/invalid. */
function toIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
/** An ISO time as a datetime-local value in the browser's time zone. */
function toLocal(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function FilterForm(props: { current: Filters; error: unknown }) {
  const t = useT(messages);
  const [f, setF] = useState<Filters>({
    ...props.current,
    since: toLocal(props.current.since),
    until: toLocal(props.current.until),
  });
  const [local, setLocal] = useState<string | undefined>();
  const set = (k: keyof Filters, v: string) => setF({ ...f, [k]: v });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const since = toIso(f.since);
    const until = toIso(f.until);
    if (since && until && until <= since) return setLocal(t('untilBeforeSince'));
    setLocal(undefined);
    const q = new URLSearchParams();
    const values: Filters = { ...f, since, until };
    for (const k of FILTERS) if (values[k].trim()) q.set(k, values[k].trim());
    const s = q.toString();
    navigate(`/events${s ? `?${s}` : ''}`, { replace: true });
  };
  return (
    <form className="adm-filters" onSubmit={submit} noValidate>
      <div>
        <label htmlFor="event-type">{t('type')}</label>
        <input
          id="event-type"
          value={f.type}
          maxLength={64}
          placeholder="text, authorized, …"
          onChange={(e) => set('type', e.target.value)}
        />
        <FieldError field="type" error={props.error} />
      </div>
      <div>
        <label htmlFor="event-appid">{t('appid')}</label>
        <input
          id="event-appid"
          value={f.appid}
          maxLength={64}
          placeholder="wx…"
          onChange={(e) => set('appid', e.target.value)}
        />
        <FieldError field="appid" error={props.error} />
      </div>
      <div>
        <label htmlFor="event-source">{t('source')}</label>
        <ChoiceSelect
          id="event-source"
          value={f.source}
          onChange={(v) => set('source', v)}
          any={t('anySource')}
          choices={EVENT_SOURCES.map((s) => [s, t(`src_${s}`)])}
        />
        <FieldError field="source" error={props.error} />
      </div>
      <div>
        <label htmlFor="event-since">{t('since')}</label>
        <input
          id="event-since"
          type="datetime-local"
          value={f.since}
          onChange={(e) => set('since', e.target.value)}
        />
        <FieldError field="since" error={props.error} />
      </div>
      <div>
        <label htmlFor="event-until">{t('until')}</label>
        <input
          id="event-until"
          type="datetime-local"
          value={f.until}
          aria-invalid={local ? true : undefined}
          onChange={(e) => set('until', e.target.value)}
        />
        <FieldError field="until" local={local} error={props.error} />
      </div>
      <div className="row adm-filter-buttons">
        <button type="submit" className="primary">
          {t('filter')}
        </button>
        <button type="button" onClick={() => navigate('/events', { replace: true })}>
          {t('clear')}
        </button>
      </div>
    </form>
  );
}

/** The log of pushes: filters in the URL (?type=&appid=&source=&since=&until=), newest first. */
export function EventsPage() {
  const t = useT(messages);
  return (
    <FilteredLog<(typeof FILTERS)[number], EventPage['items'][number]>
      title={t('title')}
      intro={t('intro')}
      path="/api/admin/events"
      filters={FILTERS}
      limit={LIMIT}
      form={(current, error) => <FilterForm current={current} error={error} />}
      testId="events"
      head={['#', t('type'), t('appid'), t('source'), t('received')]}
      row={(e) => (
        <tr key={e.id} data-event={e.id} data-type={e.type}>
          <td>
            <Link to={`/events/${e.id}`} title={t('open')}>
              #{e.id}
            </Link>
          </td>
          <td>
            <Link to={`/events/${e.id}`}>{e.type}</Link>
          </td>
          <td>
            <code>{e.appid ?? '—'}</code>
          </td>
          <td>{t(`src_${e.source as EventSource}`)}</td>
          <td>
            <RelativeTime at={e.receivedAt} />
          </td>
        </tr>
      )}
      empty={t('none')}
    />
  );
}
