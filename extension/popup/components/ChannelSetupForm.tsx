import type { FormEvent } from 'react';
import { i18n } from '#i18n';
import type { Security } from '../../../shared/schemas/relay-api';
import type { ChannelForm, FormErrors } from '../logic/channel-form';
import type { VerifyText } from '../logic/texts';
import { Field } from './Field';
import { Notice } from './Notice';
import { Office365Notice } from './Office365Notice';
import { TestResult } from './TestResult';

export interface ChannelSetupFormProps {
  form: ChannelForm;
  errors: FormErrors;
  busy: boolean;
  result?: VerifyText;
  generalError?: string;
  step?: { n: number; of: number };
  onChange: (patch: Partial<ChannelForm>) => void;
  onSecurity: (security: Security) => void;
  onSubmit: () => void;
}

/** The details each kind of relay channel needs, then "Save and test connection". */
export function ChannelSetupForm(props: ChannelSetupFormProps) {
  const { form, errors, onChange } = props;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  const text = (field: 'name' | 'host' | 'username' | 'domains' | 'email', label: string, extra: Record<string, unknown> = {}, help?: string) => (
    <Field label={label} error={errors[field]} help={help}>
      {(control) => (
        <input
          {...control}
          type="text"
          spellCheck={false}
          value={form[field]}
          onChange={(e) => onChange({ [field]: e.target.value })}
          data-testid={`field-${field}`}
          {...extra}
        />
      )}
    </Field>
  );
  const secret = (label: string, help?: string) => (
    <Field label={label} error={errors.password} help={help}>
      {(control) => (
        <input
          {...control}
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={(e) => onChange({ password: e.target.value })}
          data-testid="field-password"
        />
      )}
    </Field>
  );
  const share = (
    <>
      <div className="check">
        <input id="share-team" type="checkbox" checked={form.share} onChange={(e) => onChange({ share: e.target.checked })} />
        <label htmlFor="share-team">{i18n.t('popup.shared.share')}</label>
      </div>
      {form.share &&
        text('domains', i18n.t('popup.shared.domains'), { placeholder: 'example.com' }, `${i18n.t('popup.shared.shareHelp')} ${i18n.t('popup.shared.domainsHelp')}`)}
    </>
  );

  return (
    <form className="stack" onSubmit={submit} noValidate aria-busy={props.busy}>
      {props.step && <p className="step">{i18n.t('popup.relay.step', [String(props.step.n), String(props.step.of)])}</p>}
      {form.provider === 'office365' && (
        <>
          {/* Modern authentication ("Connect Office 365", OAuth via the relay) is a separate issue: it comes in
              here as a second way in, above the password fields, once a Microsoft client id is configured. */}
          <Office365Notice />
          {text('email', i18n.t('popup.office365.email'), { type: 'email', autoComplete: 'email' })}
          {secret(i18n.t('popup.office365.password'), i18n.t('popup.office365.passwordHelp'))}
        </>
      )}
      {(form.provider === 'sparkpost' || form.provider === 'sendgrid') && (
        <>
          {secret(
            i18n.t('popup.shared.apiKey'),
            form.provider === 'sparkpost' ? i18n.t('popup.shared.sparkpostKeyHelp') : i18n.t('popup.shared.sendgridKeyHelp'),
          )}
          {form.provider === 'sparkpost' && (
            <Field label={i18n.t('popup.shared.region')}>
              {(control) => (
                <select {...control} value={form.region} onChange={(e) => onChange({ region: e.target.value as 'us' | 'eu' })}>
                  <option value="us">{i18n.t('popup.shared.regionUs')}</option>
                  <option value="eu">{i18n.t('popup.shared.regionEu')}</option>
                </select>
              )}
            </Field>
          )}
          {share}
          {text('name', i18n.t('popup.form.name'), {}, i18n.t('popup.form.nameHelp'))}
        </>
      )}
      {form.provider === 'smtp' && (
        <>
          {text('host', i18n.t('popup.smtp.host'), { placeholder: i18n.t('popup.smtp.hostPlaceholder'), autoComplete: 'off' })}
          <div className="row">
            <Field label={i18n.t('popup.smtp.security')}>
              {(control) => (
                <select {...control} value={form.security} onChange={(e) => props.onSecurity(e.target.value as Security)} data-testid="field-security">
                  <option value="starttls">{i18n.t('popup.smtp.securityStarttls')}</option>
                  <option value="tls">{i18n.t('popup.smtp.securityTls')}</option>
                  <option value="none">{i18n.t('popup.smtp.securityNone')}</option>
                </select>
              )}
            </Field>
            <Field label={i18n.t('popup.smtp.port')} error={errors.port}>
              {(control) => (
                <input
                  {...control}
                  className="input-port"
                  type="text"
                  inputMode="numeric"
                  value={form.port}
                  onChange={(e) => onChange({ port: e.target.value.replace(/[^0-9]/g, '') })}
                  data-testid="field-port"
                />
              )}
            </Field>
          </div>
          {text('username', i18n.t('popup.smtp.username'), { autoComplete: 'username' })}
          {secret(i18n.t('popup.smtp.password'))}
          {share}
          {text('name', i18n.t('popup.form.name'), { placeholder: form.host || undefined }, i18n.t('popup.form.nameHelp'))}
        </>
      )}
      {props.result && <TestResult text={props.result} />}
      {props.generalError && <Notice tone="error">{props.generalError}</Notice>}
      <button type="submit" className="btn btn-primary btn-wide" disabled={props.busy} data-testid="save-and-test">
        {props.busy ? i18n.t('popup.form.testing') : i18n.t('popup.form.saveAndTest')}
      </button>
    </form>
  );
}
