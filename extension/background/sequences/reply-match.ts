import type { Enrolment, Sighting } from '../../../shared/messages/sequences';
import { companyFromDomain } from '../../../shared/templates';

export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * The contact's company domain, when mail from it can stand for the contact:
 * not a webmail domain (gmail.com says nothing about a company), and not the
 * rep's own (a colleague's mail is no reply).
 */
export function companyDomain(address: string, selfDomains: ReadonlySet<string>): string | null {
  const domain = domainOf(address);
  if (!companyFromDomain(domain) || selfDomains.has(domain)) return null;
  return domain;
}

const live = (e: Enrolment) => e.status === 'active' || e.status === 'paused';

/** Whom the content scripts should look out for: contacts, their Cc's, and their company domains. */
export function watchList(enrolments: readonly Enrolment[], selfDomains: ReadonlySet<string>): { addresses: string[]; domains: string[] } {
  const addresses = new Set<string>();
  const domains = new Set<string>();
  for (const e of enrolments) {
    if (!live(e)) continue;
    addresses.add(e.contact.address);
    for (const cc of e.contact.cc ?? []) addresses.add(cc);
    const d = companyDomain(e.contact.address, selfDomains);
    if (d) domains.add(d);
  }
  return { addresses: [...addresses].sort(), domains: [...domains].sort() };
}

export interface ReplyMatch {
  sequenceId: string;
  address: string;
  /** Who wrote, for the stop reason shown to the rep. */
  by: string;
  sighting: Sighting;
}

/**
 * Which live enrolments a sighting shows a reply to. A message counts when it
 * is from the contact, from someone Cc'd on the sequence, or from another
 * address at the contact's company; and when it arrived after the enrolment
 * (a known time) or, if the page gave no time, it is still unread. Messages
 * from the rep's own addresses never count.
 */
export function matchReplies(
  enrolments: readonly Enrolment[],
  sightings: readonly Sighting[],
  self: { addresses: ReadonlySet<string>; domains: ReadonlySet<string> },
): ReplyMatch[] {
  const out: ReplyMatch[] = [];
  const seen = new Set<string>();
  for (const s of sightings) {
    const senders = s.from.map((a) => a.toLowerCase()).filter((a) => !self.addresses.has(a));
    if (!senders.length) continue;
    for (const e of enrolments) {
      if (!live(e)) continue;
      const id = `${e.sequenceId}\n${e.contact.address}`;
      if (seen.has(id)) continue;
      if (s.at !== undefined ? s.at < e.enrolledAt : s.unread !== true) continue;
      const cc = new Set(e.contact.cc ?? []);
      const company = companyDomain(e.contact.address, self.domains);
      const by = senders.find((a) => a === e.contact.address || cc.has(a) || (company !== null && domainOf(a) === company));
      if (!by) continue;
      seen.add(id);
      out.push({ sequenceId: e.sequenceId, address: e.contact.address, by, sighting: s });
    }
  }
  return out;
}
