import { useEffect, useState, type ReactNode } from 'react';
import { i18n } from '#i18n';
import type { ChannelView } from '../../../shared/messages/channels';
import type { Office365Status } from '../../../shared/messages/office365';
import type { VerifyResult } from '../../../shared/schemas/relay-api';
import { send } from '../../lib/messaging';
import { errorText } from '../../popup/actions';
import { Office365Connect, Office365PasswordFallback, Office365ReconnectButton } from '../../popup/components/Office365Connect';
import { verifyText, type VerifyText } from '../../popup/logic/texts';

/** A connection test after a Microsoft sign-in, in words: an OAuth channel has no password to get wrong. */
export function signedInText(result: VerifyResult, account?: string): VerifyText {
  if (result.ok) return account ? { ok: true, title: i18n.t('office365.setup.connected', [account]) } : verifyText(result, 'office365', false);
  const detail = result.message ? { detail: result.message } : {};
  if (result.code === 'needs_reconnect') return { ok: false, title: i18n.t('office365.status.needsReconnect'), ...detail };
  if (result.code === 'auth_failed') return { ok: false, title: i18n.t('office365.setup.testFailed'), ...detail };
  return verifyText(result, 'office365');
}

/**
 * Office 365 setup: "Connect Office 365" (Microsoft sign-in) first; the
 * password form only as a fallback, or straight away when sign-in cannot be
 * offered (the relay is not set up for it), saying why.
 */
export function Office365Flow(props: { step?: { n: number; of: number }; passwordForm: ReactNode; onConnected: (text: VerifyText) => void }) {
  const [status, setStatus] = useState<Office365Status>();
  const [password, setPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<VerifyText>();

  useEffect(() => {
    send('office365.status', {}).then((s) => {
      setStatus(s);
      // A connect that failed while the popup was closed (Microsoft's window had focus): say what happened.
      if (s.lastFailure?.result) setResult(signedInText(s.lastFailure.result));
      else if (s.lastFailure?.error) setError(s.lastFailure.error.message);
    }, (e) => setStatus({ available: false, message: errorText(e) }));
  }, []);

  if (!status) return <p className="muted">{i18n.t('popup.loading')}</p>;
  if (!status.available || password) {
    return (
      <Office365PasswordFallback unavailable={status.available ? undefined : status.message} canSignIn={status.available} onSignIn={() => setPassword(false)}>
        {props.passwordForm}
      </Office365PasswordFallback>
    );
  }
  const connect = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const connected = await send('office365.connect', {});
      const text = signedInText(connected.result, connected.account);
      // The background already made the new channel the one in use.
      if (connected.result.ok && connected.channelId) props.onConnected(text);
      else setResult(text);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return <Office365Connect status={status} busy={busy} error={error} result={result} step={props.step} onConnect={() => void connect()} onUsePassword={() => setPassword(true)} />;
}

/**
 * On a channel card: "Reconnect" for a Microsoft sign-in channel that needs
 * one; "Sign in with Microsoft instead" for a password Office 365 channel
 * Microsoft refuses (the queue stays with the channel either way).
 */
export function Office365Reconnect(props: { channel: ChannelView; onResult: (text: VerifyText) => void; onError: (message: string) => void; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const oauth = props.channel.auth === 'oauth2';
  const reconnect = async () => {
    setBusy(true);
    try {
      const { result } = await send('office365.reconnect', { channelId: props.channel.id });
      props.onResult(result.ok ? { ok: true, title: i18n.t('office365.card.reconnected') } : signedInText(result));
    } catch (e) {
      props.onError(errorText(e));
    } finally {
      setBusy(false);
      props.onChanged();
    }
  };
  return (
    <div className="actions">
      <Office365ReconnectButton busy={busy} primary={oauth} onReconnect={() => void reconnect()} />
    </div>
  );
}
