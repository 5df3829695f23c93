import parseDmarc from 'dmarc-parse';
import type { DeliverabilityCheck } from '../../shared/schemas/deliverability';
import { DnsLookupError, type DnsLookup } from './lookup';

/** The domain DMARC falls back to: the registrable parent (last two labels; good enough for com/nl/org-style domains). */
export function organizationalDomain(domain: string): string {
  return domain.split('.').slice(-2).join('.');
}

async function dmarcRecords(lookup: DnsLookup, domain: string): Promise<string[]> {
  try {
    return (await lookup.txt(`_dmarc.${domain}`)).filter((r) => /^v=DMARC1(\s*;|\s*$)/i.test(r.trim()));
  } catch (error) {
    if (error instanceof DnsLookupError && (error.kind === 'nxdomain' || error.kind === 'nodata')) return [];
    throw error;
  }
}

export async function checkDmarc(lookup: DnsLookup, domain: string): Promise<DeliverabilityCheck> {
  const base = { check: 'dmarc' as const, domain };
  let records: string[];
  let at = domain;
  try {
    records = await dmarcRecords(lookup, domain);
    const org = organizationalDomain(domain);
    if (records.length === 0 && org !== domain) {
      at = org;
      records = await dmarcRecords(lookup, org);
    }
  } catch (error) {
    return { ...base, status: 'warn', code: 'dns_unavailable', message: `DMARC of ${domain} could not be checked right now (DNS ${(error as DnsLookupError).kind ?? 'error'}).`, fix: 'Try the check again later.' };
  }
  if (records.length === 0) {
    return {
      ...base,
      status: 'fail',
      code: 'dmarc_missing',
      message: `${domain} has no DMARC policy. Gmail and Yahoo expect one from anyone sending in volume, and without it spoofed mail looks like yours.`,
      fix: `Add a TXT record at _dmarc.${domain}; start with p=none to collect reports, then move to quarantine.`,
      record: { type: 'TXT', name: `_dmarc.${domain}`, value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}` },
    };
  }
  if (records.length > 1) {
    return { ...base, status: 'fail', code: 'dmarc_multiple', found: records.join(' | '), message: `_dmarc.${at} has ${records.length} DMARC records; receivers then ignore DMARC.`, fix: 'Keep exactly one v=DMARC1 record.' };
  }
  const found = records[0]!;
  const parsed = parseDmarc(found);
  if (parsed.messages?.length || !parsed.tags.p) {
    return { ...base, status: 'fail', code: 'dmarc_invalid', found, message: `The DMARC record of ${at} is invalid: ${parsed.messages?.[0] ?? 'the p= tag is missing'}.`, fix: 'Correct the record, e.g. v=DMARC1; p=quarantine; rua=mailto:…' };
  }
  const policy = parsed.tags.p.value.toLowerCase();
  const alignment = `DKIM alignment ${parsed.tags.adkim?.value === 's' ? 'strict' : 'relaxed'}, SPF alignment ${parsed.tags.aspf?.value === 's' ? 'strict' : 'relaxed'}`;
  if (policy === 'none') {
    return {
      ...base,
      status: 'warn',
      code: 'dmarc_none',
      found,
      message: `DMARC of ${at} only monitors (p=none): receivers are not told to reject mail that fails. ${alignment}.`,
      fix: 'Once reports show all your senders pass, move to p=quarantine.',
    };
  }
  return { ...base, status: 'pass', code: 'dmarc_ok', found, message: `DMARC of ${at} asks receivers to ${policy} failing mail. ${alignment}.` };
}
