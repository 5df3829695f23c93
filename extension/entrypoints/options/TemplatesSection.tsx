import { useRef, useState } from 'react';
import { i18n } from '#i18n';
import type { Template, TemplateInput } from '../../../shared/messages/templates';
import { SendwayError } from '../../../shared/messages/define';
import { send } from '../../lib/messaging';
import { Notice } from '../../popup/components/Notice';
import { useLoad } from '../../popup/hooks/useLoad';
import { errorText } from '../../popup/actions';
import { copyName, exportTemplates, parseTemplateImport } from '../../popup/logic/templates-view';
import { TemplateEditor } from './TemplateEditor';
import './sequences.css';

const blank = (): TemplateInput => ({ name: '', subject: '', body: '' });

/** Templates: a list, an editor with live preview, duplicate, delete, and import/export as JSON. */
export function TemplatesSection() {
  const list = useLoad(() => send('templates.list', {}));
  const [editing, setEditing] = useState<TemplateInput | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string }>();
  const [note, setNote] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const templates = list.data?.templates ?? [];

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      await work();
    } catch (e) {
      setError({ message: errorText(e), ...(e instanceof SendwayError && e.field ? { field: e.field } : {}) });
    } finally {
      setBusy(false);
    }
  };

  const open = (t: Template | TemplateInput) => {
    setEditing({ ...(t.id ? { id: t.id } : {}), name: t.name, subject: t.subject, body: t.body });
    setError(undefined);
    setConfirmDelete(false);
  };

  const save = () =>
    run(async () => {
      const saved = await send('templates.save', editing!);
      await list.reload();
      open(saved);
      setNote(i18n.t('templates.saved', [saved.name]));
    });

  const duplicate = () =>
    run(async () => {
      const copy = await send('templates.save', {
        name: copyName(editing!.name, templates.map((t) => t.name), i18n.t('templates.copyWord')),
        subject: editing!.subject,
        body: editing!.body,
      });
      await list.reload();
      open(copy);
      setNote(i18n.t('templates.duplicated', [copy.name]));
    });

  const remove = () =>
    run(async () => {
      await send('templates.delete', { id: editing!.id! });
      await list.reload();
      setEditing(null);
      setConfirmDelete(false);
      setNote(i18n.t('templates.deleted'));
    });

  const exportAll = () => {
    const blob = new Blob([exportTemplates(templates)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = 'sendway-templates.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const importFile = (file: File) =>
    run(async () => {
      if (file.size > 5_000_000) throw new Error(i18n.t('templates.import.tooLarge'));
      const parsed = parseTemplateImport(await file.text());
      if (!parsed.ok) throw new Error(i18n.t('templates.import.invalid', [parsed.error]));
      const known = new Set(templates.map((t) => t.id));
      let replaced = 0;
      for (const t of parsed.templates) {
        if (t.id && known.has(t.id)) replaced++;
        await send('templates.save', t);
      }
      await list.reload();
      setNote(i18n.t('templates.import.done', [String(parsed.templates.length), String(replaced)]));
    });

  return (
    <section id="templates" className="options-section" aria-labelledby="templates-heading">
      <div className="section-head">
        <h2 id="templates-heading">{i18n.t('templates.heading')}</h2>
        <div className="actions">
          <button type="button" className="btn btn-primary" onClick={() => open(blank())}>
            {i18n.t('templates.new')}
          </button>
          <button type="button" className="btn" onClick={() => fileInput.current?.click()}>
            {i18n.t('templates.import.button')}
          </button>
          <button type="button" className="btn" disabled={!templates.length} onClick={exportAll}>
            {i18n.t('templates.export')}
          </button>
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            hidden
            aria-label={i18n.t('templates.import.button')}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
        </div>
      </div>
      <p className="muted">{i18n.t('templates.intro')}</p>
      {note ? <Notice tone="ok">{note}</Notice> : null}
      {list.error ? <Notice tone="error">{errorText(list.error)}</Notice> : null}
      {error && !editing ? <Notice tone="error">{error.message}</Notice> : null}
      <div className="tpl-layout">
        <ul className="tpl-list" aria-label={i18n.t('templates.listLabel')}>
          {templates.length === 0 && !list.loading ? <li className="muted">{i18n.t('templates.none')}</li> : null}
          {templates.map((t) => (
            <li key={t.id}>
              <button type="button" className={`tpl-item${editing?.id === t.id ? ' tpl-item-active' : ''}`} aria-current={editing?.id === t.id ? 'true' : undefined} onClick={() => open(t)}>
                <span className="tpl-item-name">{t.name}</span>
                <span className="tpl-item-subject">{t.subject}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="tpl-main">
          {editing ? (
            <>
              <TemplateEditor
                value={editing}
                onChange={setEditing}
                onSave={() => void save()}
                {...(editing.id ? { onDuplicate: () => void duplicate(), onDelete: () => setConfirmDelete(true) } : {})}
                busy={busy}
                {...(error ? { error } : {})}
              />
              {confirmDelete ? (
                <div className="confirm" role="alertdialog" aria-label={i18n.t('templates.confirmDelete', [editing.name])}>
                  <p>{i18n.t('templates.confirmDelete', [editing.name])}</p>
                  <div className="actions">
                    <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void remove()}>
                      {i18n.t('templates.editor.delete')}
                    </button>
                    <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
                      {i18n.t('templates.cancel')}
                    </button>
                  </div>
                </div>
              ) : null}
            </>
          ) : (
            <p className="muted tpl-placeholder">{i18n.t('templates.pick')}</p>
          )}
        </div>
      </div>
    </section>
  );
}
