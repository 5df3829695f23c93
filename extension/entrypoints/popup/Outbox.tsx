import { useState } from 'react';
import { i18n } from '#i18n';
import type { ChannelView } from '../../../shared/messages/channels';
import { send } from '../../lib/messaging';
import { errorText, openOptions } from '../../popup/actions';
import { Notice } from '../../popup/components/Notice';
import { OutboxList } from '../../popup/components/OutboxList';
import { usePoll } from '../../popup/hooks/usePoll';

/** The rep's recent sends through the relay, refreshed live while shown. */
export function Outbox(props: { connected: boolean; canRetry: boolean; channels: ChannelView[] | undefined; limit?: number; full?: boolean }) {
  const poll = usePoll(() => send('outbox.list', { limit: props.limit ?? 20 }), 2000, props.connected);
  const [busyId, setBusyId] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const names = Object.fromEntries((props.channels ?? []).map((c) => [c.id, c.name]));

  if (!props.connected) return <p className="muted empty">{i18n.t('popup.outbox.notConnected')}</p>;

  const act = async (id: string, type: 'outbox.cancel' | 'outbox.retry') => {
    setBusyId(id);
    setActionError(undefined);
    try {
      await send(type, { id });
    } catch (e) {
      setActionError(i18n.t('popup.outbox.failedAction', [errorText(e)]));
    } finally {
      setBusyId(undefined);
      poll.refresh();
    }
  };

  return (
    <section className="stack" aria-labelledby="outbox-heading">
      <h2 id="outbox-heading" className="section-title">
        {i18n.t('popup.outbox.heading')}
      </h2>
      {actionError && <Notice tone="error">{actionError}</Notice>}
      {poll.error && <Notice tone="error">{errorText(poll.error)}</Notice>}
      {poll.loading ? (
        <p className="muted">{i18n.t('popup.loading')}</p>
      ) : (
        <OutboxList
          items={poll.data?.messages ?? []}
          channelNames={names}
          now={Date.now()}
          busyId={busyId}
          canRetry={props.canRetry}
          onCancel={(id) => act(id, 'outbox.cancel')}
          onRetry={(id) => act(id, 'outbox.retry')}
        />
      )}
      {!props.full && (
        <button type="button" className="btn btn-quiet btn-wide" onClick={() => void openOptions('outbox')}>
          {i18n.t('popup.outbox.openFull')}
        </button>
      )}
    </section>
  );
}
