import { useState } from 'react';
import { i18n } from '#i18n';
import { SendwayError } from '../../../shared/messages/define';
import type { RelayStatus } from '../../../shared/messages/relay';
import { send } from '../../lib/messaging';
import { connectRelay, errorText, normalizeRelayUrl } from '../../popup/actions';
import { Notice } from '../../popup/components/Notice';
import { RelayConnect } from '../../popup/components/RelayConnect';

/** The relay connection: who is connected where, reconnect with a new token, disconnect. */
export function RelaySection(props: { relay: RelayStatus | undefined; onRelay: (s: RelayStatus) => void }) {
  const { relay } = props;
  const [editing, setEditing] = useState(false);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [waitingFor, setWaitingFor] = useState<string>();
  const [errors, setErrors] = useState<{ relayUrl?: string; token?: string; general?: string }>({});

  const managed = relay?.urlManaged ?? false;
  const shownUrl = managed ? (relay?.relayUrl ?? '') : editing || !relay?.relayUrl ? url || relay?.relayUrl || '' : relay.relayUrl;

  const connect = async () => {
    const normalized = normalizeRelayUrl(managed ? (relay?.relayUrl ?? '') : shownUrl);
    const next: typeof errors = {};
    if (!normalized) next.relayUrl = shownUrl.trim() ? i18n.t('popup.relay.invalidUrl') : i18n.t('popup.errors.urlRequired');
    if (!token.trim()) next.token = i18n.t('popup.form.required', [i18n.t('popup.relay.token')]);
    setErrors(next);
    if (next.relayUrl || next.token || !normalized) return;
    setBusy(true);
    setWaitingFor(new URL(normalized).host);
    try {
      props.onRelay(await connectRelay(normalized, token, managed));
      setToken('');
      setEditing(false);
    } catch (e) {
      const field = e instanceof SendwayError ? e.field : undefined;
      setErrors(field === 'token' ? { token: errorText(e) } : field === 'relayUrl' ? { relayUrl: errorText(e) } : { general: errorText(e) });
    } finally {
      setBusy(false);
      setWaitingFor(undefined);
    }
  };
  const disconnect = async () => {
    setBusy(true);
    try {
      props.onRelay(await send('relay.disconnect', {}));
    } catch (e) {
      setErrors({ general: errorText(e) });
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
          {relay.error && !errors.general && <Notice tone="warn">{relay.error.message}</Notice>}
          <RelayConnect
            url={shownUrl}
            token={token}
            managed={managed}
            busy={busy}
            waitingFor={waitingFor}
            errors={errors}
            onUrl={(u) => {
              setEditing(true);
              setUrl(u);
            }}
            onToken={setToken}
            onSubmit={connect}
          />
        </div>
      )}
    </section>
  );
}
