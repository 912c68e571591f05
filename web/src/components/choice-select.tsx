import type { ReactNode } from 'react';

/**
 * A filter's select: first the "any" choice (the empty value), then `choices`, each a value and
 * its label.
 */
export function ChoiceSelect(props: {
  id?: string;
  value: string;
  onChange: (value: string) => void;
  any: ReactNode;
  choices: readonly (readonly [value: string, label: ReactNode])[];
}) {
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">{props.any}</option>
      {props.choices.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
}
