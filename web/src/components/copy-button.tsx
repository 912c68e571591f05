import { useState } from 'react';
import { useT } from '../i18n.ts';
import { common } from '../messages.ts';

/** Copies a value to the clipboard and says so (or says to select it by hand). */
export function CopyButton(props: { value: string; label?: string }) {
  const t = useT(common);
  const [done, setDone] = useState<'copied' | 'copyFailed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setDone('copied');
    } catch {
      setDone('copyFailed');
    }
    setTimeout(() => setDone(undefined), 2000);
  };
  return (
    <button
      type="button"
      className="copy"
      onClick={copy}
      aria-label={`${t('copy')} ${props.label ?? ''}`.trim()}
    >
      {done ? t(done) : t('copy')}
    </button>
  );
}
