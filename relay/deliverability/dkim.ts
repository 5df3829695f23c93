import type { DeliverabilityCheck } from '../../shared/schemas/deliverability';
import { DnsLookupError, type DnsLookup } from './lookup';

/** A DKIM key record: v=DKIM1 (optional) and a non-empty p= (an empty p= means the key was revoked). */
function keyState(record: string): 'ok' | 'revoked' | 'invalid' {
  const tags = new Map(
    record
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => {
        const i = t.indexOf('=');
        return [t.slice(0, i).trim().toLowerCase(), t.slice(i + 1).replace(/\s+/g, '')] as const;
      }),
  );
  if (tags.has('v') && tags.get('v') !== 'DKIM1') return 'invalid';
  if (!tags.has('p')) return 'invalid';
  return tags.get('p') ? 'ok' : 'revoked';
}

export async function checkDkim(lookup: DnsLookup, domain: string, selectors: string[], providerLabel: string): Promise<DeliverabilityCheck> {
  const base = { check: 'dkim' as const, domain };
  if (selectors.length === 0) {
    return {
      ...base,
      status: 'warn',
      code: 'dkim_selector_unknown',
      message: `Sendway does not know which DKIM selector ${providerLabel} uses for ${domain}, so DKIM was not checked.`,
      fix: "Enter the channel's DKIM selector (shown in the provider's domain settings) to check it.",
    };
  }
  const found: string[] = [];
  const problems: string[] = [];
  for (const selector of selectors) {
    const name = `${selector}._domainkey.${domain}`;
    try {
      // The resolver follows CNAMEs (Office 365 and SendGrid publish the key behind one).
      const records = await lookup.txt(name);
      const state = records.length ? keyState(records.join('')) : 'invalid';
      if (state === 'ok') found.push(selector);
      else problems.push(`${name}: ${state === 'revoked' ? 'key revoked (empty p=)' : 'not a DKIM key record'}`);
    } catch (error) {
      if (error instanceof DnsLookupError && (error.kind === 'timeout' || error.kind === 'servfail' || error.kind === 'error')) {
        return { ...base, status: 'warn', code: 'dns_unavailable', message: `DKIM of ${domain} could not be checked right now (DNS ${error.kind}).`, fix: 'Try the check again later.' };
      }
      problems.push(`${name}: no record`);
    }
  }
  if (found.length) {
    return { ...base, status: 'pass', code: 'dkim_ok', found: found.map((s) => `${s}._domainkey.${domain}`).join(', '), message: `DKIM key published for ${domain} (selector ${found.join(', ')}).` };
  }
  return {
    ...base,
    status: 'fail',
    code: 'dkim_missing',
    found: problems.join('; '),
    message: `${providerLabel} cannot sign mail for ${domain}: no DKIM key at ${selectors.map((s) => `${s}._domainkey.${domain}`).join(' or ')}.`,
    fix: `Enable DKIM for ${domain} in ${providerLabel} and publish the records it shows.`,
  };
}
