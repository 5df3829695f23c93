import { useEffect, useState, type FormEvent } from 'react';
import { i18n } from '#i18n';
import type { EffectiveSettings } from '../../../shared/schemas/settings';
import { send } from '../../lib/messaging';
import { Field } from '../../popup/components/Field';
import { Notice } from '../../popup/components/Notice';
import { errorText } from '../../popup/actions';

/** Gmail's daily limit depends on the account type; a rep (or policy) can set it. */
export function GmailSection(props: { settings: EffectiveSettings | undefined; onSaved: (s: EffectiveSettings) => void }) {
  const values = props.settings?.values;
  const managed = new Set(props.settings?.managedKeys ?? []);
  const [type, setType] = useState<'consumer' | 'workspace'>('consumer');
  const [limit, setLimit] = useState('');
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string }>();
  const [limitError, setLimitError] = useState<string>();

  useEffect(() => {
    if (!values) return;
    setType(values.gmailAccountType ?? 'consumer');
    setLimit(values.gmailDailyLimit ? String(values.gmailDailyLimit) : '');
  }, [values?.gmailAccountType, values?.gmailDailyLimit]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(undefined);
    const n = limit.trim() === '' ? undefined : Number(limit);
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 100_000)) {
      setLimitError(i18n.t('options.gmail.invalidLimit'));
      return;
    }
    setLimitError(undefined);
    try {
      const patch = {
        ...(managed.has('gmailAccountType') ? {} : { gmailAccountType: type }),
        ...(managed.has('gmailDailyLimit') ? {} : { gmailDailyLimit: n }),
      };
      props.onSaved(await send('settings.update', patch));
      setMessage({ tone: 'ok', text: i18n.t('options.gmail.saved') });
    } catch (err) {
      setMessage({ tone: 'error', text: errorText(err) });
    }
  };

  return (
    <section id="gmail" className="options-section" aria-labelledby="gmail-section-heading">
      <h2 id="gmail-section-heading">{i18n.t('options.gmail.heading')}</h2>
      <form className="stack popup-width" onSubmit={save} noValidate>
        <Field label={i18n.t('options.gmail.accountType')} managed={managed.has('gmailAccountType')}>
          {(control) => (
            <select
              {...control}
              value={type}
              disabled={managed.has('gmailAccountType')}
              onChange={(e) => setType(e.target.value as 'consumer' | 'workspace')}
            >
              <option value="consumer">{i18n.t('options.gmail.consumer')}</option>
              <option value="workspace">{i18n.t('options.gmail.workspace')}</option>
            </select>
          )}
        </Field>
        <Field
          label={i18n.t('options.gmail.dailyLimit')}
          help={i18n.t('options.gmail.dailyLimitHelp')}
          error={limitError}
          managed={managed.has('gmailDailyLimit')}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              inputMode="numeric"
              value={limit}
              readOnly={managed.has('gmailDailyLimit')}
              onChange={(e) => setLimit(e.target.value.replace(/[^0-9]/g, ''))}
            />
          )}
        </Field>
        {message && <Notice tone={message.tone}>{message.text}</Notice>}
        <div className="actions">
          <button type="submit" className="btn btn-primary">
            {i18n.t('options.gmail.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
