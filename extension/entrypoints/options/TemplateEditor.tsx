import { useMemo, useState } from 'react';
import DOMPurify from 'dompurify';
import { i18n } from '#i18n';
import type { TemplateInput } from '../../../shared/messages/templates';
import { BUILT_IN_FIELDS } from '../../../shared/templates';
import { Field } from '../../popup/components/Field';
import { Notice } from '../../popup/components/Notice';
import { analyseTemplate, previewTemplate } from '../../popup/logic/templates-view';

export interface TemplateEditorProps {
  value: TemplateInput;
  onChange(value: TemplateInput): void;
  onSave(): void;
  onDuplicate?(): void;
  onDelete?(): void;
  busy: boolean;
  error?: { message: string; field?: string };
}

const SAMPLE = { name: 'Jane Doe', address: 'jane.doe@acme-corp.com' };

/**
 * One template: name, subject and body with merge fields, what the fields
 * mean (built in, custom, a likely typo, a syntax error), and a live preview
 * for a sample recipient. The preview's HTML is built from escaped text and
 * sanitised with DOMPurify before it is shown.
 */
export function TemplateEditor(p: TemplateEditorProps) {
  const [sample, setSample] = useState(SAMPLE);
  const [custom, setCustom] = useState<Record<string, string>>({});
  const report = useMemo(() => analyseTemplate(p.value.subject, p.value.body), [p.value.subject, p.value.body]);
  // A custom field without a sample value shows as [its_name], so the rep sees where it lands.
  const shown = useMemo(() => Object.fromEntries(report.custom.map((f) => [f.name, custom[f.name]?.trim() || `[${f.name}]`])), [report.custom, custom]);
  const preview = useMemo(() => previewTemplate(p.value, sample, shown), [p.value, sample, shown]);
  const safeHtml = useMemo(() => DOMPurify.sanitize(preview.html, { ALLOWED_TAGS: ['p', 'br', 'a', 'b', 'i', 'strong', 'em'], ALLOWED_ATTR: ['href'] }), [preview.html]);
  const fieldError = (field: string) => (p.error?.field === field ? p.error.message : undefined);
  const insert = (field: string) => p.onChange({ ...p.value, body: `${p.value.body}{{ ${field} | default: "" }}` });

  return (
    <div className="tpl-editor" data-testid="template-editor">
      <div className="tpl-form stack">
        <Field label={i18n.t('templates.editor.name')} error={fieldError('name')}>
          {(c) => <input {...c} value={p.value.name} maxLength={120} onChange={(e) => p.onChange({ ...p.value, name: e.target.value })} />}
        </Field>
        <Field label={i18n.t('templates.editor.subject')} error={fieldError('subject')}>
          {(c) => <input {...c} value={p.value.subject} onChange={(e) => p.onChange({ ...p.value, subject: e.target.value })} />}
        </Field>
        <Field label={i18n.t('templates.editor.body')} help={i18n.t('templates.editor.bodyHelp')} error={fieldError('body')}>
          {(c) => <textarea {...c} className="tpl-body" rows={12} value={p.value.body} onChange={(e) => p.onChange({ ...p.value, body: e.target.value })} />}
        </Field>
        <div className="tpl-fields" aria-label={i18n.t('templates.editor.insertField')}>
          <span className="muted">{i18n.t('templates.editor.insertField')}</span>
          {BUILT_IN_FIELDS.map((f) => (
            <button key={f} type="button" className="btn btn-small btn-quiet" onClick={() => insert(f)}>
              {`{{ ${f} }}`}
            </button>
          ))}
        </div>
        {report.syntaxError ? (
          <Notice tone="error" testId="template-syntax">
            {i18n.t('templates.editor.syntaxError', [report.syntaxError])}
          </Notice>
        ) : null}
        {report.custom.length ? (
          <Notice tone="warn" testId="template-unknown">
            <span className="notice-title">{i18n.t('templates.editor.unknownTitle')}</span>
            <ul className="tpl-unknown">
              {report.custom.map((f) => (
                <li key={f.name} data-field={f.name}>
                  <code>{f.name}</code> — {f.suggestion ? i18n.t('templates.editor.didYouMean', [f.suggestion]) : i18n.t('templates.editor.customField')}
                </li>
              ))}
            </ul>
          </Notice>
        ) : null}
        {p.error && !p.error.field ? <Notice tone="error">{p.error.message}</Notice> : null}
        <div className="actions">
          <button type="button" className="btn btn-primary" disabled={p.busy} onClick={p.onSave}>
            {i18n.t('templates.editor.save')}
          </button>
          {p.onDuplicate ? (
            <button type="button" className="btn" disabled={p.busy} onClick={p.onDuplicate}>
              {i18n.t('templates.editor.duplicate')}
            </button>
          ) : null}
          {p.onDelete ? (
            <button type="button" className="btn btn-quiet tpl-delete" disabled={p.busy} onClick={p.onDelete}>
              {i18n.t('templates.editor.delete')}
            </button>
          ) : null}
        </div>
      </div>
      <aside className="tpl-preview" aria-label={i18n.t('templates.preview.heading')}>
        <h3>{i18n.t('templates.preview.heading')}</h3>
        <div className="tpl-sample">
          <Field label={i18n.t('templates.preview.sampleName')}>
            {(c) => <input {...c} value={sample.name} onChange={(e) => setSample({ ...sample, name: e.target.value })} />}
          </Field>
          <Field label={i18n.t('templates.preview.sampleAddress')}>
            {(c) => <input {...c} value={sample.address} onChange={(e) => setSample({ ...sample, address: e.target.value })} />}
          </Field>
          {report.custom.map((f) => (
            <Field key={f.name} label={f.name}>
              {(c) => <input {...c} value={custom[f.name] ?? ''} onChange={(e) => setCustom({ ...custom, [f.name]: e.target.value })} />}
            </Field>
          ))}
        </div>
        <div className="tpl-mail" data-testid="template-preview">
          <div className="tpl-mail-subject">
            <span className="muted">{i18n.t('templates.editor.subject')}:</span> {preview.subject}
          </div>
          {/* Escaped text turned into paragraphs, then sanitised: no markup from a template or a value survives. */}
          <div className="tpl-mail-body" dangerouslySetInnerHTML={{ __html: safeHtml }} />
        </div>
      </aside>
    </div>
  );
}
