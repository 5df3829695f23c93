import type { ChannelView } from '../../shared/messages/channels';
import { getEffectiveSettings } from './settings';

const KEY = 'activeChannelId';

/**
 * The channel a send uses when none is named: the rep's choice, else the
 * organisation's default (a channel id or a channel kind), else the first
 * ready channel.
 */
export async function resolveActiveChannel(channels: ChannelView[]): Promise<string | null> {
  const chosen = (await browser.storage.local.get(KEY))[KEY];
  if (typeof chosen === 'string' && channels.some((c) => c.id === chosen)) return chosen;
  const fallback = (await getEffectiveSettings()).values.defaultChannel;
  const byDefault = fallback ? channels.find((c) => c.id === fallback || c.kind === fallback) : undefined;
  if (byDefault) return byDefault.id;
  return (channels.find((c) => c.status === 'ready') ?? channels[0])?.id ?? null;
}

export async function setActiveChannel(channelId: string): Promise<void> {
  await browser.storage.local.set({ [KEY]: channelId });
}
