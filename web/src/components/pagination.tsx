import { useT } from '../i18n.ts';
import { common } from '../messages.ts';

/**
 * Server-side pagination, in the two shapes the admin API uses:
 * - offset: `?limit=&offset=` answered with `{ items, total }` (authorizers, tenants, ...);
 * - cursor: `?limit=&before=` answered with `{ items, next }` (events): `next` is the cursor of the
 *   following page, null on the last one; going back returns to the first page.
 */
export type PaginationProps =
  | {
      kind: 'offset';
      offset: number;
      limit: number;
      total: number;
      onChange: (offset: number) => void;
    }
  | {
      kind: 'cursor';
      next: number | string | null;
      atStart: boolean;
      onNext: (cursor: number | string) => void;
      onFirst: () => void;
    };

export function Pagination(props: PaginationProps) {
  const t = useT(common);
  if (props.kind === 'offset') {
    const { offset, limit, total, onChange } = props;
    if (total <= limit && offset === 0) return null;
    const to = Math.min(offset + limit, total);
    return (
      <nav className="pagination" aria-label="pagination">
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => onChange(Math.max(0, offset - limit))}
        >
          {t('previous')}
        </button>
        <span>{t('pageOf', { from: total === 0 ? 0 : offset + 1, to, total })}</span>
        <button type="button" disabled={to >= total} onClick={() => onChange(offset + limit)}>
          {t('next')}
        </button>
      </nav>
    );
  }
  const { next, atStart, onNext, onFirst } = props;
  if (next === null && atStart) return null;
  return (
    <nav className="pagination" aria-label="pagination">
      <button type="button" disabled={atStart} onClick={onFirst}>
        {t('first')}
      </button>
      <button type="button" disabled={next === null} onClick={() => next !== null && onNext(next)}>
        {t('next')}
      </button>
    </nav>
  );
}
