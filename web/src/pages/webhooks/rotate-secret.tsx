import { useState } from 'react';
import { api } from '../../api.ts';
import { FormError } from '../../components/field-error.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { useT } from '../../i18n.ts';
import { common } from '../../messages.ts';
import { messages } from './messages.ts';
import { SecretNotice } from './secret-notice.tsx';
import type { Webhook } from './types.ts';

/** Grace periods offered (seconds): the previous secret keeps signing for that long. */
const GRACE_CHOICES = [
  [0, 'graceNone'],
  [3600, 'grace1h'],
  [86400, 'grace24h'],
  [604800, 'grace7d'],
] as const;
const DEFAULT_GRACE = 86400;

/**
 * "Rotate secret" for one webhook: pick the grace period, confirm, and the new secret is shown
 * once (POST /api/admin/webhooks/:id/rotate-secret).
 */
export function RotateSecret(props: { hook: Webhook; onRotated: () => void }) {
  const t = useT(messages);
  const tc = useT(common);
  const [open, setOpen] = useState(false);
  const [grace, setGrace] = useState<number>(DEFAULT_GRACE);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [rotated, setRotated] = useState<(Webhook & { secret: string }) | undefined>();
  const id = `grace-${props.hook.id}`;
  const rotate = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const answer = await api<Webhook & { secret: string }>(
        'POST',
        `/api/admin/webhooks/${encodeURIComponent(props.hook.id)}/rotate-secret`,
        { body: { graceSeconds: grace } },
      );
      setRotated(answer);
      setOpen(false);
      props.onRotated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (rotated) {
    return (
      <SecretNotice secret={rotated.secret} onDone={() => setRotated(undefined)}>
        <p data-testid="rotate-grace">
          {rotated.previous_secret_expires_at ? (
            <>
              {t('rotatedGrace')}{' '}
              <RelativeTime at={rotated.previous_secret_expires_at} absolute={false} />
            </>
          ) : (
            t('rotatedNoGrace')
          )}
        </p>
      </SecretNotice>
    );
  }
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('rotate')}
      </button>
    );
  }
  return (
    <div className="row wrap" role="group" data-testid="rotate-secret">
      <label htmlFor={id}>{t('gracePeriod')}</label>
      <select id={id} value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
        {GRACE_CHOICES.map(([seconds, key]) => (
          <option key={seconds} value={seconds}>
            {t(key)}
          </option>
        ))}
      </select>
      <button type="button" className="primary" disabled={busy} onClick={() => void rotate()}>
        {busy ? t('rotating') : t('rotateConfirm')}
      </button>
      <button type="button" disabled={busy} onClick={() => setOpen(false)}>
        {tc('cancel')}
      </button>
      <p className="help">{t('rotateHelp')}</p>
      <FormError error={error} fields={[]} />
    </div>
  );
}
