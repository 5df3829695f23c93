import { i18n } from '#i18n';
import type { GmailStatus } from '../../../shared/messages/gmail';
import { formatNumber } from '../logic/texts';
import { Notice } from './Notice';

/** Gmail needs no SMTP details: the rep signs in with Google and that is all. */
export function GmailSetup(props: {
  status?: GmailStatus;
  /** This build has no Gmail channel at all. */
  unavailable?: boolean;
  busy: boolean;
  error?: string;
  onConnect: () => void;
  onDisconnect: () => void;
}) {
  const { status } = props;
  if (props.unavailable) return <Notice tone="info">{i18n.t('popup.gmail.unavailable')}</Notice>;
  if (!status) return <p className="muted">{i18n.t('popup.loading')}</p>;
  if (!status.configured) return <Notice tone="info">{i18n.t('popup.gmail.notConfigured')}</Notice>;
  return (
    <div className="stack">
      <p className="muted">{i18n.t('popup.providers.gmail')}</p>
      {status.connected && !status.needsSignIn && status.account && (
        <Notice tone="ok">{i18n.t('popup.gmail.connected', [status.account])}</Notice>
      )}
      {status.needsSignIn && <Notice tone="warn">{i18n.t('popup.gmail.needsSignIn')}</Notice>}
      <p className="muted">{i18n.t('popup.gmail.dailyLimit', [formatNumber(status.dailyLimit)])}</p>
      {props.error && <Notice tone="error">{props.error}</Notice>}
      {!status.connected || status.needsSignIn ? (
        <button type="button" className="btn btn-google btn-wide" onClick={props.onConnect} disabled={props.busy} data-testid="gmail-connect">
          <span className="google-g" aria-hidden="true">
            G
          </span>
          {props.busy ? i18n.t('popup.gmail.connecting') : i18n.t('popup.gmail.connect')}
        </button>
      ) : (
        <button type="button" className="btn btn-wide" onClick={props.onDisconnect} disabled={props.busy}>
          {i18n.t('popup.gmail.disconnect')}
        </button>
      )}
    </div>
  );
}
