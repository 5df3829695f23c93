import { useState, type ReactNode } from 'react';
import { i18n } from '#i18n';
import type { ChannelView } from '../../../shared/messages/channels';
import { windowsOf } from '../logic/limits-view';
import { formatNumber, formatWhen, kindName, statusName, type VerifyText } from '../logic/texts';
import { Gauge } from './Gauge';
import { TestResult } from './TestResult';

export interface ChannelCardProps {
  channel: ChannelView;
  active: boolean;
  /** The organisation's shared team channel. */
  team: boolean;
  now: number;
  /** Name of the radio group all cards share. */
  group: string;
  onUse: () => void;
  onTest?: () => void;
  testing?: boolean;
  testResult?: VerifyText;
  /** "Remove" for relay channels, "Sign out of Google" for Gmail. */
  removeLabel?: string;
  onRemove?: () => void;
  removing?: boolean;
  /** The popup already explains a relay problem once at the top: do not repeat it on every card. */
  quietStatus?: boolean;
  /** Extra content, e.g. the form to enter a changed password. */
  children?: ReactNode;
}

/** One delivery channel: pick it, see its limits fill up live, test or remove it. */
export function ChannelCard(props: ChannelCardProps) {
  const { channel, active, now } = props;
  const [confirming, setConfirming] = useState(false);
  const [minute, day] = windowsOf(channel);
  const slotFree = Date.parse(channel.limits.nextSlotAt) <= now + 500;
  const live = channel.status === 'ready' || channel.status === 'needs_reconnect';
  const meta = [
    kindName(channel.kind),
    props.team ? i18n.t('popup.channels.team') : channel.scope === 'domain' ? i18n.t('popup.channels.domain') : i18n.t('popup.channels.personal'),
  ];
  // A Microsoft sign-in channel has no password: say how it signs in, and what "needs reconnect" asks of the rep.
  if (channel.auth === 'oauth2') meta.push(i18n.t('office365.card.signedIn'));
  const status = channel.auth === 'oauth2' && channel.status === 'needs_reconnect' ? i18n.t('office365.card.needsSignIn') : statusName(channel.status);
  const radioId = `use-${channel.id}`;
  return (
    <li className={`card channel-card${active ? ' channel-active' : ''}`} data-testid="channel-card" data-channel-id={channel.id}>
      <div className="channel-head">
        <input
          type="radio"
          id={radioId}
          name={props.group}
          checked={active}
          onChange={props.onUse}
          aria-label={i18n.t('popup.channels.use', [channel.name])}
        />
        <label htmlFor={radioId} className="channel-name">
          {channel.name}
        </label>
        {active ? (
          <span className="chip chip-active">{i18n.t('popup.channels.inUse')}</span>
        ) : (
          <span className={`chip chip-${channel.status}`}>{status}</span>
        )}
      </div>
      <p className="channel-meta">
        {meta.join(' · ')}
        {channel.account && (
          <>
            <br />
            {i18n.t('popup.channels.sendsAs', [channel.account])}
          </>
        )}
      </p>
      {active && channel.status !== 'ready' && <p className={`chip chip-${channel.status} chip-block`}>{status}</p>}
      {channel.statusMessage && !(props.quietStatus && !live) && <p className="channel-status-message">{channel.statusMessage}</p>}

      {/* Usage of a channel Sendway cannot reach right now would be stale: show it only when live. */}
      {live && (
        <>
          <div className="gauges" aria-label={i18n.t('popup.channels.details', [channel.name])} role="group">
            {minute && <Gauge window={minute} />}
            {day && <Gauge window={day} />}
          </div>
          <p className="channel-slot" data-testid="next-slot">
            {slotFree ? i18n.t('popup.limits.sendNow') : i18n.t('popup.limits.nextSlot', [formatWhen(channel.limits.nextSlotAt, now)])}
          </p>
          <p className="channel-counts" data-testid="channel-counts">
            <span>{i18n.t('popup.limits.queued', [formatNumber(channel.limits.queued)])}</span>
            <span aria-hidden="true"> · </span>
            <span>{i18n.t('popup.limits.sent', [formatNumber(channel.limits.sent)])}</span>
            <span aria-hidden="true"> · </span>
            <span className={channel.limits.failed ? 'text-error' : undefined}>
              {i18n.t('popup.limits.failed', [formatNumber(channel.limits.failed)])}
            </span>
          </p>
          {channel.limits.perMessage !== null && (
            <p className="channel-note">{i18n.t('popup.limits.perMessage', [formatNumber(channel.limits.perMessage)])}</p>
          )}
        </>
      )}

      {props.children}

      {confirming ? (
        <div className="confirm" role="alertdialog" aria-label={i18n.t('popup.channels.remove')}>
          <p>{i18n.t('popup.channels.removeConfirm', [channel.name])}</p>
          <div className="actions">
            <button type="button" className="btn btn-danger" onClick={() => props.onRemove?.()} disabled={props.removing}>
              {i18n.t('popup.channels.removeYes')}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)} autoFocus>
              {i18n.t('popup.channels.removeNo')}
            </button>
          </div>
        </div>
      ) : (
        (props.onTest || props.onRemove) && (
          <div className="actions">
            {props.onTest && (
              <button type="button" className="btn" onClick={props.onTest} disabled={props.testing}>
                {props.testing ? i18n.t('popup.channels.testing') : i18n.t('popup.channels.test')}
              </button>
            )}
            {props.onRemove && (
              <button type="button" className="btn btn-quiet" onClick={() => setConfirming(true)}>
                {props.removeLabel ?? i18n.t('popup.channels.remove')}
              </button>
            )}
          </div>
        )
      )}
      {props.testResult && <TestResult text={props.testResult} />}
    </li>
  );
}
