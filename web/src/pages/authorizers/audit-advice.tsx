import { get } from '../../api.ts';
import type { Schemas } from '../../api-types.ts';
import { useErrorText } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';

type Key = keyof typeof messages.zh;
type AuditAdvice = Schemas['AuditAdvice'];
type AdviceItem = AuditAdvice['advice'][number];

function adviceParams(a: AdviceItem): Record<string, string | number> {
  const p = a.params as Record<string, unknown>;
  const names = Array.isArray(p['qualifications']) ? (p['qualifications'] as unknown[]) : [];
  return {
    name: typeof p['name'] === 'string' ? p['name'] : '',
    qualifications: names.map(String).join('、'),
  };
}

/**
 * Next to a failed audit's reason: the categories it asks for, whether this mini program can add
 * them (or has them, or cannot choose them), and what to do.
 */
export function AuditAdviceList(props: { appid: string; auditid: number | null }) {
  const t = useT(messages);
  const text = useErrorText();
  const advice = useApi(
    () => get<AuditAdvice>(`/api/admin/authorizers/${props.appid}/audit-advice`),
    [props.appid, props.auditid],
  );
  if (advice.error !== undefined) {
    const message = text(advice.error);
    return (
      <p className="muted" data-testid="audit-advice-error">
        {t('reasonCategoriesUnavailable', { message })}
      </p>
    );
  }
  const data = advice.data;
  if (!data) return null;
  if (data.categories.length === 0) {
    return (
      <p className="muted" data-testid="audit-advice" data-count="0">
        {t('advice_no_category_named')}
      </p>
    );
  }
  return (
    <div data-testid="audit-advice" data-count={data.categories.length}>
      <strong>{t('reasonCategories')}</strong>
      <ul className="authz-checks">
        {data.categories.map((c, i) => {
          const a = data.advice[i];
          const good = c.status === 'can_add' || c.status === 'already_added';
          return (
            <li key={c.name} data-category={c.name} data-status={c.status}>
              <span className={good ? 'authz-ok' : 'authz-fail'}>{good ? '✓' : '!'}</span>{' '}
              <strong>{c.name}</strong> · {t(`reasonStatus_${c.status}` as Key)}
              {c.sensitive ? ` · ${t('reasonSensitive')}` : ''}
              {a ? (
                <div className="muted" data-advice={a.code}>
                  {t(`advice_${a.code}` as Key, adviceParams(a))}
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
