import type { ReactNode } from 'react';
import { Empty } from './states.tsx';

/**
 * A table in its scrolling wrapper: `kind` is the style (`table`, `adm-table` or `authz-table`,
 * wrapped in `<kind>-wrap`), `head` the column titles and `row` one `<tr>` per item. With `empty`,
 * no items show that text instead of the table; `footer` (the pagination) follows the table.
 */
export function DataTable<T>(props: {
  kind: 'table' | 'adm-table' | 'authz-table';
  className?: string;
  testId?: string;
  head: ReactNode[];
  items: readonly T[];
  row: (item: T) => ReactNode;
  empty?: ReactNode;
  footer?: ReactNode;
}) {
  const { kind, head, items } = props;
  if (props.empty !== undefined && items.length === 0) return <Empty>{props.empty}</Empty>;
  const table = (
    <div className={`${kind}-wrap`}>
      <table
        className={props.className ? `${kind} ${props.className}` : kind}
        data-testid={props.testId}
      >
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{items.map(props.row)}</tbody>
      </table>
    </div>
  );
  if (props.footer === undefined) return table;
  return (
    <>
      {table}
      {props.footer}
    </>
  );
}
