import { i18n } from '#i18n';
import type { EnrolController } from '../enrol';
import { formatTime } from '../enrol';

/**
 * "Add to sequence": pick a sequence, fill in its custom fields, see when each
 * recipient's first email goes out and when the sequence finishes (and any
 * warning, such as more Office 365 mail a day than is wise), then enrol.
 */
export function EnrolPanel({ enrol }: { enrol: EnrolController }) {
  const list = enrol.summaries ?? [];
  const selected = list.find((s) => s.id === enrol.selectedId) ?? null;
  const preview = enrol.preview.state === 'ready' ? enrol.preview.preview : null;
  const count = enrol.contacts.length;
  const blocked = !selected || !count || enrol.busy || enrol.preview.state !== 'ready' || !!preview?.missingFields.length || !preview?.contacts.length;
  return (
    <div className="sw-enrol" data-testid="sw-enrol">
      <label className="sw-field">
        <span>{i18n.t('sequences.sidebar.sequence')}</span>
        <select value={enrol.selectedId ?? ''} onChange={(e) => enrol.select(e.currentTarget.value)} aria-label={i18n.t('sequences.sidebar.sequence')}>
          {list.map((s) => (
            <option key={s.id} value={s.id}>
              {i18n.t('sequences.sidebar.option', [s.name, String(s.steps)])}
            </option>
          ))}
        </select>
      </label>
      {selected ? (
        <p className="sw-muted">
          {selected.channelName ? i18n.t('sequences.sidebar.via', [selected.channelName]) : i18n.t('sequences.sidebar.noChannel')}
        </p>
      ) : null}
      {selected?.fields.length ? (
        <fieldset className="sw-custom">
          <legend>{i18n.t('sequences.sidebar.fields')}</legend>
          {selected.fields.map((f) => (
            <label key={f} className="sw-field">
              <span className="sw-field-name">{f}</span>
              <input type="text" value={enrol.fields[f] ?? ''} aria-label={i18n.t('sidebar.custom.label', [f])} onChange={(e) => enrol.setField(f, e.currentTarget.value)} />
            </label>
          ))}
        </fieldset>
      ) : null}
      {!count ? <p className="sw-muted">{i18n.t('sequences.sidebar.noRecipients')}</p> : null}
      {enrol.preview.state === 'loading' ? <p className="sw-muted">{i18n.t('sequences.sidebar.planning')}</p> : null}
      {enrol.preview.state === 'error' ? <p className="sw-warning">{enrol.preview.message}</p> : null}
      {preview ? (
        <div className="sw-enrol-preview" data-testid="sw-enrol-preview">
          {preview.contacts.length ? (
            <>
              <ul className="sw-enrol-list">
                {preview.contacts.map((c) => (
                  <li key={c.address}>
                    <span className="sw-address">{c.address}</span>
                    <span className="sw-enrol-when">{i18n.t('sequences.sidebar.first', [formatTime(c.firstAt)])}</span>
                  </li>
                ))}
              </ul>
              {preview.finishAt !== null ? <p className="sw-muted">{i18n.t('sequences.sidebar.finish', [formatTime(preview.finishAt)])}</p> : null}
            </>
          ) : null}
          {preview.missingFields.length ? <p className="sw-warning">{i18n.t('sequences.sidebar.missing', [preview.missingFields.join(', ')])}</p> : null}
          {preview.skipped.map((s) => (
            <p key={s.address} className="sw-info">
              {s.address}: {s.message}
            </p>
          ))}
          {preview.warnings.map((w) => (
            <p key={w.code} className="sw-warning" data-code={w.code}>
              {w.message}
            </p>
          ))}
        </div>
      ) : null}
      {enrol.contacts.some((c) => c.cc?.length) ? <p className="sw-muted sw-enrol-note">{i18n.t('sequences.sidebar.ccNote')}</p> : null}
      <button type="button" className="sw-button sw-primary" disabled={blocked} onClick={enrol.enrol}>
        {i18n.t('sequences.sidebar.enrol', count, [String(count)])}
      </button>
      {enrol.result ? (
        <p className={enrol.result.kind === 'success' ? 'sw-info' : 'sw-warning'} role="status" data-testid="sw-enrol-result">
          {enrol.result.text}
        </p>
      ) : null}
    </div>
  );
}
