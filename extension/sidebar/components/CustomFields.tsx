import { i18n } from '#i18n';

interface Props {
  fields: string[];
  values: Record<string, string>;
  onChange(field: string, value: string): void;
}

/** Inputs for the custom merge fields a message uses (the same value goes to every recipient). */
export function CustomFields({ fields, values, onChange }: Props) {
  if (!fields.length) return null;
  return (
    <fieldset className="sw-custom">
      <legend>{i18n.t('sidebar.custom.heading')}</legend>
      {fields.map((f) => (
        <label key={f} className="sw-field">
          <span className="sw-field-name">{f}</span>
          <input
            type="text"
            value={values[f] ?? ''}
            aria-label={i18n.t('sidebar.custom.label', [f])}
            onChange={(e) => onChange(f, e.currentTarget.value)}
          />
        </label>
      ))}
    </fieldset>
  );
}
