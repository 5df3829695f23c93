import { useState } from 'react';
import { i18n } from '#i18n';
import type { MessageStatus } from '../../../shared/schemas/relay-api';
import { send } from '../../lib/messaging';
import { Field } from '../../popup/components/Field';
import { Notice } from '../../popup/components/Notice';
import { usePoll } from '../../popup/hooks/usePoll';
import { formatPast, formatWhen, messageStatusName } from '../../popup/logic/texts';
import type { OutboxItem } from '../../../shared/messages/relay';
import { errorText } from '../../popup/actions';

const STATUSES: MessageStatus[] = ['scheduled', 'queued', 'sending', 'retrying', 'sent', 'failed', 'cancelled'];
const CANCELLABLE = new Set<MessageStatus>(['scheduled', 'queued', 'retrying']);
const RETRYABLE = new Set<MessageStatus>(['failed', 'cancelled']);

/** When a send left, will leave, or will be tried again; else when it was handed over. */
function whenOf(m: OutboxItem, now: number): string {
  if (m.sentAt) return formatPast(m.sentAt, now);
  if (m.status === 'scheduled' && m.sendAt) return formatWhen(m.sendAt, now);
  if (m.status === 'retrying' && m.nextAttemptAt) return formatWhen(m.nextAttemptAt, now);
  return formatPast(m.createdAt, now);
}

/** The full outbox: every recent send through the relay, filterable, with retry and cancel. */
export function OutboxSection({ connected, canRetry }: { connected: boolean; canRetry: boolean }) {
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const poll = usePoll(() => send('outbox.list', { limit: 200, ...(status ? { status } : {}) }), 5000, connected);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const now = Date.now();

  const act = async (id: string, type: 'outbox.cancel' | 'outbox.retry') => {
    setBusy(id);
    setError(undefined);
    try {
      await send(type, { id });
    } catch (e) {
      setError(i18n.t('popup.outbox.failedAction', [errorText(e)]));
    } finally {
      setBusy(undefined);
      poll.refresh();
    }
  };

  const messages = (poll.data?.messages ?? []).filter((m) => !status || m.status === status);
  return (
    <section id="outbox" className="options-section" aria-labelledby="outbox-section-heading">
      <h2 id="outbox-section-heading">{i18n.t('options.outbox.heading')}</h2>
      {!connected ? (
        <p className="muted">{i18n.t('popup.outbox.notConnected')}</p>
      ) : (
        <>
          <div className="toolbar">
            <Field label={i18n.t('options.outbox.filter')}>
              {(control) => (
                <select
                  {...control}
                  value={status}
                  onChange={(e) => {
                    setStatus(e.target.value as MessageStatus | '');
                    poll.refresh();
                  }}
                >
                  <option value="">{i18n.t('options.outbox.all')}</option>
                  {STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {messageStatusName(s)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="button" className="btn" onClick={poll.refresh}>
              {i18n.t('options.outbox.refresh')}
            </button>
          </div>
          {error && <Notice tone="error">{error}</Notice>}
          {poll.error && <Notice tone="error">{errorText(poll.error)}</Notice>}
          {poll.loading ? (
            <p className="muted">{i18n.t('popup.loading')}</p>
          ) : messages.length === 0 ? (
            <p className="muted">{i18n.t('popup.outbox.empty')}</p>
          ) : (
            <table className="table" data-testid="outbox-table">
              <thead>
                <tr>
                  <th scope="col">{i18n.t('options.outbox.subject')}</th>
                  <th scope="col">{i18n.t('options.outbox.recipients')}</th>
                  <th scope="col">{i18n.t('options.outbox.status')}</th>
                  <th scope="col">{i18n.t('options.outbox.when')}</th>
                  <th scope="col">{i18n.t('options.outbox.error')}</th>
                  <th scope="col">{i18n.t('options.outbox.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {messages.map((m) => (
                  <tr key={m.id}>
                    <td>{m.subject || i18n.t('popup.outbox.noSubject')}</td>
                    <td>{m.to.join(', ')}</td>
                    <td>
                      <span className={`chip chip-msg-${m.status}`}>{messageStatusName(m.status)}</span>
                    </td>
                    <td>{whenOf(m, now)}</td>
                    <td className="error">{m.status !== 'sent' ? (m.lastError ?? '') : ''}</td>
                    <td>
                      {CANCELLABLE.has(m.status) && (
                        <button type="button" className="btn btn-small" disabled={busy === m.id} onClick={() => void act(m.id, 'outbox.cancel')}>
                          {i18n.t('popup.outbox.cancel')}
                        </button>
                      )}
                      {canRetry && RETRYABLE.has(m.status) && (
                        <button type="button" className="btn btn-small" disabled={busy === m.id} onClick={() => void act(m.id, 'outbox.retry')}>
                          {i18n.t('popup.outbox.retry')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
