import { i18n } from '#i18n';
import type { ChannelView } from '../../../shared/messages/channels';
import type { OutboxItem, RelayAccount } from '../../../shared/messages/relay';
import type { Channel, ChannelLimits, MessageView } from '../../../shared/schemas/relay-api';

/**
 * Relay channel ids are namespaced in the extension (`relay:<id>`) so the
 * registry can tell at once which provider owns a channel, even in a freshly
 * woken service worker that has not listed anything yet.
 */
export const RELAY_PREFIX = 'relay:';

export const toViewId = (relayId: string): string => RELAY_PREFIX + relayId;

/** The relay's id for a ChannelView id, or null when the id is not a relay channel. */
export function fromViewId(id: string): string | null {
  return id.startsWith(RELAY_PREFIX) && id.length > RELAY_PREFIX.length ? id.slice(RELAY_PREFIX.length) : null;
}

/** Accepts either form, so admins can write the relay's own id in policy. */
export function sameChannel(viewId: string, configured: string | undefined): boolean {
  return !!configured && (viewId === configured || viewId === toViewId(configured));
}

/** The address mail leaves as: the mailbox for Office 365, the rep otherwise. */
export function sendingAddress(channel: Channel, account: RelayAccount): string {
  if (channel.provider === 'office365' && channel.username.includes('@')) return channel.username.toLowerCase();
  return account.email;
}

/** One relay channel and its live usage, as every extension view sees channels. */
export function toChannelView(channel: Channel, limits: ChannelLimits | undefined, account: RelayAccount, now: number): ChannelView {
  const spec = channel.limits;
  const needsReconnect = channel.status === 'needs_reconnect';
  let statusMessage: string | undefined;
  if (needsReconnect) {
    statusMessage =
      channel.auth === 'oauth2'
        ? i18n.t('office365.status.needsReconnect')
        : channel.provider === 'office365'
          ? i18n.t('popup.channels.needsReconnectOffice365')
          : i18n.t('popup.channels.needsReconnect');
  } else if (limits?.held) {
    statusMessage = i18n.t('popup.channels.held', [limits.held.reason]);
  }
  return {
    id: toViewId(channel.id),
    kind: channel.provider,
    name: channel.name,
    scope: channel.scope,
    account: sendingAddress(channel, account),
    status: needsReconnect ? 'needs_reconnect' : 'ready',
    auth: channel.auth,
    ...(statusMessage ? { statusMessage } : {}),
    limits: limits
      ? {
          perMinute: limits.perMinute,
          perDay: limits.perDay,
          perMessage: limits.perMessage,
          // A hold (e.g. Office 365's daily quota) pushes the next slot out even if the windows look free.
          nextSlotAt:
            limits.held && Date.parse(limits.held.until) > Date.parse(limits.nextSlotAt)
              ? limits.held.until
              : limits.nextSlotAt,
          queued: limits.queued,
          sent: limits.sent,
          failed: limits.failed,
        }
      : {
          perMinute: { limit: spec.perMinute, used: 0 },
          perDay: { limit: spec.perDay, used: 0, unit: spec.perDayUnit },
          perMessage: spec.perMessage,
          nextSlotAt: new Date(now).toISOString(),
          queued: 0,
          sent: 0,
          failed: 0,
        },
  };
}

/** Last known channels shown with a status when the relay cannot be asked. */
export function asUnavailable(
  views: ChannelView[],
  status: 'signed_out' | 'unreachable',
  message: string,
): ChannelView[] {
  return views.map((v) => ({ ...v, status, statusMessage: message }));
}

export function toOutboxItem(message: MessageView): OutboxItem {
  return { ...message, channelId: toViewId(message.channelId) };
}
