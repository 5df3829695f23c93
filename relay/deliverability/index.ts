import net from 'node:net';
import { worstStatus, type DeliverabilityCheck, type DeliverabilityReport } from '../../shared/schemas/deliverability';
import type { DnsLookup } from './lookup';
import { PROVIDER_PROFILES, type ProviderProfile } from './providers';
import { checkSpf } from './spf';
import { checkDkim } from './dkim';
import { checkDmarc } from './dmarc';
import { checkMx } from './mx';

export interface DeliverabilitySubject {
  channelId: string;
  provider: keyof typeof PROVIDER_PROFILES;
  /** The sending domains: a domain channel's domains, or the owner's domain for a personal channel. */
  domains: string[];
  /** Custom SMTP: the server whose addresses SPF must list. */
  smtpHost?: string;
  /** Custom SMTP / SparkPost: the DKIM selector the admin entered. */
  dkimSelector?: string;
}

async function serverAddresses(lookup: DnsLookup, host: string | undefined): Promise<string[]> {
  if (!host) return [];
  if (net.isIP(host)) return [host];
  return lookup.addresses(host).catch(() => []);
}

/** Runs every check for every sending domain. Never throws: DNS trouble becomes a "warn" check. */
export async function checkDeliverability(lookup: DnsLookup, subject: DeliverabilitySubject, now = new Date()): Promise<DeliverabilityReport> {
  const profile: ProviderProfile = PROVIDER_PROFILES[subject.provider];
  const selectors = subject.dkimSelector ? [subject.dkimSelector] : profile.dkimSelectors;
  const addresses = profile.spfInclude ? [] : await serverAddresses(lookup, subject.smtpHost);
  const checks: DeliverabilityCheck[] = [];
  for (const domain of subject.domains) {
    const results = await Promise.all([
      checkSpf(lookup, domain, { include: profile.spfInclude, addresses }, profile.label),
      checkDkim(lookup, domain, selectors, profile.label),
      checkDmarc(lookup, domain),
      checkMx(lookup, domain),
    ]);
    checks.push(...results);
  }
  return {
    channelId: subject.channelId,
    status: worstStatus(checks.map((c) => c.status)),
    summary: profile.summary,
    domains: subject.domains,
    checks,
    checkedAt: now.toISOString(),
  };
}

export { PROVIDER_PROFILES };
