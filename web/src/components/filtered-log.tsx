import { Fragment, useState, type ReactNode } from 'react';
import { ApiError, get } from '../api.ts';
import { useApi } from '../use-api.ts';
import { useLocation } from '../router.tsx';
import { DataTable } from './data-table.tsx';
import { FormError } from './field-error.tsx';
import { PageHeader } from './layout.tsx';
import { Pagination } from './pagination.tsx';
import { RefreshButton } from './refresh-button.tsx';
import { Loaded } from './states.tsx';

/**
 * A log page of the admin API (events, the audit trail): filters kept in the URL's query string,
 * a list read newest first with a cursor (`?before=&limit=` answered `{items, next}`), a refused
 * filter (400) shown next to its field instead of the list, and the first page again whenever
 * the filters change.
 */
export interface CursorPage<T> {
  items: T[];
  next: number | string | null;
}

export function FilteredLog<F extends string, T>(props: {
  title: string;
  intro: string;
  /** The list's route, e.g. /api/admin/events. */
  path: string;
  filters: readonly F[];
  limit: number;
  /** The filter form, remade when the URL's filters change. */
  form: (current: Record<F, string>, error: ApiError | undefined) => ReactNode;
  testId: string;
  head: ReactNode[];
  row: (item: T) => ReactNode;
  empty: string;
  /** Sections after the list. */
  children?: ReactNode;
}) {
  const { search } = useLocation();
  const current = Object.fromEntries(props.filters.map((k) => [k, search.get(k) ?? ''])) as Record<
    F,
    string
  >;
  const key = props.filters.map((k) => current[k]).join('|');
  const [cursor, setCursor] = useState<{ key: string; before: number } | undefined>();
  const before = cursor?.key === key ? cursor.before : undefined;
  const state = useApi(
    () => get<CursorPage<T>>(props.path, { ...current, before, limit: props.limit }),
    [key, before],
  );
  const filterError =
    state.error instanceof ApiError && state.error.status === 400 ? state.error : undefined;
  return (
    <>
      <PageHeader title={props.title}>
        <RefreshButton state={state} />
      </PageHeader>
      <p className="help">{props.intro}</p>
      <section className="card">
        <Fragment key={key}>{props.form(current, filterError)}</Fragment>
        <FormError error={filterError} fields={props.filters} />
      </section>
      <section className="card">
        {filterError ? null : (
          <Loaded state={state}>
            {(page) => (
              <DataTable
                kind="adm-table"
                testId={props.testId}
                head={props.head}
                items={page.items}
                row={props.row}
                empty={props.empty}
                footer={
                  <Pagination
                    kind="cursor"
                    next={page.next}
                    atStart={before === undefined}
                    onNext={(c) => setCursor({ key, before: Number(c) })}
                    onFirst={() => setCursor(undefined)}
                  />
                }
              />
            )}
          </Loaded>
        )}
      </section>
      {props.children}
    </>
  );
}
