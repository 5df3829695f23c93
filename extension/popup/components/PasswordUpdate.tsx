import { useState, type FormEvent } from 'react';
import { i18n } from '#i18n';
import { Field } from './Field';

/** After a password change: the new password, sent once to the relay, then tested. */
export function PasswordUpdate(props: { busy: boolean; error?: string; onSave: (password: string) => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  if (!open) {
    return (
      <div className="actions">
        <button type="button" className="btn btn-primary" onClick={() => setOpen(true)} data-testid="enter-new-password">
          {i18n.t('popup.channels.enterNewPassword')}
        </button>
      </div>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) props.onSave(password);
  };
  return (
    <form className="stack inline-form" onSubmit={submit} noValidate>
      <Field label={i18n.t('popup.channels.newPassword')} error={props.error}>
        {(control) => (
          <input {...control} type="password" autoComplete="new-password" autoFocus value={password} onChange={(e) => setPassword(e.target.value)} />
        )}
      </Field>
      <button type="submit" className="btn btn-primary" disabled={props.busy || !password}>
        {props.busy ? i18n.t('popup.channels.testing') : i18n.t('popup.channels.saveNewPassword')}
      </button>
    </form>
  );
}
