import type { DeliverabilityCheck } from '../../shared/schemas/deliverability';
import { DnsLookupError, type DnsLookup } from './lookup';

export async function checkMx(lookup: DnsLookup, domain: string): Promise<DeliverabilityCheck> {
  const base = { check: 'mx' as const, domain };
  try {
    const mx = (await lookup.mx(domain)).sort((a, b) => a.priority - b.priority);
    if (mx.length) return { ...base, status: 'pass', code: 'mx_ok', found: mx.map((m) => `${m.priority} ${m.exchange}`).join(', '), message: `${domain} receives mail (replies and bounces can reach it).` };
  } catch (error) {
    const kind = error instanceof DnsLookupError ? error.kind : 'error';
    if (kind === 'nxdomain') return { ...base, status: 'fail', code: 'domain_missing', message: `The domain ${domain} does not exist in DNS.`, fix: 'Check the spelling of the sending domain.' };
    if (kind !== 'nodata') return { ...base, status: 'warn', code: 'dns_unavailable', message: `MX of ${domain} could not be checked right now (DNS ${kind}).`, fix: 'Try the check again later.' };
  }
  return { ...base, status: 'warn', code: 'mx_missing', message: `${domain} has no MX record, so replies and bounces cannot reach it and some receivers distrust it.`, fix: `Publish MX records for ${domain}.` };
}
