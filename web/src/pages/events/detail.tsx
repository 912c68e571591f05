import { get } from '../../api.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.tsx';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';
import type { EventDetail, EventSource } from './types.ts';

const escapeCdata = (s: string) => s.replaceAll(']]>', ']]]]><![CDATA[>');

/** The decrypted fields written back as WeChat's XML (<xml><Field><![CDATA[…]]></Field>…). */
export function toXml(fields: Record<string, unknown>, indent = '  '): string {
  const lines: string[] = [];
  const walk = (name: string, v: unknown, pad: string) => {
    if (Array.isArray(v)) {
      for (const item of v) walk(name, item, pad);
    } else if (v !== null && typeof v === 'object') {
      lines.push(`${pad}<${name}>`);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(k, x, pad + indent);
      lines.push(`${pad}</${name}>`);
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      lines.push(`${pad}<${name}>${String(v)}</${name}>`);
    } else {
      lines.push(`${pad}<${name}><![CDATA[${escapeCdata(String(v ?? ''))}]]></${name}>`);
    }
  };
  lines.push('<xml>');
  for (const [k, v] of Object.entries(fields)) walk(k, v, indent);
  lines.push('</xml>');
  return lines.join('\n');
}

const show = (v: unknown) =>
  v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v ?? '');

/** One push, decrypted: its fields and the XML they came in (credentials redacted). */
export function EventDetailPage(props: PageProps) {
  const t = useT(messages);
  const id = props.params['id'] ?? '';
  const state = useApi(() => get<EventDetail>(`/api/admin/events/${encodeURIComponent(id)}`), [id]);
  return (
    <>
      <p>
        <Link to="/events">{t('back')}</Link>
      </p>
      <Loaded state={state}>
        {(e) => {
          const xml = toXml(e.decoded);
          return (
            <>
              <PageHeader title={t('detailTitle', { id: e.id })} />
              <section className="card">
                <dl className="settings">
                  <div className="setting">
                    <dt>{t('type')}</dt>
                    <dd>
                      <Link to={`/events?type=${encodeURIComponent(e.type)}`}>{e.type}</Link>
                    </dd>
                  </div>
                  <div className="setting">
                    <dt>{t('source')}</dt>
                    <dd>{t(`src_${e.source as EventSource}`)}</dd>
                  </div>
                  <div className="setting">
                    <dt>{t('appid')}</dt>
                    <dd>
                      {e.appid ? (
                        <Link to={`/events?appid=${encodeURIComponent(e.appid)}`}>{e.appid}</Link>
                      ) : (
                        '—'
                      )}
                    </dd>
                  </div>
                  <div className="setting">
                    <dt>{t('received')}</dt>
                    <dd>
                      <RelativeTime at={e.receivedAt} />
                    </dd>
                  </div>
                  <div className="setting">
                    <dt>{t('createTime')}</dt>
                    <dd>
                      <RelativeTime at={e.createTime} />
                    </dd>
                  </div>
                </dl>
              </section>
              <div className="grid two">
                <section className="card">
                  <h2>{t('fields')}</h2>
                  <DataTable
                    kind="adm-table"
                    testId="event-fields"
                    head={[t('field'), t('value')]}
                    items={Object.entries(e.decoded)}
                    row={([k, v]) => (
                      <tr key={k} data-field={k}>
                        <th scope="row">
                          <code>{k}</code>
                        </th>
                        <td className="break">{show(v)}</td>
                      </tr>
                    )}
                  />
                </section>
                <section className="card">
                  <div className="page-header">
                    <h2>{t('xml')}</h2>
                    <CopyButton value={xml} label={t('xml')} />
                  </div>
                  <pre className="adm-code" data-testid="event-xml">
                    {xml}
                  </pre>
                  <p className="help">{t('redactedNote')}</p>
                </section>
              </div>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
