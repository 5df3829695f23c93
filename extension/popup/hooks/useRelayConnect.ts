import { useState } from 'react';
import { i18n } from '#i18n';
import { SendwayError } from '../../../shared/messages/define';
import type { RelayStatus } from '../../../shared/messages/relay';
import { connectRelay, errorText, isInsecureRelayUrl, normalizeRelayUrl } from '../actions';
import type { RelayConnectProps } from '../components/RelayConnect';

export interface RelayConnectState {
  url: string;
  token: string;
  managed: boolean;
  busy: boolean;
  waitingFor?: string;
  errors: { relayUrl?: string; token?: string; general?: string };
  setUrl: (url: string) => void;
  setToken: (token: string) => void;
  /** Call from the click/submit handler itself: the permission request needs its user gesture. */
  connect: () => Promise<void>;
}

/** The form's props from this state: every place that shows the form wires it the same way. */
export function relayConnectProps(conn: RelayConnectState): RelayConnectProps {
  return {
    url: conn.url,
    token: conn.token,
    managed: conn.managed,
    busy: conn.busy,
    waitingFor: conn.waitingFor,
    errors: conn.errors,
    onUrl: conn.setUrl,
    onToken: conn.setToken,
    onSubmit: () => void conn.connect(),
  };
}

/** The relay address + token form's state and its Connect action, shared by the popup and the settings page. */
export function useRelayConnect(relay: RelayStatus | undefined, onConnected: (status: RelayStatus) => void): RelayConnectState {
  const managed = relay?.urlManaged ?? false;
  const [typedUrl, setUrl] = useState<string>();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [waitingFor, setWaitingFor] = useState<string>();
  const [errors, setErrors] = useState<RelayConnectState['errors']>({});
  const url = managed ? (relay?.relayUrl ?? '') : (typedUrl ?? relay?.relayUrl ?? '');

  const connect = async () => {
    const normalized = normalizeRelayUrl(url);
    const next: RelayConnectState['errors'] = {};
    if (!normalized) next.relayUrl = url.trim() ? i18n.t('popup.relay.invalidUrl') : i18n.t('popup.errors.urlRequired');
    else if (isInsecureRelayUrl(normalized)) next.relayUrl = i18n.t('popup.relay.httpsOnly');
    if (!token.trim()) next.token = i18n.t('popup.form.required', [i18n.t('popup.relay.token')]);
    setErrors(next);
    if (next.relayUrl || next.token || !normalized) return;
    setBusy(true);
    setWaitingFor(new URL(normalized).host);
    try {
      // connectRelay asks for the host permission first, inside this click's user gesture.
      const status = await connectRelay(normalized, token, managed);
      setToken('');
      setUrl(undefined);
      onConnected(status);
    } catch (e) {
      const field = e instanceof SendwayError ? e.field : undefined;
      setErrors(field === 'token' ? { token: errorText(e) } : field === 'relayUrl' ? { relayUrl: errorText(e) } : { general: errorText(e) });
    } finally {
      setWaitingFor(undefined);
      setBusy(false);
    }
  };

  return { url, token, managed, busy, waitingFor, errors, setUrl, setToken, connect };
}
