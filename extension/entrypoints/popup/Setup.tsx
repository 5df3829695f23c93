import { useEffect, useRef, useState } from 'react';
import { i18n } from '#i18n';
import { SendwayError } from '../../../shared/messages/define';
import type { GmailStatus } from '../../../shared/messages/gmail';
import type { RelayStatus } from '../../../shared/messages/relay';
import type { ChannelKind } from '../../../shared/schemas/policy';
import type { EffectiveSettings } from '../../../shared/schemas/settings';
import { send } from '../../lib/messaging';
import { errorText, openOptions } from '../../popup/actions';
import { relayConnectProps, useRelayConnect } from '../../popup/hooks/useRelayConnect';
import { ChannelSetupForm } from '../../popup/components/ChannelSetupForm';
import { GmailSetup } from '../../popup/components/GmailSetup';
import { Notice } from '../../popup/components/Notice';
import { RelayConnect } from '../../popup/components/RelayConnect';
import { TestResult } from '../../popup/components/TestResult';
import { buildCreateRequest, initialForm, toFormField, withSecurity, type FormErrors, type RelayKind } from '../../popup/logic/channel-form';
import { kindName, verifyText, type VerifyText } from '../../popup/logic/texts';
import { Office365Flow } from './Office365';


interface SetupProps {
  kind: ChannelKind;
  settings: EffectiveSettings;
  relay: RelayStatus;
  onRelay: (status: RelayStatus) => void;
  onBack: () => void;
  onDone: () => void;
}

/** The setup flow for one kind of channel: relay connection first when needed, then its details and a test. */
export function Setup(props: SetupProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <section className="view" aria-labelledby="setup-heading">
      <div className="view-head">
        <button type="button" className="btn btn-quiet btn-back" onClick={props.onBack} data-testid="back">
          <span aria-hidden="true">‹ </span>
          {i18n.t('popup.back')}
        </button>
        <h2 id="setup-heading" tabIndex={-1} ref={heading}>
          {kindName(props.kind)}
        </h2>
      </div>
      {props.kind === 'gmail' ? <GmailFlow onDone={props.onDone} /> : <RelayFlow {...props} kind={props.kind} />}
    </section>
  );
}

function GmailFlow(props: { onDone: () => void }) {
  const [status, setStatus] = useState<GmailStatus>();
  const [unavailable, setUnavailable] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    send('gmail.status', {}).then(setStatus, (e) => {
      if (e instanceof SendwayError && e.code === 'unknown_message') setUnavailable(true);
      else setError(errorText(e));
    });
  }, []);
  const connect = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const next = await send('gmail.connect', {});
      setStatus(next);
      if (next.connected) {
        const { channels } = await send('channels.list', {});
        const gmail = channels.find((c) => c.kind === 'gmail');
        if (gmail) await send('channels.setActive', { channelId: gmail.id });
        props.onDone();
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const disconnect = async () => {
    setBusy(true);
    try {
      setStatus(await send('gmail.disconnect', {}));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return <GmailSetup status={status} unavailable={unavailable} busy={busy} error={error} onConnect={connect} onDisconnect={disconnect} />;
}

function RelayFlow(props: SetupProps & { kind: RelayKind }) {
  const { relay } = props;
  // Two steps when the relay connection has to be made first; it stays counted as two once done.
  const [steps] = useState(relay.connected ? 0 : 2);
  const conn = useRelayConnect(relay, props.onRelay);

  const [form, setForm] = useState(() => initialForm(props.kind, relay.account?.email));
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<VerifyText>();
  const [generalError, setGeneralError] = useState<string>();
  const [done, setDone] = useState<VerifyText>();

  useEffect(() => {
    // Once connected, the rep's address is known: use it to pre-fill.
    if (relay.account?.email) setForm((f) => (f.email || f.username ? f : initialForm(props.kind, relay.account?.email)));
  }, [relay.account?.email, props.kind]);

  const save = async () => {
    setResult(undefined);
    setGeneralError(undefined);
    const built = buildCreateRequest(form);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const { channelId, result: outcome } = await send('relay.channels.create', { channel: built.request });
      if (outcome.ok && channelId) {
        await send('channels.setActive', { channelId }).catch(() => undefined);
        setDone(verifyText(outcome, props.kind));
      } else {
        setResult(verifyText(outcome, props.kind));
      }
    } catch (e) {
      if (e instanceof SendwayError && e.field) setErrors({ [toFormField(e.field, props.kind)]: e.message });
      else setGeneralError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (!relay.connected && import.meta.env.FIREFOX) {
    // Firefox shows the permission doorhanger behind (or instead of) the popup: connect in a tab.
    return (
      <div className="stack">
        <p className="step">{i18n.t('popup.relay.step', ['1', '2'])}</p>
        <h2>{i18n.t('popup.relay.heading')}</h2>
        <p className="muted">{i18n.t('popup.relay.intro')}</p>
        <Notice tone="info">{i18n.t('popup.relay.inTab')}</Notice>
        <button type="button" className="btn btn-primary btn-wide" onClick={() => void openOptions('relay')}>
          {i18n.t('popup.relay.openSettings')}
        </button>
      </div>
    );
  }
  if (!relay.connected) {
    return (
      <RelayConnect
        {...relayConnectProps(conn)}
        errors={{ ...conn.errors, general: conn.errors.general ?? (relay.hasToken ? relay.error?.message : undefined) }}
        step={{ n: 1, of: 2 }}
      />
    );
  }
  if (done) {
    return (
      <div className="stack" data-testid="setup-done">
        <TestResult text={done} />
        <p className="muted">{i18n.t('popup.test.next')}</p>
        <button type="button" className="btn btn-primary btn-wide" onClick={props.onDone} autoFocus data-testid="setup-finish">
          {i18n.t('popup.done')}
        </button>
      </div>
    );
  }
  const passwordForm = (
    <ChannelSetupForm
      form={form}
      errors={errors}
      busy={busy}
      result={result}
      generalError={generalError}
      step={steps ? { n: 2, of: 2 } : undefined}
      onChange={(patch) => setForm((f) => ({ ...f, ...patch }))}
      onSecurity={(security) => setForm((f) => withSecurity(f, security))}
      onSubmit={save}
    />
  );
  return (
    <>
      {steps > 0 && relay.account && (
        <Notice tone="ok">{i18n.t('popup.relay.connectedAs', [new URL(relay.relayUrl ?? 'https://relay').host, relay.account.email])}</Notice>
      )}
      {/* Office 365: Microsoft sign-in is the default; the password form is the fallback. */}
      {props.kind === 'office365' ? (
        <Office365Flow step={steps ? { n: 2, of: 2 } : undefined} passwordForm={passwordForm} onConnected={setDone} />
      ) : (
        passwordForm
      )}
    </>
  );
}
