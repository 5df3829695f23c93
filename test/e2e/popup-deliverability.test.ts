import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { TestDnsServer } from '../helpers/dns-server';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { closeClean, grantRelayOrigin, openPopup, shot } from './popup.kit';

// The popup's deliverability badge for a relay channel: the relay asks a real
// DNS server on loopback about the channel's domain; the rep sees one badge
// and, behind it, the fixes with the exact record to publish.
describe('popup deliverability badge', () => {
  const dns = new TestDnsServer({
    'acme.test': [{ type: 'TXT', value: 'v=spf1 include:_spf.example.net ~all' }, { type: 'MX', exchange: 'mx.acme.test', priority: 10 }],
    '_spf.example.net': [{ type: 'TXT', value: 'v=spf1 ip4:192.0.2.0/24 -all' }],
    '_dmarc.acme.test': [{ type: 'TXT', value: 'v=DMARC1; p=none' }],
    'mail2026._domainkey.acme.test': [{ type: 'TXT', value: 'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A' }],
  });
  let relay: RunningRelay;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    await dns.start();
    relay = await startRelay({ env: { RELAY_DNS_SERVERS: dns.address, RELAY_DNS_TIMEOUT_MS: '500' } });
    const admin = await relay.createToken('admin@acme.test', true);
    await createChannel(relay, admin, smtpChannel(2525, { name: 'Acme team SMTP', scope: 'domain', domains: ['acme.test'] }));
    browser = await launchWithExtension();
    await grantRelayOrigin(browser, relay.url);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await dns.stop();
  });

  it('shows "At risk of spam" with the SPF record that lists the server, and says mail still goes out', async () => {
    const page = await openPopup(browser);
    // Connect the way a rep does: the Connect button asks for the relay origin, then the token is checked.
    await page.getByTestId('provider-smtp').click();
    await page.getByTestId('relay-url').fill(relay.url);
    await page.getByTestId('relay-token').fill(await relay.createToken('rep@acme.test'));
    await page.getByTestId('relay-connect').click();
    await page.getByText('Step 2 of 2').waitFor();
    await page.reload();
    const card = page.locator('[data-testid="channel-card"]', { hasText: 'Acme team SMTP' });
    const badge = card.getByTestId('deliverability-badge');
    await badge.waitFor();
    expect(await badge.textContent()).toBe('At risk of spam');
    await card.getByText('What to fix (3)').click();
    const spf = card.locator('[data-check="spf"]');
    expect(await spf.getAttribute('data-status')).toBe('fail');
    expect(await spf.locator('code').textContent()).toBe('v=spf1 include:_spf.example.net ip4:127.0.0.1 ~all');
    expect(await card.locator('[data-check="dmarc"]').getAttribute('data-status')).toBe('warn');
    await card.getByText('Mail still goes out through this channel').waitFor();
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'en-30-deliverability', true);

    // The rep enters the selector their provider shows; DKIM is checked and remembered.
    await card.getByTestId('dkim-selector').fill('mail2026');
    await card.getByRole('button', { name: 'Check DKIM' }).click();
    await expect.poll(() => card.locator('[data-check="dkim"]').getAttribute('data-status')).toBe('pass');
    await page.reload();
    await card.getByText('What to fix (2)').click();
    expect(await card.locator('[data-check="dkim"]').getAttribute('data-status')).toBe('pass');
    await closeClean(page);
  });
});
