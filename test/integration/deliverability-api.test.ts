import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDnsServer } from '../helpers/dns-server';
import { createChannel, startRelay, smtpChannel, type RunningRelay } from '../helpers/relay';
import { DeliverabilityReport } from '../../shared/schemas/deliverability';

// GET /v1/channels/:id/deliverability on the real relay, asking a real DNS
// server on loopback (RELAY_DNS_SERVERS) about the channel's domains.
describe('deliverability API', () => {
  const dns = new TestDnsServer({
    'spf.protection.outlook.com': [{ type: 'TXT', value: 'v=spf1 ip4:40.92.0.0/15 -all' }],
    'acme.test': [{ type: 'TXT', value: 'v=spf1 ip4:127.0.0.1 -all' }, { type: 'MX', exchange: 'mx.acme.test', priority: 5 }],
    '_dmarc.acme.test': [{ type: 'TXT', value: 'v=DMARC1; p=quarantine' }],
    'mail2026._domainkey.acme.test': [{ type: 'TXT', value: 'v=DKIM1; p=MIIBIjANBgkq' }],
    'solo.test': [{ type: 'MX', exchange: 'mx.solo.test', priority: 5 }],
  });
  let relay: RunningRelay;
  let admin: string;
  let rep: string;
  let outsider: string;
  let teamChannel: string;
  let personalChannel: string;

  beforeAll(async () => {
    await dns.start();
    relay = await startRelay({
      env: { RELAY_DNS_SERVERS: dns.address, RELAY_DNS_TIMEOUT_MS: '300' },
      lookup: async (host) => [{ address: host === 'smtp.office365.com' ? '52.96.0.1' : '127.0.0.1', family: 4 }],
    });
    admin = await relay.createToken('admin@acme.test', true);
    rep = await relay.createToken('rep@acme.test');
    outsider = await relay.createToken('someone@elsewhere.test');
    teamChannel = await createChannel(relay, admin, smtpChannel(2525, { name: 'Team', scope: 'domain', domains: ['acme.test'] }));
    personalChannel = await createChannel(relay, rep, {
      name: 'My Office 365',
      provider: 'office365',
      username: 'rep@solo.test',
      password: 'pw',
      scope: 'personal',
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await dns.stop();
  });

  it("checks a domain channel's domains and lists the server address SPF must cover", async () => {
    const res = await relay.call(rep, 'GET', `/v1/channels/${teamChannel}/deliverability?dkimSelector=mail2026`);
    expect(res.status).toBe(200);
    const report = DeliverabilityReport.parse(await res.json());
    expect(report.domains).toEqual(['acme.test']);
    expect(report.checks.map((c) => `${c.check}:${c.status}`)).toEqual(['spf:pass', 'dkim:pass', 'dmarc:pass', 'mx:pass']);
    expect(report.status).toBe('pass');
  });

  it("checks a personal Office 365 channel's owner domain, with the exact fixes", async () => {
    const res = await relay.call(rep, 'GET', `/v1/channels/${personalChannel}/deliverability`);
    const report = DeliverabilityReport.parse(await res.json());
    expect(report.domains).toEqual(['acme.test']);
    expect(report.summary).toMatch(/Microsoft 365/);
    const spf = report.checks.find((c) => c.check === 'spf')!;
    expect(spf).toMatchObject({ status: 'fail', code: 'spf_provider_missing', record: { value: 'v=spf1 ip4:127.0.0.1 include:spf.protection.outlook.com -all' } });
    expect(report.checks.find((c) => c.check === 'dkim')).toMatchObject({ status: 'fail', code: 'dkim_missing' });
  });

  it('serves repeated checks from its cache until asked to refresh', async () => {
    const before = dns.queries.length;
    await relay.call(rep, 'GET', `/v1/channels/${teamChannel}/deliverability?dkimSelector=mail2026`);
    expect(dns.queries.length).toBe(before);
    await relay.call(rep, 'GET', `/v1/channels/${teamChannel}/deliverability?dkimSelector=mail2026&refresh=1`);
    expect(dns.queries.length).toBeGreaterThan(before);
  });

  it('refuses tokens that may not use the channel, unknown ids and bad selectors', async () => {
    expect((await relay.call(outsider, 'GET', `/v1/channels/${teamChannel}/deliverability`)).status).toBe(403);
    expect((await relay.call(null, 'GET', `/v1/channels/${teamChannel}/deliverability`)).status).toBe(401);
    expect((await relay.call(rep, 'GET', '/v1/channels/nope/deliverability')).status).toBe(404);
    const bad = await relay.call(rep, 'GET', `/v1/channels/${teamChannel}/deliverability?dkimSelector=a%0d%0ab`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'dkimSelector' } });
  });
});

describe("deliverability of the token's own domain", () => {
  const dns = new TestDnsServer({
    '_spf.google.com': [{ type: 'TXT', value: 'v=spf1 ip4:35.190.247.0/24 ~all' }],
    'ws.test': [{ type: 'TXT', value: 'v=spf1 include:_spf.google.com ~all' }, { type: 'MX', exchange: 'aspmx.l.google.test', priority: 1 }],
    'google._domainkey.ws.test': [{ type: 'TXT', value: 'v=DKIM1; k=rsa; p=MIIBIjAN' }],
    '_dmarc.ws.test': [{ type: 'TXT', value: 'v=DMARC1; p=none' }],
  });
  let relay: RunningRelay;
  beforeAll(async () => {
    await dns.start();
    relay = await startRelay({ env: { RELAY_DNS_SERVERS: dns.address, RELAY_DNS_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await relay?.stop();
    await dns.stop();
  });

  it('checks a Google Workspace domain for the Gmail channel: Google signs, DMARC still matters', async () => {
    const token = await relay.createToken('rep@ws.test');
    const res = await relay.call(token, 'GET', '/v1/deliverability?provider=gmail');
    expect(res.status).toBe(200);
    const report = DeliverabilityReport.parse(await res.json());
    expect(report.domains).toEqual(['ws.test']);
    expect(report.summary).toMatch(/Google signs/);
    expect(report.checks.map((c) => `${c.check}:${c.status}`)).toEqual(['spf:pass', 'dkim:pass', 'dmarc:warn', 'mx:pass']);
  });

  it('takes no domain from the caller and names a bad provider', async () => {
    const token = await relay.createToken('rep@ws.test');
    expect((await relay.call(token, 'GET', '/v1/deliverability?provider=gmail&domain=victim.test')).status).toBe(400);
    const bad = await relay.call(token, 'GET', '/v1/deliverability?provider=carrier-pigeon');
    expect(await bad.json()).toMatchObject({ error: { field: 'provider' } });
  });
});
