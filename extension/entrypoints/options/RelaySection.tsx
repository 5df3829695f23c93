import { useState } from 'react';
import { i18n } from '#i18n';
import type { RelayStatus } from '../../../shared/messages/relay';
import { send } from '../../lib/messaging';
import { errorText } from '../../popup/actions';
import { relayConnectProps, useRelayConnect } from '../../popup/hooks/useRelayConnect';
import { Notice } from '../../popup/components/Notice';
import { RelayConnect } from '../../popup/components/RelayConnect';

/** The relay connection: who is connected where, reconnect with a new token, disconnect. */
export function RelaySection(props: { relay: RelayStatus | undefined; onRelay: (s: RelayStatus) => void }) {
  const { relay } = props;
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const conn = useRelayConnect(relay, (status) => {
    setEditing(false);
    props.onRelay(status);
  });

  const disconnect = async () => {
    setBusy(true);
    try {
      props.onRelay(await send('relay.disconnect', {}));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section id="relay" className="options-section" aria-labelledby="relay-section-heading">
      <h2 id="relay-section-heading">{i18n.t('options.connection.heading')}</h2>
      {!relay ? (
        <p className="muted">{i18n.t('popup.loading')}</p>
      ) : relay.connected && relay.account && !editing ? (
        <>
          <Notice tone="ok">{i18n.t('popup.relay.connectedAs', [new URL(relay.relayUrl!).host, relay.account.email])}</Notice>
          {error && <Notice tone="error">{error}</Notice>}
          <div className="actions">
            <button type="button" className="btn" onClick={() => setEditing(true)}>
              {i18n.t('options.connection.change')}
            </button>
            <button type="button" className="btn btn-quiet" onClick={disconnect} disabled={busy} data-testid="relay-disconnect">
              {i18n.t('popup.relay.disconnect')}
            </button>
          </div>
        </>
      ) : (
        <div className="popup-width">
          {relay.error && !conn.errors.general && <Notice tone="warn">{relay.error.message}</Notice>}
          <RelayConnect {...relayConnectProps(conn)} />
        </div>
      )}
    </section>
  );
}
