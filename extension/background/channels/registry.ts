import { SendwayError } from '../../../shared/messages';
import type { ChannelView } from '../../../shared/messages/channels';
import type { DeliveryProvider } from './provider';

const providers: DeliveryProvider[] = [];

/** Called once per provider at background start-up (see entrypoints/background.ts). */
export function registerProvider(provider: DeliveryProvider): void {
  if (!providers.some((p) => p.name === provider.name)) providers.push(provider);
}

export async function listAllChannels(signal?: AbortSignal): Promise<ChannelView[]> {
  const lists = await Promise.all(providers.map((p) => p.listChannels(signal).catch(() => [] as ChannelView[])));
  return lists.flat();
}

export function providerFor(channelId: string): DeliveryProvider {
  const provider = providers.find((p) => p.owns(channelId));
  if (!provider) throw new SendwayError('unknown_channel', `No delivery channel ${channelId} is set up`, 'channelId');
  return provider;
}
