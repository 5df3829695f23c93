import type { TokenRecord } from '../store/tokens';

/** Authorisation rules in one place, pure, so the matrix is testable without HTTP. Never an open relay. */
export interface ChannelAccess {
  scope: 'personal' | 'domain';
  ownerTokenId: string;
  domains: readonly string[];
}

export const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** Why `token` may not send through the channel, or null when it may. */
export function channelDenial(token: TokenRecord, channel: ChannelAccess): string | null {
  if (channel.scope === 'personal') {
    return channel.ownerTokenId === token.id ? null : 'this is a personal channel of another user';
  }
  return channel.domains.includes(domainOf(token.email)) ? null : `your address ${token.email} is not in this channel's domains (${channel.domains.join(', ')})`;
}

/** Why `from` may not be used on the channel by `token`, or null when it may. */
export function fromDenial(token: TokenRecord, channel: ChannelAccess, from: string): string | null {
  const address = from.toLowerCase();
  if (channel.scope === 'personal') {
    return address === token.email ? null : `from must be your own address (${token.email}) on a personal channel`;
  }
  return channel.domains.includes(domainOf(address)) ? null : `from ${address} is not in this channel's domains (${channel.domains.join(', ')})`;
}

/** Who may create a channel of this scope for these domains. */
export function createDenial(token: TokenRecord, scope: 'personal' | 'domain', domains: readonly string[]): string | null {
  if (scope === 'personal' || token.admin) return null;
  const own = domainOf(token.email);
  return domains.every((d) => d === own) ? null : `only an administrator may create a domain channel for domains other than your own (${own})`;
}

export function deleteDenial(token: TokenRecord, channel: ChannelAccess): string | null {
  return token.admin || channel.ownerTokenId === token.id ? null : 'only the channel owner or an administrator may delete it';
}
