import { i18n } from '#i18n';
import { send } from '../../lib/messaging';
import { errorText, openOptions } from '../../popup/actions';
import { Notice } from '../../popup/components/Notice';
import { ProgressBar } from '../../popup/components/ProgressBar';
import { usePoll } from '../../popup/hooks/usePoll';
import { formatNumber, formatWhen } from '../../popup/logic/texts';

/** Active sequences at a glance: progress, what goes out next and when. Managed in the options page. */
export function Sequences() {
  const poll = usePoll(() => send('sequences.list', {}), 5000);
  const list = poll.data?.sequences ?? [];
  return (
    <div className="stack" data-testid="popup-sequences">
      {poll.error ? <Notice tone="error">{errorText(poll.error)}</Notice> : null}
      {poll.loading ? (
        <p className="muted">{i18n.t('popup.loading')}</p>
      ) : list.length === 0 ? (
        <p className="muted empty">{i18n.t('sequences.popup.none')}</p>
      ) : (
        <ul className="channel-list">
          {list.map((s) => {
            const c = s.counts;
            const progress = i18n.t('sequences.progress', [formatNumber(c.stepsSent), formatNumber(c.stepsTotal)]);
            return (
              <li key={s.id} className="card stack" data-sequence={s.id}>
                <div className="channel-head">
                  <span className="channel-name">{s.name}</span>
                  <span className="muted">{i18n.t('sequences.cardCounts', [formatNumber(c.active), formatNumber(c.finished), formatNumber(c.replied)])}</span>
                </div>
                <ProgressBar done={c.stepsSent} total={c.stepsTotal} label={progress} />
                <div className="channel-meta">
                  <span>{progress}</span>
                  {' · '}
                  <span>{s.nextAt !== null ? i18n.t('sequences.popup.next', [formatWhen(new Date(s.nextAt).toISOString())]) : i18n.t('sequences.popup.idle')}</span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <button type="button" className="btn btn-quiet" onClick={() => void openOptions('sequences')}>
        {i18n.t('sequences.popup.manage')}
      </button>
    </div>
  );
}
