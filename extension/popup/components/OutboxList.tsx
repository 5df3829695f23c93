import { i18n } from '#i18n';
import type { OutboxItem } from '../../../shared/messages/relay';
import { formatPast, formatWhen, messageStatusName } from '../logic/texts';

const CANCELLABLE = new Set(['scheduled', 'queued', 'retrying']);
const RETRYABLE = new Set(['failed', 'cancelled']);

function when(item: OutboxItem, now: number): string {
  if (item.sentAt) return i18n.t('popup.outbox.sentAt', [formatPast(item.sentAt, now)]);
  if (item.status === 'scheduled' && item.sendAt) return i18n.t('popup.outbox.sendAt', [formatWhen(item.sendAt, now)]);
  if (item.status === 'retrying' && item.nextAttemptAt) return i18n.t('popup.outbox.nextAttempt', [formatWhen(item.nextAttemptAt, now)]);
  return '';
}

/** Recent sends with their status and error, and the one action each allows. */
export function OutboxList(props: {
  items: OutboxItem[];
  channelNames: Record<string, string>;
  now: number;
  busyId?: string;
  /** The relay can requeue failed and cancelled sends. */
  canRetry: boolean;
  onCancel: (id: string) => void;
  onRetry: (id: string) => void;
}) {
  if (!props.items.length) return <p className="muted empty">{i18n.t('popup.outbox.empty')}</p>;
  return (
    <ul className="outbox" aria-label={i18n.t('popup.outbox.heading')}>
      {props.items.map((item) => {
        const time = when(item, props.now);
        const channel = props.channelNames[item.channelId];
        return (
          <li key={item.id} className="card outbox-item" data-testid="outbox-item" data-status={item.status}>
            <div className="outbox-top">
              <span className="outbox-subject">{item.subject || i18n.t('popup.outbox.noSubject')}</span>
              <span className={`chip chip-msg-${item.status}`}>{messageStatusName(item.status)}</span>
            </div>
            <p className="muted outbox-meta">
              {i18n.t('popup.outbox.to', [item.to.join(', ')])}
              {channel ? ` · ${channel}` : ''}
              {time ? ` · ${time}` : ''}
              {item.attempts > 1 ? ` · ${i18n.t('popup.outbox.attempts', [String(item.attempts)])}` : ''}
            </p>
            {item.lastError && item.status !== 'sent' && <p className="outbox-error">{item.lastError}</p>}
            {(CANCELLABLE.has(item.status) || (props.canRetry && RETRYABLE.has(item.status))) && (
              <div className="actions">
                {CANCELLABLE.has(item.status) && (
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={props.busyId === item.id}
                    onClick={() => props.onCancel(item.id)}
                    aria-label={`${i18n.t('popup.outbox.cancel')}: ${item.subject}`}
                  >
                    {i18n.t('popup.outbox.cancel')}
                  </button>
                )}
                {props.canRetry && RETRYABLE.has(item.status) && (
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={props.busyId === item.id}
                    onClick={() => props.onRetry(item.id)}
                    aria-label={`${i18n.t('popup.outbox.retry')}: ${item.subject}`}
                  >
                    {i18n.t('popup.outbox.retry')}
                  </button>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
