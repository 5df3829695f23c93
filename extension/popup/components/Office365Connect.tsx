import type { ReactNode } from 'react';
import { i18n } from '#i18n';
import type { Office365Status } from '../../../shared/messages/office365';
import type { VerifyText } from '../logic/texts';
import { Notice } from './Notice';
import { TestResult } from './TestResult';
import '../office365.css';

/** Microsoft's four squares, drawn inline (no remote assets). */
export function MicrosoftMark() {
  return (
    <svg className="ms-mark" viewBox="0 0 21 21" width="16" height="16" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="9" height="9" fill="#f25022" />
      <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
      <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
      <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
    </svg>
  );
}

export interface Office365ConnectProps {
  status: Office365Status;
  busy: boolean;
  error?: string;
  /** A sign-in that worked but whose connection test did not. */
  result?: VerifyText;
  step?: { n: number; of: number };
  onConnect: () => void;
  onUsePassword: () => void;
}

/** The default way to set up Office 365: one button that signs the rep in with Microsoft. */
export function Office365Connect(props: Office365ConnectProps) {
  return (
    <div className="stack o365" data-testid="o365-connect">
      {props.step && <p className="step">{i18n.t('popup.relay.step', [String(props.step.n), String(props.step.of)])}</p>}
      <p className="o365-lead">
        <span className="chip chip-ready">{i18n.t('office365.setup.recommended')}</span> {i18n.t('office365.setup.intro')}
      </p>
      <ul className="o365-facts">
        <li>{i18n.t('office365.setup.facts.personal')}</li>
        <li>{i18n.t('office365.setup.facts.limits')}</li>
        <li>{i18n.t('office365.setup.facts.bulk')}</li>
      </ul>
      {props.result && <TestResult text={props.result} />}
      {props.error && <Notice tone="error">{props.error}</Notice>}
      <button type="button" className="btn btn-microsoft btn-wide" onClick={props.onConnect} disabled={props.busy} data-testid="o365-connect-button">
        <MicrosoftMark />
        {props.busy ? i18n.t('office365.setup.connecting') : i18n.t('office365.setup.connect')}
      </button>
      <button type="button" className="btn btn-quiet o365-alt" onClick={props.onUsePassword} data-testid="o365-use-password">
        {i18n.t('office365.setup.passwordInstead')}
      </button>
    </div>
  );
}

/** The password form, clearly second best: why it is there, and the way back to signing in. */
export function Office365PasswordFallback(props: { unavailable?: string; canSignIn: boolean; onSignIn: () => void; children: ReactNode }) {
  return (
    <div className="stack" data-testid="o365-password">
      {props.unavailable && <Notice tone="info">{props.unavailable}</Notice>}
      {props.canSignIn && (
        <>
          <button type="button" className="btn btn-quiet o365-alt" onClick={props.onSignIn} data-testid="o365-back-to-signin">
            <MicrosoftMark />
            {i18n.t('office365.setup.backToSignIn')}
          </button>
          <h3 className="o365-fallback-heading">{i18n.t('office365.setup.passwordHeading')}</h3>
        </>
      )}
      {props.children}
    </div>
  );
}

/** One click for a channel Microsoft wants signed in again. */
export function Office365ReconnectButton(props: { busy: boolean; primary: boolean; onReconnect: () => void }) {
  return (
    <button
      type="button"
      className={`btn ${props.primary ? 'btn-primary' : 'btn-microsoft'}`}
      onClick={props.onReconnect}
      disabled={props.busy}
      data-testid="o365-reconnect"
    >
      {!props.primary && <MicrosoftMark />}
      {props.busy ? i18n.t('office365.card.reconnecting') : props.primary ? i18n.t('office365.card.reconnect') : i18n.t('office365.card.switch')}
    </button>
  );
}
