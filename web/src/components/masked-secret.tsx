import { useState } from 'react';
import { useT } from '../i18n.ts';
import { common } from '../messages.ts';
import { CopyButton } from './copy-button.tsx';
import { useErrorText } from './states.tsx';

/**
 * A secret shown masked. Reveal asks the server for it (`reveal`), which logs the request; the
 * clear value stays only in this component's memory and Hide forgets it.
 */
export function MaskedSecret(props: {
  masked: string;
  reveal: () => Promise<string>;
  label: string;
}) {
  const t = useT(common);
  const text = useErrorText();
  const [clear, setClear] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <span className="secret">
      <code className="value" data-masked={clear === undefined ? 'true' : 'false'}>
        {clear ?? props.masked}
      </code>
      {clear === undefined ? (
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(undefined);
            try {
              setClear(await props.reveal());
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('reveal')}
        </button>
      ) : (
        <>
          <CopyButton value={clear} label={props.label} />
          <button type="button" onClick={() => setClear(undefined)}>
            {t('hide')}
          </button>
        </>
      )}
      {error !== undefined ? <span className="field-error">{text(error)}</span> : null}
    </span>
  );
}
