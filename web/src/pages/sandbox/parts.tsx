import { FormError } from '../../components/field-error.tsx';
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

/**
 * A refusal the page words itself (nothing waiting for a decision): kept as a message key, so
 * that it is shown in the language of the moment, also after a switch.
 */
export class SaidError extends Error {
  readonly say: (t: T) => string;
  constructor(say: (t: T) => string, cause: unknown) {
    super('refused', { cause });
    this.name = 'SaidError';
    this.say = say;
  }
}

/** An action's error: the page's own wording, or the API's (FormError). */
export function ActionError(props: { t: T; error: unknown }) {
  if (props.error instanceof SaidError)
    return (
      <p className="form-error" role="alert">
        {props.error.say(props.t)}
      </p>
    );
  return <FormError error={props.error} fields={[]} />;
}
