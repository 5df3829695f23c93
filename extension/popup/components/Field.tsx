import { useId, type ReactNode } from 'react';
import { i18n } from '#i18n';

export interface FieldControl {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/**
 * A labelled form control with optional help and error text, both tied to the
 * control with aria-describedby so screen readers read them with it.
 */
export function Field(props: {
  label: string;
  help?: string;
  error?: string;
  /** Set by the organisation: shown with a note, the control is read-only. */
  managed?: boolean;
  children: (control: FieldControl) => ReactNode;
}) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [props.error ? errorId : '', props.help ? helpId : '', props.managed ? `${id}-managed` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {props.label}
        {props.managed && (
          <span className="managed-badge" id={`${id}-managed`}>
            {i18n.t('popup.managed')}
          </span>
        )}
      </label>
      {props.children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(props.error ? { 'aria-invalid': true as const } : {}),
      })}
      {props.error && (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      )}
      {props.help && (
        <p className="field-help" id={helpId}>
          {props.help}
        </p>
      )}
    </div>
  );
}
