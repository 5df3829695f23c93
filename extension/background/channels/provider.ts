import type { ChannelView, OutgoingDraft, SendOutcome } from '../../../shared/messages/channels';

/**
 * A source of delivery channels: the Gmail API (local) or the relay (remote).
 * The background asks every provider and routes each send to the one that
 * owns the channel id.
 */
export interface DeliveryProvider {
  readonly name: string;
  /** Channels this provider offers right now; never throws (reports status on each channel instead). */
  listChannels(signal?: AbortSignal): Promise<ChannelView[]>;
  owns(channelId: string): boolean;
  send(
    channelId: string,
    items: { idempotencyKey: string; draft: OutgoingDraft }[],
    options: { sendAt?: string; signal?: AbortSignal },
  ): Promise<SendOutcome[]>;
}
