import type { ChannelView, OutgoingDraft, SendOutcome } from '../../../shared/messages/channels';
import type { DeliveryProvider } from '../channels/provider';
import { GMAIL_CHANNEL_ID, type GmailChannel } from './channel';

/** The Gmail channel as the delivery registry sees it: channel id 'gmail', sent from this browser. */
export class GmailProvider implements DeliveryProvider {
  readonly name = 'gmail';

  constructor(private readonly channel: () => GmailChannel) {}

  async listChannels(): Promise<ChannelView[]> {
    try {
      return await this.channel().views();
    } catch (error) {
      console.warn('[sendway] Gmail channel status unavailable', error);
      return [];
    }
  }

  owns(channelId: string): boolean {
    return channelId === GMAIL_CHANNEL_ID;
  }

  send(_channelId: string, items: { idempotencyKey: string; draft: OutgoingDraft }[], options: { sendAt?: string }): Promise<SendOutcome[]> {
    return this.channel().dispatcher.submit(items, options);
  }
}
