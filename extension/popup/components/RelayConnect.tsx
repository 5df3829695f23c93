import type { FormEvent } from 'react';
import { i18n } from '#i18n';
import { Field } from './Field';
import { Notice } from './Notice';

export interface RelayConnectProps {
  url: string;
  token: string;
  /** The organisation set the URL: shown read-only. */
  managed: boolean;
  busy: boolean;
  /** The browser's permission prompt is open, waiting for the rep. */
  waitingFor?: string;
  errors: { relayUrl?: string; token?: string; general?: string };
  step?: { n: number; of: number };
  onUrl: (url: string) => void;
  onToken: (token: string) => void;
  onSubmit: () => void;
}

/** Relay address and the rep's access token: entered once. */
export function RelayConnect(props: RelayConnectProps) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby="relay-heading" noValidate>
      {props.step && <p className="step">{i18n.t('popup.relay.step', [String(props.step.n), String(props.step.of)])}</p>}
      <h2 id="relay-heading">{i18n.t('popup.relay.heading')}</h2>
      <p className="muted">{i18n.t('popup.relay.intro')}</p>
      <Field label={i18n.t('popup.relay.url')} error={props.errors.relayUrl} managed={props.managed}>
        {(control) => (
          <input
            {...control}
            type="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            placeholder={i18n.t('popup.relay.urlPlaceholder')}
            value={props.url}
            readOnly={props.managed}
            onChange={(e) => props.onUrl(e.target.value)}
            data-testid="relay-url"
          />
        )}
      </Field>
      <Field label={i18n.t('popup.relay.token')} help={i18n.t('popup.relay.tokenHelp')} error={props.errors.token}>
        {(control) => (
          <input
            {...control}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={props.token}
            onChange={(e) => props.onToken(e.target.value)}
            data-testid="relay-token"
          />
        )}
      </Field>
      {props.waitingFor && <Notice tone="info">{i18n.t('popup.relay.permissionWaiting', [props.waitingFor])}</Notice>}
      {props.errors.general && <Notice tone="error">{props.errors.general}</Notice>}
      <button type="submit" className="btn btn-primary btn-wide" disabled={props.busy} data-testid="relay-connect">
        {props.busy ? i18n.t('popup.relay.connecting') : i18n.t('popup.relay.connect')}
      </button>
    </form>
  );
}
