import { useState } from 'react';
import { i18n } from '#i18n';
import type { EnrolPreview } from '../../../shared/messages/sequences';
import { send } from '../../lib/messaging';
import { Field } from '../../popup/components/Field';
import { Notice } from '../../popup/components/Notice';
import { errorText } from '../../popup/actions';
import { parseContacts } from '../../popup/logic/sequences-view';
import { formatNumber } from '../../popup/logic/texts';
import { when } from './sequence-texts';

/**
 * Enrol a list of contacts pasted from a spreadsheet or CRM: first a preview
 * (each contact's first email, the finish, who is skipped and why, warnings
 * such as an Office 365 channel carrying more than it should), then enrol.
 */
export function EnrolForm(props: { sequenceId: string; fields: string[]; onDone(): void }) {
  const [text, setText] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<EnrolPreview>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const parsed = parseContacts(text);
  const fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim()));
  const request = { sequenceId: props.sequenceId, contacts: parsed.contacts, ...(Object.keys(fields).length ? { fields } : {}) };

  const act = async (kind: 'preview' | 'enrol') => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      if (kind === 'preview') setPreview(await send('sequences.preview', request));
      else {
        const r = await send('sequences.enrol', request);
        setDone(i18n.t('sequences.enrol.done', [formatNumber(r.enrolled), formatNumber(r.handedOver), formatNumber(r.pending)]));
        setPreview(undefined);
        setText('');
        props.onDone();
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="seq-enrol stack" data-testid="enrol-form">
      <Field label={i18n.t('sequences.enrol.contacts')} help={i18n.t('sequences.enrol.contactsHelp')} error={parsed.invalid.length ? i18n.t('sequences.enrol.invalid', [parsed.invalid.slice(0, 3).join('; ')]) : undefined}>
        {(c) => (
          <textarea
            {...c}
            rows={4}
            value={text}
            placeholder={'Jane Doe <jane@acme.com>\nbob@globex.com'}
            onChange={(e) => {
              setText(e.target.value);
              setPreview(undefined);
            }}
          />
        )}
      </Field>
      {props.fields.map((f) => (
        <Field key={f} label={i18n.t('sequences.enrol.fieldFor', [f])}>
          {(c) => <input {...c} value={values[f] ?? ''} onChange={(e) => setValues({ ...values, [f]: e.target.value })} />}
        </Field>
      ))}
      {preview ? <PreviewBox preview={preview} /> : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      {done ? <Notice tone="ok">{done}</Notice> : null}
      <div className="actions">
        <button type="button" className="btn" disabled={busy || !parsed.contacts.length} onClick={() => void act('preview')}>
          {i18n.t('sequences.enrol.preview')}
        </button>
        <button type="button" className="btn btn-primary" disabled={busy || !parsed.contacts.length || !!preview?.missingFields.length} onClick={() => void act('enrol')}>
          {i18n.t('sequences.enrol.submit', parsed.contacts.length, [formatNumber(parsed.contacts.length)])}
        </button>
      </div>
    </div>
  );
}

/** What an enrolment would do, as the options page and the sidebar show it. */
export function PreviewBox({ preview }: { preview: EnrolPreview }) {
  return (
    <div className="seq-preview stack" data-testid="enrol-preview">
      <p>
        {preview.contacts.length
          ? i18n.t('sequences.enrol.previewLine', [formatNumber(preview.contacts.length), when(preview.firstAt), when(preview.finishAt)])
          : i18n.t('sequences.enrol.nobody')}
      </p>
      {preview.missingFields.length ? <Notice tone="error">{i18n.t('sequences.enrol.missing', [preview.missingFields.join(', ')])}</Notice> : null}
      {preview.warnings.map((w) => (
        <Notice key={w.code} tone="warn" testId={`warning-${w.code}`}>
          {w.message}
        </Notice>
      ))}
      {preview.skipped.length ? (
        <details>
          <summary>{i18n.t('sequences.enrol.skipped', [formatNumber(preview.skipped.length)])}</summary>
          <ul className="seq-skipped">
            {preview.skipped.map((s) => (
              <li key={`${s.address}-${s.reason}`}>
                {s.address} — {s.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
