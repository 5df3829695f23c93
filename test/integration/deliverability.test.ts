import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDnsServer, type ZoneRecord } from '../helpers/dns-server';
import { cachedLookup, nodeDnsLookup } from '../../relay/deliverability/lookup';
import { checkDeliverability } from '../../relay/deliverability';
import type { DeliverabilityCheck } from '../../shared/schemas/deliverability';

const DKIM_KEY = `v=DKIM1; k=rsa; p=${'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'.repeat(8)}`;
const txt = (value: string): ZoneRecord => ({ type: 'TXT', value });
const mx = (exchange: string): ZoneRecord => ({ type: 'MX', exchange, priority: 10 });

/** Eleven chained includes: one more lookup than SPF allows. */
const chain: Record<string, ZoneRecord[]> = {};
for (let i = 0; i < 11; i++) chain[`n${i}.spf.test`] = [txt(`v=spf1 ${i < 10 ? `include:n${i + 1}.spf.test ` : ''}-all`)];

const ZONE: Record<string, ZoneRecord[]> = {
  ...chain,
  'spf.protection.outlook.com': [txt('v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 -all')],
  'sendgrid.net': [txt('v=spf1 ip4:167.89.0.0/17 -all')],
  // Everything right for Office 365, DKIM behind a two-step CNAME chain.
  'good.test': [txt('v=spf1 include:spf.protection.outlook.com -all'), txt('google-site-verification=abc'), mx('mx.good.test')],
  '_dmarc.good.test': [txt('v=DMARC1; p=reject; adkim=s; rua=mailto:d@good.test')],
  'selector1._domainkey.good.test': [{ type: 'CNAME', value: 'selector1-good-test._domainkey.tenant.onmicrosoft.test' }],
  'selector1-good-test._domainkey.tenant.onmicrosoft.test': [{ type: 'CNAME', value: 'keys.onmicrosoft.test' }],
  'keys.onmicrosoft.test': [txt(DKIM_KEY)],
  // No SPF, no DMARC, no DKIM, but MX.
  'bare.test': [mx('mx.bare.test'), txt('some-verification=1')],
  // SPF that forgets the provider; DMARC monitoring only.
  'noinclude.test': [txt('v=spf1 include:_spf.google.com ~all'), mx('mx.noinclude.test')],
  '_spf.google.com': [txt('v=spf1 ip4:35.190.247.0/24 ~all')],
  '_dmarc.noinclude.test': [txt('v=DMARC1; p=none')],
  // Over ten lookups.
  'deep.test': [txt('v=spf1 include:spf.protection.outlook.com include:n0.spf.test -all'), mx('mx.deep.test')],
  // Malformed records of every kind.
  'broken.test': [txt('v=spf1 inclde:foo ~al'), mx('mx.broken.test')],
  '_dmarc.broken.test': [txt('v=DMARC1; p=bogus')],
  'selector1._domainkey.broken.test': [txt('this is not a key')],
  // Two SPF records, +all.
  'twospf.test': [txt('v=spf1 -all'), txt('v=spf1 include:spf.protection.outlook.com -all')],
  'passall.test': [txt('v=spf1 include:spf.protection.outlook.com +all')],
  // Custom SMTP server that SPF lists by address, and one it does not.
  'custom.test': [txt('v=spf1 ip4:192.0.2.0/24 -all'), mx('mx.custom.test')],
  '_dmarc.custom.test': [txt('v=DMARC1; p=quarantine')],
  'mail.custom.test': [{ type: 'A', value: '192.0.2.25' }],
  'other.custom-smtp.test': [{ type: 'A', value: '198.51.100.7' }],
  'dk._domainkey.custom.test': [txt(DKIM_KEY)],
  // SendGrid with s1 but revoked s2 is still signed.
  'sg.test': [txt('v=spf1 include:sendgrid.net ~all'), mx('mx.sg.test')],
  '_dmarc.sg.test': [txt('v=DMARC1; p=quarantine')],
  's1._domainkey.sg.test': [txt(DKIM_KEY)],
  's2._domainkey.sg.test': [txt('v=DKIM1; p=')],
};

const byCheck = (checks: DeliverabilityCheck[], check: string) => checks.find((c) => c.check === check)!;

describe('deliverability checks against a real DNS server', () => {
  const dns = new TestDnsServer(ZONE, { silent: ['slow.test', '_dmarc.slow.test', 'selector1._domainkey.slow.test'] });
  let lookup: ReturnType<typeof nodeDnsLookup>;
  beforeAll(async () => {
    await dns.start();
    lookup = nodeDnsLookup({ servers: [dns.address], timeoutMs: 300 });
  });
  afterAll(() => dns.stop());

  const o365 = (domain: string) => checkDeliverability(lookup, { channelId: 'c1', provider: 'office365', domains: [domain] });

  it('passes a domain set up right for Office 365, following a CNAME chain to the DKIM key', async () => {
    const report = await o365('good.test');
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['spf', 'pass'],
      ['dkim', 'pass'],
      ['dmarc', 'pass'],
      ['mx', 'pass'],
    ]);
    expect(report.status).toBe('pass');
    expect(byCheck(report.checks, 'dmarc').message).toContain('DKIM alignment strict');
  });

  it('fails a missing SPF, DKIM and DMARC, with the exact records to add', async () => {
    const { checks, status } = await o365('bare.test');
    expect(status).toBe('fail');
    expect(byCheck(checks, 'spf')).toMatchObject({ status: 'fail', code: 'spf_missing', record: { type: 'TXT', name: 'bare.test', value: 'v=spf1 include:spf.protection.outlook.com ~all' } });
    expect(byCheck(checks, 'dkim')).toMatchObject({ status: 'fail', code: 'dkim_missing' });
    expect(byCheck(checks, 'dmarc')).toMatchObject({ status: 'fail', code: 'dmarc_missing', record: { name: '_dmarc.bare.test', value: 'v=DMARC1; p=none; rua=mailto:dmarc-reports@bare.test' } });
  });

  it('fails SPF without the provider include and computes the corrected record; warns on p=none', async () => {
    const { checks } = await o365('noinclude.test');
    expect(byCheck(checks, 'spf')).toMatchObject({
      status: 'fail',
      code: 'spf_provider_missing',
      record: { value: 'v=spf1 include:_spf.google.com include:spf.protection.outlook.com ~all' },
    });
    expect(byCheck(checks, 'dmarc')).toMatchObject({ status: 'warn', code: 'dmarc_none' });
  });

  it('fails SPF over ten DNS lookups', async () => {
    const spf = byCheck((await o365('deep.test')).checks, 'spf');
    expect(spf).toMatchObject({ status: 'fail', code: 'spf_too_many_lookups' });
    expect(spf.message).toMatch(/needs 1[2-9] DNS lookups; the limit is 10/);
  });

  it('reports malformed records as failures without crashing', async () => {
    const { checks } = await o365('broken.test');
    expect(byCheck(checks, 'spf')).toMatchObject({ status: 'fail', code: 'spf_invalid' });
    expect(byCheck(checks, 'dmarc')).toMatchObject({ status: 'fail', code: 'dmarc_invalid' });
    expect(byCheck(checks, 'dkim')).toMatchObject({ status: 'fail', code: 'dkim_missing' });
  });

  it('fails two SPF records and a +all record', async () => {
    expect(byCheck((await o365('twospf.test')).checks, 'spf').code).toBe('spf_multiple');
    expect(byCheck((await o365('passall.test')).checks, 'spf').code).toBe('spf_pass_all');
  });

  it('fails a domain that does not exist (NXDOMAIN)', async () => {
    const { checks, status } = await o365('nowhere.test');
    expect(status).toBe('fail');
    expect(byCheck(checks, 'spf').code).toBe('domain_missing');
    expect(byCheck(checks, 'mx').code).toBe('domain_missing');
  });

  it('turns a DNS timeout into a warning, not an error', async () => {
    const { checks } = await o365('slow.test');
    expect(checks.filter((c) => c.check !== 'mx').every((c) => c.status === 'warn' && c.code === 'dns_unavailable')).toBe(true);
  });

  it('checks that SPF lists a custom SMTP server by address', async () => {
    const ok = await checkDeliverability(lookup, { channelId: 'c2', provider: 'smtp', domains: ['custom.test'], smtpHost: 'mail.custom.test', dkimSelector: 'dk' });
    expect(ok.status).toBe('pass');
    const wrong = await checkDeliverability(lookup, { channelId: 'c3', provider: 'smtp', domains: ['custom.test'], smtpHost: 'other.custom-smtp.test' });
    expect(byCheck(wrong.checks, 'spf')).toMatchObject({ status: 'fail', code: 'spf_server_missing', record: { value: 'v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.7 -all' } });
    expect(byCheck(wrong.checks, 'dkim')).toMatchObject({ status: 'warn', code: 'dkim_selector_unknown' });
  });

  it('accepts SendGrid signing with s1 while s2 is revoked', async () => {
    const report = await checkDeliverability(lookup, { channelId: 'c4', provider: 'sendgrid', domains: ['sg.test'] });
    expect(byCheck(report.checks, 'dkim')).toMatchObject({ status: 'pass', found: 's1._domainkey.sg.test' });
    expect(report.status).toBe('pass');
  });

  it('answers repeated checks from the cache', async () => {
    const counting = cachedLookup(lookup, 60_000);
    const before = dns.queries.length;
    await checkDeliverability(counting, { channelId: 'c1', provider: 'office365', domains: ['good.test'] });
    const first = dns.queries.length - before;
    await checkDeliverability(counting, { channelId: 'c1', provider: 'office365', domains: ['good.test'] });
    expect(first).toBeGreaterThan(0);
    expect(dns.queries.length - before).toBe(first);
  });
});
