import { ApiError } from '../api.ts';
import { useErrorText } from './states.tsx';

/**
 * A form's error next to the field it is about: a local check (`local`) or the API's answer when
 * it names this field, in which the field's `label` (when given) stands for its API name.
 * `FormError` shows an API error that names no field of the form.
 */
export function FieldError(props: {
  field: string;
  error?: unknown;
  local?: string | undefined;
  label?: string;
}) {
  const text = useErrorText();
  const fromApi =
    props.error instanceof ApiError && props.error.field === props.field
      ? text(props.error, props.label === undefined ? undefined : { field: props.label })
      : undefined;
  const message = props.local ?? fromApi;
  if (!message) return null;
  return (
    <p className="field-error" role="alert" id={`${props.field}-error`} data-field={props.field}>
      {message}
    </p>
  );
}

export function FormError(props: { error?: unknown; fields: readonly string[] }) {
  const text = useErrorText();
  const e = props.error;
  if (e === undefined || e === null) return null;
  if (e instanceof ApiError && e.field !== undefined && props.fields.includes(e.field)) return null;
  return (
    <p className="form-error" role="alert">
      {text(e)}
    </p>
  );
}
