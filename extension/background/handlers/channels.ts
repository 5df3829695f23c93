import { SendwayError } from '../../../shared/messages';
import type { HandlersFor } from '../router';
import { listAllChannels, providerFor } from '../channels/registry';
import { resolveActiveChannel, setActiveChannel } from '../active-channel';
import { refuseSuppressed } from '../sequences/suppression';

export const channelHandlers: HandlersFor<'channels.list' | 'channels.setActive' | 'mail.send'> = {
  'channels.list': async () => {
    const channels = await listAllChannels();
    return { channels, activeChannelId: await resolveActiveChannel(channels) };
  },
  'channels.setActive': async ({ channelId }) => {
    const channels = await listAllChannels();
    if (!channels.some((c) => c.id === channelId)) {
      throw new SendwayError('unknown_channel', `No delivery channel ${channelId} is set up`, 'channelId');
    }
    await setActiveChannel(channelId);
    return { activeChannelId: channelId };
  },
  'mail.send': async ({ channelId, messages, sendAt }) => {
    const id = channelId ?? (await resolveActiveChannel(await listAllChannels()));
    if (!id) throw new SendwayError('no_channel', 'Set up a delivery channel in the Sendway popup first');
    // Nobody who unsubscribed gets mail again, whichever channel (see sequences/suppression.ts).
    const refused = await refuseSuppressed(messages.map((m) => m.draft));
    const allowed = messages.filter((_, i) => !refused[i]);
    const sent = allowed.length ? await providerFor(id).send(id, allowed, { sendAt }) : [];
    let next = 0;
    return { results: refused.map((r) => r ?? sent[next++]!) };
  },
};
