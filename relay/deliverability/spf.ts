import net from 'node:net';
import parseSpf from 'spf-parse';
import type { DeliverabilityCheck } from '../../shared/schemas/deliverability';
import { DnsLookupError, type DnsLookup } from './lookup';

/** RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups. */
export const SPF_LOOKUP_LIMIT = 10;
const LOOKUP_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

export interface SpfTarget {
  /** An include the record must reach, e.g. spf.protection.outlook.com. */
  include?: string | null;
  /** Addresses of the sending server that the record must authorise (custom SMTP). */
  addresses?: string[];
}

interface Walk {
  lookups: number;
  includes: Set<string>;
  blocks: net.BlockList;
  errors: string[];
  visited: Set<string>;
}

export async function findSpfRecord(lookup: DnsLookup, domain: string): Promise<string[]> {
  const records = await lookup.txt(domain);
  return records.filter((r) => /^v=spf1(\s|$)/i.test(r.trim()));
}

/** Follows includes and redirects, counting lookups and collecting what the record authorises. */
async function walk(lookup: DnsLookup, domain: string, record: string, state: Walk, depth: number): Promise<void> {
  const parsed = parseSpf(record);
  for (const m of parsed.messages ?? []) if (m.type === 'error') state.errors.push(`${domain}: ${m.message}`);
  for (const term of parsed.mechanisms) {
    const type = term.type ?? '';
    if (LOOKUP_TERMS.has(type)) state.lookups++;
    const value = term.value?.toLowerCase();
    if (type === 'ip4' || type === 'ip6') {
      if (!value) continue;
      const [ip, prefix] = value.split('/');
      const family = type === 'ip4' ? 'ipv4' : 'ipv6';
      if (ip && net.isIP(ip)) state.blocks.addSubnet(ip, prefix ? Number(prefix) : family === 'ipv4' ? 32 : 128, family);
    }
    if ((type === 'a' || type === 'mx') && depth < 5) {
      const host = value && !value.startsWith('/') ? value.split('/')[0]! : domain;
      const hosts = type === 'mx' ? (await lookup.mx(host).catch(() => [])).map((m) => m.exchange) : [host];
      for (const h of hosts.slice(0, 10)) {
        for (const ip of await lookup.addresses(h).catch(() => [] as string[])) {
          state.blocks.addAddress(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
        }
      }
    }
    if ((type === 'include' || type === 'redirect') && value) {
      state.includes.add(value);
      if (state.visited.has(value) || depth >= 10 || state.lookups > SPF_LOOKUP_LIMIT + 5) continue;
      state.visited.add(value);
      const nested = await findSpfRecord(lookup, value).catch(() => [] as string[]);
      if (nested.length === 0) state.errors.push(`${value} (${type}) has no SPF record`);
      else await walk(lookup, value, nested[0]!, state, depth + 1);
    }
  }
}

function allTerm(record: string): string | undefined {
  return record.split(/\s+/).find((t) => /^[+?~-]?all$/i.test(t));
}

/** The record with `term` placed before its "all" (or redirect) term, where receivers still read it. */
export function withTerm(record: string, term: string): string {
  const terms = record.trim().split(/\s+/);
  const at = terms.findIndex((t) => /^[+?~-]?all$/i.test(t) || /^redirect=/i.test(t));
  terms.splice(at < 0 ? terms.length : at, 0, term);
  return terms.join(' ');
}

const ipTerm = (ip: string) => `${net.isIPv6(ip) ? 'ip6' : 'ip4'}:${ip}`;

export async function checkSpf(lookup: DnsLookup, domain: string, target: SpfTarget, providerLabel: string): Promise<DeliverabilityCheck> {
  const base = { check: 'spf' as const, domain };
  const wanted = target.include ? `include:${target.include}` : (target.addresses ?? []).map(ipTerm).join(' ');
  const suggestion = `v=spf1 ${wanted ? `${wanted} ` : ''}~all`;
  let records: string[];
  try {
    records = await findSpfRecord(lookup, domain);
  } catch (error) {
    if (error instanceof DnsLookupError && error.kind === 'nxdomain') {
      return { ...base, status: 'fail', code: 'domain_missing', message: `The domain ${domain} does not exist in DNS.`, fix: 'Check the spelling of the sending domain.' };
    }
    if (error instanceof DnsLookupError && error.kind === 'nodata') records = [];
    else return { ...base, status: 'warn', code: 'dns_unavailable', message: `SPF of ${domain} could not be checked right now (DNS ${(error as DnsLookupError).kind ?? 'error'}).`, fix: 'Try the check again later.' };
  }
  if (records.length === 0) {
    return {
      ...base,
      status: 'fail',
      code: 'spf_missing',
      message: `${domain} publishes no SPF record, so receivers cannot tell that ${providerLabel} may send for it.`,
      fix: `Add a TXT record at ${domain}.`,
      record: { type: 'TXT', name: domain, value: suggestion },
    };
  }
  if (records.length > 1) {
    return {
      ...base,
      status: 'fail',
      code: 'spf_multiple',
      found: records.join(' | '),
      message: `${domain} publishes ${records.length} SPF records; receivers then treat SPF as broken.`,
      fix: 'Merge them into a single v=spf1 record.',
    };
  }
  const record = records[0]!;
  const state: Walk = { lookups: 0, includes: new Set(), blocks: new net.BlockList(), errors: [], visited: new Set([domain]) };
  await walk(lookup, domain, record, state, 0);
  const found = record;
  if (state.errors.length) {
    return { ...base, status: 'fail', code: 'spf_invalid', found, message: `The SPF record of ${domain} is invalid: ${state.errors[0]}.`, fix: 'Correct the record; receivers ignore an SPF record with errors.' };
  }
  if (state.lookups > SPF_LOOKUP_LIMIT) {
    return {
      ...base,
      status: 'fail',
      code: 'spf_too_many_lookups',
      found,
      message: `The SPF record of ${domain} needs ${state.lookups} DNS lookups; the limit is ${SPF_LOOKUP_LIMIT}, so receivers fail SPF.`,
      fix: 'Remove includes you no longer use, or replace some with ip4:/ip6: ranges, to stay within 10 lookups.',
    };
  }
  const all = allTerm(record);
  if (all && /^\+?all$/i.test(all)) {
    return { ...base, status: 'fail', code: 'spf_pass_all', found, message: `The SPF record of ${domain} ends in "${all}", which lets anyone send as ${domain}.`, fix: 'End the record with ~all or -all.' };
  }
  if (target.include && !state.includes.has(target.include)) {
    return {
      ...base,
      status: 'fail',
      code: 'spf_provider_missing',
      found,
      message: `The SPF record of ${domain} does not authorise ${providerLabel} (include:${target.include}).`,
      fix: `Add include:${target.include} to the SPF record.`,
      record: { type: 'TXT', name: domain, value: withTerm(record, `include:${target.include}`) },
    };
  }
  const uncovered = (target.addresses ?? []).filter((ip) => !state.blocks.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4'));
  if (uncovered.length) {
    const value = uncovered.reduce((r, ip) => withTerm(r, ipTerm(ip)), record);
    return {
      ...base,
      status: 'fail',
      code: 'spf_server_missing',
      found,
      message: `The SPF record of ${domain} does not list the SMTP server's address ${uncovered.join(', ')}.`,
      fix: `Add ${uncovered.map(ipTerm).join(' ')} to the SPF record.`,
      record: { type: 'TXT', name: domain, value },
    };
  }
  if (!all && !/redirect=/i.test(record)) {
    return { ...base, status: 'warn', code: 'spf_no_all', found, message: `The SPF record of ${domain} has no "all" term, so it does not say what to do with other senders.`, fix: 'End the record with ~all or -all.' };
  }
  if (all && /^\?all$/i.test(all)) {
    return { ...base, status: 'warn', code: 'spf_neutral', found, message: `The SPF record of ${domain} ends in ?all (neutral), which protects nothing.`, fix: 'End the record with ~all or -all.' };
  }
  return { ...base, status: 'pass', code: 'spf_ok', found, message: `SPF of ${domain} authorises ${providerLabel} (${state.lookups} of ${SPF_LOOKUP_LIMIT} lookups).` };
}
