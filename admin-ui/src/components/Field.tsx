// One form field and, after a refused save, its error in red beside it (WordPress's form-invalid
// styles), so the first field in error can be found and focused in page order.
import type { ReactNode } from 'react';

export function Field({ path, error, children }: { path: string; error?: string | undefined; children: ReactNode }) {
  return (
    <div className={error ? 'crm-bridge-field form-invalid form-required' : 'crm-bridge-field'} data-field={path}>
      {children}
      {error && (
        <p className="crm-bridge-field-error" id={fieldErrorId(path)}>
          {error}
        </p>
      )}
    </div>
  );
}

export const fieldErrorId = (path: string): string => `crm-bridge-error-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** Props that mark a control as invalid and tie it to its message, for screen readers. */
export const invalidProps = (path: string, error: string | undefined) => (error ? { 'aria-invalid': true, 'aria-describedby': fieldErrorId(path) } : {});

/** Focuses the control of the first field in error within root, in page order. */
export function focusFirstError(root: HTMLElement | null): void {
  root?.querySelector<HTMLElement>('.crm-bridge-field.form-invalid :is(input, select, textarea)')?.focus();
}
