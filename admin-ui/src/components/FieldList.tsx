// Labelled values as a definition list; a value that is null or empty is left out.
import type { ReactNode } from 'react';

export type Fields = [label: string, value: ReactNode | null][];

export function FieldList({ fields, className, testId }: { fields: Fields; className: string; testId?: string }) {
  return (
    <dl className={className} data-testid={testId}>
      {fields
        .filter(([, value]) => value !== null && value !== '')
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}
