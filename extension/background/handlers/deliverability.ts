import { SendwayError } from '../../../shared/messages/define';
import type { HandlersFor } from '../router';
import { listAllChannels } from '../channels/registry';
import { accountOf, openConnection } from '../relay/connection';
import { fromViewId } from '../relay/map';

/** Consumer mail domains: Google runs their DNS, there is nothing for a rep to fix. */
const GOOGLE_DOMAINS = new Set(['gmail.com', 'googlemail.com']);
const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

export const deliverabilityHandlers: HandlersFor<'deliverability.check'> = {
  'deliverability.check': async ({ channelId, dkimSelector, refresh }) => {
    const relayId = fromViewId(channelId);
    const conn = await openConnection();
    if (relayId) {
      if (!conn) return { report: null, note: 'relay_needed' };
      return { report: await conn.client.deliverability({ channelId: relayId }, { dkimSelector, refresh }) };
    }
    const channel = (await listAllChannels()).find((c) => c.id === channelId);
    if (!channel) throw new SendwayError('unknown_channel', `No delivery channel ${channelId} is set up`, 'channelId');
    if (channel.kind !== 'gmail') throw new SendwayError('unsupported', 'This channel has no deliverability check', 'channelId');
    const domain = channel.account ? domainOf(channel.account) : undefined;
    if (!domain || GOOGLE_DOMAINS.has(domain)) return { report: null, note: 'provider_domain' };
    // Only the relay can ask DNS, and only about its token's own domain.
    if (!conn) return { report: null, note: 'relay_needed' };
    const relayAccount = await accountOf(conn).catch(() => undefined);
    if (!relayAccount || domainOf(relayAccount.email) !== domain) return { report: null, note: 'other_domain' };
    return { report: await conn.client.deliverability({ provider: 'gmail' }, { dkimSelector, refresh }) };
  },
};
