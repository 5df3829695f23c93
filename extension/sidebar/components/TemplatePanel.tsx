import { i18n } from '#i18n';
import type { Template } from '../../../shared/messages/templates';

export type TemplatesState = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; templates: Template[] };

interface Props {
  templates: TemplatesState;
  note: string | null;
  /** The subject as it would read for this compose (merge fields filled in). */
  preview(template: Template): string;
  onInsert(template: Template): void;
}

/** The rep's templates; inserting writes subject and body into the webmail's own fields. */
export function TemplatePanel({ templates, note, preview, onInsert }: Props) {
  return (
    <section className="sw-panel" aria-label={i18n.t('sidebar.templates.heading')}>
      <h3>{i18n.t('sidebar.templates.heading')}</h3>
      {templates.state === 'loading' ? <p className="sw-muted">{i18n.t('sidebar.templates.loading')}</p> : null}
      {templates.state === 'error' ? <p className="sw-warning">{i18n.t('sidebar.templates.failed', [templates.message])}</p> : null}
      {templates.state === 'ready' && !templates.templates.length ? <p className="sw-muted">{i18n.t('sidebar.templates.none')}</p> : null}
      {templates.state === 'ready' && templates.templates.length ? (
        <ul className="sw-template-list">
          {templates.templates.map((t) => (
            <li key={t.id}>
              <button type="button" className="sw-template" aria-label={i18n.t('sidebar.templates.insert', [t.name])} onClick={() => onInsert(t)}>
                <span className="sw-template-name">{t.name}</span>
                <span className="sw-template-subject">{preview(t)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {note ? <p className="sw-info" role="status">{note}</p> : null}
    </section>
  );
}
