import { useState } from 'react';
import { i18n } from '#i18n';
import type { ContactProgress, SequenceDetail } from '../../../shared/messages/sequences';
import { send } from '../../lib/messaging';
import { Field } from '../../popup/components/Field';
import { Notice } from '../../popup/components/Notice';
import { usePoll } from '../../popup/hooks/usePoll';
import { errorText } from '../../popup/actions';
import { formatNumber } from '../../popup/logic/texts';
import { EnrolForm } from './EnrolForm';
import { ProgressBar } from '../../popup/components/ProgressBar';
import { contactStateName, when } from './sequence-texts';

type Filter = 'all' | 'active' | 'paused' | 'finished' | 'stopped' | 'attention';
const FILTERS: Filter[] = ['all', 'active', 'paused', 'finished', 'stopped', 'attention'];
const PAGE = 50;
const FILTER_LABEL: Record<Filter, () => string> = {
  all: () => i18n.t('sequences.filter.all'),
  active: () => i18n.t('sequences.filter.active'),
  paused: () => i18n.t('sequences.filter.paused'),
  finished: () => i18n.t('sequences.filter.finished'),
  stopped: () => i18n.t('sequences.filter.stopped'),
  attention: () => i18n.t('sequences.filter.attention'),
};

/** One sequence at work: progress, what goes out next and when, every contact with pause/resume/unenrol. */
export function SequenceDetailView(props: { id: string; onBack(): void; onEdit(detail: SequenceDetail): void }) {
  const [filter, setFilter] = useState<Filter>('all');
  const [offset, setOffset] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [showEnrol, setShowEnrol] = useState(false);
  const poll = usePoll(() => send('sequences.get', { id: props.id, filter, offset, limit: PAGE }), 5000);
  const d = poll.data;

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
      poll.refresh();
    }
  };
  const setPaused = (paused: boolean, addresses?: string[]) => act(() => send('sequences.setPaused', { sequenceId: props.id, paused, ...(addresses ? { addresses } : {}) }));

  if (!d) {
    return (
      <div className="stack">
        <BackButton onBack={props.onBack} />
        {poll.error ? <Notice tone="error">{errorText(poll.error)}</Notice> : <p className="muted">{i18n.t('popup.loading')}</p>}
      </div>
    );
  }
  const { summary: s, sequence } = d;
  const c = s.counts;
  return (
    <div className="seq-detail stack" data-testid="sequence-detail">
      <div className="seq-detail-head">
        <BackButton onBack={props.onBack} />
        <h3>{sequence.name}</h3>
        <div className="actions">
          <button type="button" className="btn btn-small" onClick={() => props.onEdit(d)}>
            {i18n.t('sequences.detail.edit')}
          </button>
          <button type="button" className="btn btn-small" disabled={busy || !c.active} onClick={() => void setPaused(true)}>
            {i18n.t('sequences.detail.pauseAll')}
          </button>
          <button type="button" className="btn btn-small" disabled={busy || !c.paused} onClick={() => void setPaused(false)}>
            {i18n.t('sequences.detail.resumeAll')}
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void act(() => send('sequences.sync', {}))}>
            {i18n.t('sequences.detail.refresh')}
          </button>
        </div>
      </div>
      <p className="muted">
        {i18n.t('sequences.detail.channelLine', [s.channelName ?? i18n.t('sequences.editor.channelGone'), formatNumber(s.steps)])}
      </p>
      <div className="seq-stats">
        <ProgressBar done={c.stepsSent} total={c.stepsTotal} label={i18n.t('sequences.progress', [formatNumber(c.stepsSent), formatNumber(c.stepsTotal)])} testId="sequence-progress" />
        <p>{i18n.t('sequences.progress', [formatNumber(c.stepsSent), formatNumber(c.stepsTotal)])}</p>
        <dl className="details">
          <dt>{i18n.t('sequences.detail.contacts')}</dt>
          <dd>{i18n.t('sequences.detail.counts', [formatNumber(c.total), formatNumber(c.active), formatNumber(c.paused), formatNumber(c.finished), formatNumber(c.replied), formatNumber(c.unsubscribed)])}</dd>
          <dt>{i18n.t('sequences.detail.next')}</dt>
          <dd>{when(s.nextAt)}</dd>
          <dt>{i18n.t('sequences.detail.finish')}</dt>
          <dd data-testid="sequence-finish">{when(s.finishAt)}</dd>
        </dl>
      </div>
      {s.problems.length ? <Notice tone="error">{i18n.t('sequences.detail.templateGone')}</Notice> : null}
      {error ? <Notice tone="error">{error}</Notice> : null}

      <h4>{i18n.t('sequences.detail.upcoming')}</h4>
      {d.upcoming.length ? (
        <ol className="seq-upcoming" data-testid="sequence-upcoming">
          {d.upcoming.map((u) => (
            <li key={`${u.address}-${u.step}`}>
              <span className="seq-when">{when(u.at)}</span> {i18n.t('sequences.detail.upcomingItem', [String(u.step + 1), u.address])}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{i18n.t('sequences.detail.nothingUpcoming')}</p>
      )}

      <div className="seq-contacts-head">
        <h4>{i18n.t('sequences.detail.contacts')}</h4>
        <button type="button" className="btn btn-small" aria-expanded={showEnrol} onClick={() => setShowEnrol(!showEnrol)}>
          {i18n.t('sequences.enrol.open')}
        </button>
      </div>
      {showEnrol ? <EnrolForm sequenceId={props.id} fields={s.fields} onDone={poll.refresh} /> : null}
      <div className="toolbar">
        <Field label={i18n.t('sequences.detail.filter')}>
          {(ctl) => (
            <select
              {...ctl}
              value={filter}
              onChange={(e) => {
                setFilter(e.target.value as Filter);
                setOffset(0);
                poll.refresh();
              }}
            >
              {FILTERS.map((f) => (
                <option key={f} value={f}>
                  {FILTER_LABEL[f]()}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {d.contacts.length === 0 ? (
        <p className="muted">{i18n.t('sequences.detail.noContacts')}</p>
      ) : (
        <table className="table" data-testid="sequence-contacts">
          <thead>
            <tr>
              <th scope="col">{i18n.t('sequences.detail.contact')}</th>
              <th scope="col">{i18n.t('sequences.detail.state')}</th>
              <th scope="col">{i18n.t('sequences.detail.progressCol')}</th>
              <th scope="col">{i18n.t('sequences.detail.nextCol')}</th>
              <th scope="col">{i18n.t('options.outbox.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {d.contacts.map((ct) => (
              <ContactRow key={ct.address} c={ct} busy={busy} onPause={(p) => void setPaused(p, [ct.address])} onUnenrol={() => void act(() => send('sequences.unenrol', { sequenceId: props.id, addresses: [ct.address] }))} />
            ))}
          </tbody>
        </table>
      )}
      {d.matching > PAGE ? (
        <div className="actions seq-pager">
          <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            {i18n.t('sequences.detail.previous')}
          </button>
          <span className="muted">{i18n.t('sequences.detail.page', [formatNumber(offset + 1), formatNumber(Math.min(offset + PAGE, d.matching)), formatNumber(d.matching)])}</span>
          <button type="button" className="btn btn-small" disabled={offset + PAGE >= d.matching} onClick={() => setOffset(offset + PAGE)}>
            {i18n.t('sequences.detail.nextPage')}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function BackButton({ onBack }: { onBack(): void }) {
  return (
    <button type="button" className="btn btn-quiet btn-back" onClick={onBack}>
      <span aria-hidden="true">‹ </span>
      {i18n.t('sequences.detail.back')}
    </button>
  );
}

function ContactRow({ c, busy, onPause, onUnenrol }: { c: ContactProgress; busy: boolean; onPause(paused: boolean): void; onUnenrol(): void }) {
  const live = c.status === 'active' || c.status === 'paused';
  return (
    <tr data-address={c.address}>
      <td className="seq-contact">
        {c.name ? <div>{c.name}</div> : null}
        <div className={c.name ? 'muted' : undefined}>{c.address}</div>
      </td>
      <td>
        <span className={`chip chip-seq-${c.status === 'stopped' ? (c.stopReason ?? 'stopped') : c.status}`}>{contactStateName(c)}</span>
        {c.stopDetail ? <div className="muted seq-detail-note">{c.stopDetail}</div> : null}
        {c.error ? <div className="text-error seq-detail-note">{c.error}</div> : null}
      </td>
      <td className="seq-contact-progress">
        <ProgressBar done={c.stepsSent} total={c.stepsTotal} label={i18n.t('sequences.detail.stepsSent', [String(c.stepsSent), String(c.stepsTotal)])} />
        <span className="muted">{i18n.t('sequences.detail.stepsSent', [String(c.stepsSent), String(c.stepsTotal)])}</span>
      </td>
      <td>{c.nextAt !== null && c.nextStep !== null ? i18n.t('sequences.detail.nextStep', [String(c.nextStep + 1), when(c.nextAt)]) : '—'}</td>
      <td className="seq-row-actions">
        {c.status === 'active' ? (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => onPause(true)}>
            {i18n.t('sequences.detail.pause')}
          </button>
        ) : null}
        {c.status === 'paused' ? (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => onPause(false)}>
            {i18n.t('sequences.detail.resume')}
          </button>
        ) : null}
        {live ? (
          <button type="button" className="btn btn-small btn-quiet" disabled={busy} onClick={onUnenrol}>
            {i18n.t('sequences.detail.unenrol')}
          </button>
        ) : null}
      </td>
    </tr>
  );
}
