import type { useT } from '../../i18n.ts';
import type { messages } from './messages.ts';

/** What the sandbox page's panels share. */
export type T = ReturnType<typeof useT<typeof messages.zh>>;

export function Note(props: { text: string | undefined }) {
  return props.text ? (
    <p className="notice ok" role="status">
      {props.text}
    </p>
  ) : null;
}
