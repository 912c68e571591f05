import type { ReactNode } from 'react';
import { CopyButton } from '../../components/copy-button.tsx';
import { useT } from '../../i18n.ts';
import { messages } from './messages.ts';

/** A signing secret shown this once (after create or rotate), with copy and dismiss. */
export function SecretNotice(props: { secret: string; onDone: () => void; children?: ReactNode }) {
  const t = useT(messages);
  return (
    <div className="notice warning" role="alert" data-testid="new-secret">
      <strong>{t('secretTitle')}</strong>
      <p>{t('secretWarning')}</p>
      {props.children}
      <p className="row wrap">
        <code className="value break" data-testid="new-secret-value">
          {props.secret}
        </code>
        <CopyButton value={props.secret} label={t('secretTitle')} />
      </p>
      <button type="button" onClick={props.onDone}>
        {t('secretDone')}
      </button>
    </div>
  );
}
