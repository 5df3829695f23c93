import { useState } from 'react';
import { i18n } from '#i18n';
import type { SequenceInput, SequenceSummary } from '../../../shared/messages/sequences';
import { SendwayError } from '../../../shared/messages/define';
import { send } from '../../lib/messaging';
import { Notice } from '../../popup/components/Notice';
import { useLoad } from '../../popup/hooks/useLoad';
import { usePoll } from '../../popup/hooks/usePoll';
import { errorText } from '../../popup/actions';
import { defaultSequence } from '../../popup/logic/sequences-view';
import { formatNumber } from '../../popup/logic/texts';
import { ProgressBar } from '../../popup/components/ProgressBar';
import { SequenceDetailView } from './SequenceDetailView';
import { SequenceEditor } from './SequenceEditor';
import { when } from './sequence-texts';
import './sequences.css';

type View = { name: 'list' } | { name: 'edit'; value: SequenceInput; back: View } | { name: 'detail'; id: string };

/** Sequences: every sequence with its progress, an editor, and each one's contacts. */
export function SequencesSection() {
  const [view, setView] = useState<View>({ name: 'list' });
  const list = usePoll(() => send('sequences.list', {}), 10_000, view.name === 'list');
  const templates = useLoad(() => send('templates.list', {}));
  const channels = useLoad(() => send('channels.list', {}));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string }>();
  const [confirm, setConfirm] = useState<SequenceSummary | null>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError({ message: errorText(e), ...(e instanceof SendwayError && e.field ? { field: e.field } : {}) });
    } finally {
      setBusy(false);
    }
  };

  const create = async () => {
    // Templates may have been added on this page since it opened.
    await Promise.all([templates.reload(), channels.reload()]);
    setView({
      name: 'edit',
      value: defaultSequence(
        (templates.data?.templates ?? []).map((t) => t.id),
        channels.data?.activeChannelId ?? channels.data?.channels[0]?.id ?? '',
      ),
      back: { name: 'list' },
    });
  };

  const save = (value: SequenceInput, back: View) =>
    run(async () => {
      const saved = await send('sequences.save', value);
      list.refresh();
      setView(back.name === 'list' ? { name: 'detail', id: saved.id } : back);
    });

  return (
    <section id="sequences" className="options-section" aria-labelledby="sequences-heading">
      <div className="section-head">
        <h2 id="sequences-heading">{i18n.t('sequences.heading')}</h2>
        {view.name === 'list' ? (
          <button type="button" className="btn btn-primary" disabled={!templates.data?.templates.length} onClick={() => void create()}>
            {i18n.t('sequences.new')}
          </button>
        ) : null}
      </div>
      {view.name === 'list' ? (
        <>
          <p className="muted">{i18n.t('sequences.intro')}</p>
          {list.error ? <Notice tone="error">{errorText(list.error)}</Notice> : null}
          {error ? <Notice tone="error">{error.message}</Notice> : null}
          {list.loading ? (
            <p className="muted">{i18n.t('popup.loading')}</p>
          ) : !list.data?.sequences.length ? (
            <p className="muted empty">{i18n.t('sequences.none')}</p>
          ) : (
            <ul className="seq-list" data-testid="sequence-list">
              {list.data.sequences.map((s) => (
                <SequenceCard key={s.id} s={s} onOpen={() => setView({ name: 'detail', id: s.id })} onDelete={() => setConfirm(s)} />
              ))}
            </ul>
          )}
          {confirm ? (
            <div className="confirm" role="alertdialog" aria-label={i18n.t('sequences.confirmDelete', [confirm.name])}>
              <p>{i18n.t('sequences.confirmDelete', [confirm.name])}</p>
              <div className="actions">
                <button
                  type="button"
                  className="btn btn-danger"
                  disabled={busy}
                  onClick={() =>
                    void run(async () => {
                      await send('sequences.delete', { id: confirm.id });
                      setConfirm(null);
                      list.refresh();
                    })
                  }
                >
                  {i18n.t('sequences.delete')}
                </button>
                <button type="button" className="btn" onClick={() => setConfirm(null)}>
                  {i18n.t('sequences.editor.cancel')}
                </button>
              </div>
            </div>
          ) : null}
        </>
      ) : null}
      {view.name === 'edit' ? (
        <SequenceEditor
          value={view.value}
          onChange={(value) => setView({ ...view, value })}
          templates={templates.data?.templates ?? []}
          channels={channels.data?.channels ?? []}
          onSave={() => void save(view.value, view.back)}
          onCancel={() => {
            setError(undefined);
            setView(view.back);
          }}
          busy={busy}
          {...(error ? { error } : {})}
        />
      ) : null}
      {view.name === 'detail' ? (
        <SequenceDetailView
          id={view.id}
          onBack={() => setView({ name: 'list' })}
          onEdit={(d) => {
            const { createdAt: _c, updatedAt: _u, ...value } = d.sequence;
            void Promise.all([templates.reload(), channels.reload()]).then(() => setView({ name: 'edit', value, back: view }));
          }}
        />
      ) : null}
    </section>
  );
}

function SequenceCard({ s, onOpen, onDelete }: { s: SequenceSummary; onOpen(): void; onDelete(): void }) {
  const c = s.counts;
  const progress = i18n.t('sequences.progress', [formatNumber(c.stepsSent), formatNumber(c.stepsTotal)]);
  return (
    <li className="card seq-card" data-sequence={s.id}>
      <div className="seq-card-head">
        <button type="button" className="seq-card-name" onClick={onOpen}>
          {s.name}
        </button>
        <span className="muted">{i18n.t('sequences.cardMeta', [s.channelName ?? i18n.t('sequences.editor.channelGone'), formatNumber(s.steps)])}</span>
      </div>
      <ProgressBar done={c.stepsSent} total={c.stepsTotal} label={progress} />
      <div className="seq-card-foot">
        <span>{i18n.t('sequences.cardCounts', [formatNumber(c.active), formatNumber(c.finished), formatNumber(c.replied)])}</span>
        <span>{s.nextAt !== null ? i18n.t('sequences.cardNext', [when(s.nextAt)]) : i18n.t('sequences.detail.nothingUpcoming')}</span>
      </div>
      {s.problems.length ? <p className="text-error">{i18n.t('sequences.detail.templateGone')}</p> : null}
      <div className="actions">
        <button type="button" className="btn btn-small" onClick={onOpen}>
          {i18n.t('sequences.open')}
        </button>
        <button type="button" className="btn btn-small btn-quiet" onClick={onDelete}>
          {i18n.t('sequences.delete')}
        </button>
      </div>
    </li>
  );
}
