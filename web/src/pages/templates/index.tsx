import { useState } from 'react';
import { api, ApiError, get } from '../../api.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, ErrorBox, Loaded, useErrorText } from '../../components/states.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { useT } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import { useAction } from '../../use-action.ts';
import { messages } from './messages.ts';
import type {
  Draft,
  DraftList,
  LibraryWarning,
  Template,
  TemplateList,
  TemplateUsage,
} from './types.ts';

type T = ReturnType<typeof useT<typeof messages.zh>>;

const is48001 = (e: unknown) => e instanceof ApiError && e.errcode === 48001;

/** WeChat's 48001 in plain words, above the errcode; other errors as usual. */
function TemplateError(props: { t: T; error: unknown; onRetry: () => void }) {
  const text = useErrorText();
  if (!is48001(props.error)) return <ErrorBox error={props.error} onRetry={props.onRetry} />;
  return (
    <div className="state error-box" role="alert" data-testid="error-48001">
      <strong>{props.t('wechat48001')}</strong>
      <p className="help">{text(props.error)}</p>
    </div>
  );
}

function Note(props: { text: string | undefined }) {
  return props.text ? (
    <p className="notice ok" role="status">
      {props.text}
    </p>
  ) : null;
}

function Drafts(props: { t: T; templates: Template[] | undefined; onAdded: () => void }) {
  const { t } = props;
  const state = useApi(() => get<DraftList>('/api/admin/templates/drafts'), []);
  const a = useAction();
  const [standard, setStandard] = useState(false);
  const inLibrary = (d: Draft) =>
    props.templates?.find((x) => x.draft_id === d.draft_id && x.in_library);
  const add = (d: Draft) =>
    a.run(async () => {
      const tpl = await api<Template>('POST', '/api/admin/templates', {
        body: { draft_id: d.draft_id, template_type: standard ? 1 : 0 },
      });
      props.onAdded();
      return t('added', { draft: d.draft_id, id: tpl.template_id });
    });
  return (
    <section className="card wide" data-testid="drafts">
      <div className="page-header">
        <h2>{t('draftsTitle')}</h2>
        <RefreshButton state={state} />
      </div>
      <p className="help">{t('draftsHelp')}</p>
      {state.error !== undefined ? (
        <TemplateError t={t} error={state.error} onRetry={() => void state.reload()} />
      ) : (
        <Loaded state={state}>
          {(d) =>
            d.items.length ? (
              <>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={standard}
                    onChange={(e) => setStandard(e.target.checked)}
                  />{' '}
                  {t('standard')}
                </label>
                <DataTable
                  kind="table"
                  head={[
                    t('draftId'),
                    t('version'),
                    t('description'),
                    t('source'),
                    t('created'),
                    t('actions'),
                  ]}
                  items={[...d.items].reverse()}
                  row={(x) => {
                    const tpl = inLibrary(x);
                    return (
                      <tr key={x.draft_id} data-draft={x.draft_id}>
                        <td>{x.draft_id}</td>
                        <td>{x.user_version}</td>
                        <td>{x.user_desc}</td>
                        <td>
                          <code>{x.source_miniprogram_appid ?? '—'}</code>
                        </td>
                        <td>
                          <RelativeTime at={x.created_at} absolute={false} />
                        </td>
                        <td>
                          {tpl ? (
                            <span className="muted">
                              {t('inLibraryAs', { id: tpl.template_id })}
                            </span>
                          ) : (
                            <button
                              type="button"
                              className="primary"
                              disabled={a.busy}
                              onClick={() => void add(x)}
                            >
                              {t('addToLibrary')}
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  }}
                />
              </>
            ) : (
              <Empty>{t('noDrafts')}</Empty>
            )
          }
        </Loaded>
      )}
      <Note text={a.note} />
      {is48001(a.error) ? (
        <TemplateError t={t} error={a.error} onRetry={() => undefined} />
      ) : (
        <FormError error={a.error} fields={[]} />
      )}
    </section>
  );
}

function Usage(props: { t: T; templateId: number }) {
  const { t } = props;
  const state = useApi(
    () => get<TemplateUsage>(`/api/admin/templates/${props.templateId}/usage`),
    [props.templateId],
  );
  return (
    <div className="usage" data-testid={`usage-${props.templateId}`}>
      <strong>{t('usageTitle')}</strong>
      <Loaded state={state}>
        {(u) => (
          <>
            {u.released.length ? (
              <ul className="compact">
                {u.released.map((r) => (
                  <li key={r.appid}>
                    <Link to={`/authorizers/${r.appid}`}>{r.appid}</Link> · {r.user_version} ·{' '}
                    <RelativeTime at={r.since} absolute={false} />
                  </li>
                ))}
              </ul>
            ) : (
              <p className="help">{t('usageNone')}</p>
            )}
            {u.committed.length ? (
              <>
                <p className="help">{t('committedOnly')}</p>
                <ul className="compact">
                  {u.committed.map((r) => (
                    <li key={r.appid}>
                      <Link to={`/authorizers/${r.appid}`}>{r.appid}</Link> · {r.user_version}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        )}
      </Loaded>
    </div>
  );
}

function NearLimit(props: {
  t: T;
  w: LibraryWarning;
  library: TemplateList['library'];
  remove: (id: number) => Promise<void>;
}) {
  const { t, w, library } = props;
  return (
    <div className="notice warning" role="alert" data-testid="near-limit">
      <p>
        {t('nearLimit', {
          count: library.count,
          limit: library.limit,
          left: Math.max(0, library.limit - library.count),
        })}
      </p>
      {w.candidates.length ? (
        <>
          <p>{t('candidates')}</p>
          <ul className="compact">
            {w.candidates.map((c) => (
              <li key={c.template_id}>
                #{c.template_id} · {c.user_version} ·{' '}
                <RelativeTime at={c.created_at} absolute={false} />{' '}
                <ConfirmButton
                  question={t('deleteQuestion', { id: c.template_id })}
                  onConfirm={() => props.remove(c.template_id)}
                >
                  {t('delete')}
                </ConfirmButton>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function Library(props: { t: T; list: TemplateList; onChange: () => void }) {
  const { t, list } = props;
  const a = useAction();
  const [open, setOpen] = useState<number | undefined>();
  const inLibrary = list.items.filter((x) => x.in_library);
  const dropped = list.items.filter((x) => !x.in_library);
  const setDefault = (x: Template) =>
    a.run(async () => {
      await api('PUT', '/api/admin/templates/default', { body: { template_id: x.template_id } });
      props.onChange();
      return t('defaultSet', { id: x.template_id });
    });
  const remove = (id: number) =>
    a.run(async () => {
      await api('DELETE', `/api/admin/templates/${id}`);
      props.onChange();
      return t('deleted', { id });
    });
  return (
    <>
      <section className="card wide" data-testid="library">
        <h2>{t('libraryTitle')}</h2>
        <p className="help">
          {t('libraryCount', { count: list.library.count, limit: list.library.limit })}
        </p>
        {list.warnings.map((w) =>
          w.code === 'library_near_limit' ? (
            <NearLimit key={w.code} t={t} w={w} library={list.library} remove={remove} />
          ) : (
            <p key={w.code} className="notice warning">
              {w.message}
            </p>
          ),
        )}
        {list.default_template_id === null && inLibrary.length ? (
          <p className="notice warning">{t('noDefault')}</p>
        ) : null}
        <DataTable
          kind="table"
          head={[
            t('templateId'),
            t('version'),
            t('description'),
            t('type'),
            t('created'),
            t('usage'),
            t('actions'),
          ]}
          items={inLibrary}
          row={(x) => (
            <TemplateRow
              key={x.template_id}
              t={t}
              x={x}
              open={open === x.template_id}
              onToggle={() => setOpen(open === x.template_id ? undefined : x.template_id)}
              busy={a.busy}
              onSetDefault={() => void setDefault(x)}
              onDelete={() => remove(x.template_id)}
            />
          )}
          empty={t('noTemplates')}
        />
        <Note text={a.note} />
        {is48001(a.error) ? (
          <TemplateError t={t} error={a.error} onRetry={() => undefined} />
        ) : (
          <FormError error={a.error} fields={[]} />
        )}
      </section>
      {dropped.length ? (
        <section className="card wide" data-testid="dropped">
          <h2>{t('droppedTitle')}</h2>
          <p className="help">{t('droppedHelp')}</p>
          <DataTable
            kind="table"
            head={[
              t('templateId'),
              t('version'),
              t('description'),
              t('source'),
              t('leftAt'),
              t('usage'),
            ]}
            items={dropped}
            row={(x) => (
              <tr key={x.template_id} data-template={x.template_id}>
                <td>#{x.template_id}</td>
                <td>{x.user_version}</td>
                <td>{x.user_desc}</td>
                <td>
                  <code>{x.source_miniprogram_appid ?? '—'}</code>
                </td>
                <td>
                  <RelativeTime at={x.left_library_at} />
                </td>
                <td>{x.usage}</td>
              </tr>
            )}
          />
        </section>
      ) : null}
    </>
  );
}

function TemplateRow(props: {
  t: T;
  x: Template;
  open: boolean;
  busy: boolean;
  onToggle: () => void;
  onSetDefault: () => void;
  onDelete: () => Promise<void>;
}) {
  const { t, x } = props;
  return (
    <>
      <tr data-template={x.template_id} data-default={x.is_default ? 'true' : 'false'}>
        <td>
          #{x.template_id}{' '}
          {x.is_default ? <span className="badge s0">{t('defaultBadge')}</span> : null}
        </td>
        <td>{x.user_version}</td>
        <td>{x.user_desc}</td>
        <td>{x.template_type === 1 ? t('typeStandard') : t('typeNormal')}</td>
        <td>
          <RelativeTime at={x.created_at} absolute={false} />
        </td>
        <td>
          <span data-testid={`usage-count-${x.template_id}`}>{x.usage}</span>{' '}
          <button type="button" className="small" onClick={props.onToggle}>
            {props.open ? t('hideUsage') : t('showUsage')}
          </button>
        </td>
        <td>
          <span className="row wrap">
            {x.is_default ? null : (
              <>
                <button type="button" disabled={props.busy} onClick={props.onSetDefault}>
                  {t('setDefault')}
                </button>
                <ConfirmButton
                  question={t('deleteQuestion', { id: x.template_id })}
                  onConfirm={props.onDelete}
                >
                  {t('delete')}
                </ConfirmButton>
              </>
            )}
          </span>
        </td>
      </tr>
      {props.open ? (
        <tr className="expanded">
          <td colSpan={7}>
            <Usage t={t} templateId={x.template_id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** Draft box → template library → default template; openwx's record of dropped templates. */
export function TemplatesPage() {
  const t = useT(messages);
  const state = useApi(() => get<TemplateList>('/api/admin/templates'), []);
  return (
    <div className="releases">
      <PageHeader title={t('title')}>
        <RefreshButton state={state} />
      </PageHeader>
      <p className="help">{t('intro')}</p>
      {state.error !== undefined ? (
        <TemplateError t={t} error={state.error} onRetry={() => void state.reload()} />
      ) : (
        <Loaded state={state}>
          {(list) => <Library t={t} list={list} onChange={() => void state.reload()} />}
        </Loaded>
      )}
      <Drafts t={t} templates={state.data?.items} onAdded={() => void state.reload()} />
    </div>
  );
}
