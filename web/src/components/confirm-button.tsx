import { useState, type ReactNode } from 'react';
import { useT } from '../i18n.ts';
import { common } from '../messages.ts';

/**
 * A destructive action in two clicks: the first asks "are you sure?" with Confirm and Cancel next
 * to it; only Confirm runs the action.
 */
export function ConfirmButton(props: {
  children: ReactNode;
  onConfirm: () => void | Promise<void>;
  question?: string;
  disabled?: boolean;
  /** Why the action is disabled now (shown as its tooltip). */
  why?: string | undefined;
}) {
  const t = useT(common);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="danger"
        disabled={props.disabled}
        title={props.why}
        onClick={() => setAsking(true)}
      >
        {props.children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group">
      <span className="confirm-question">{props.question ?? t('areYouSure')}</span>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {t('confirm')}
      </button>
      <button type="button" onClick={() => setAsking(false)} disabled={busy}>
        {t('cancel')}
      </button>
    </span>
  );
}
