import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { canWritePolicy, writeExtensionPolicy } from '../helpers/policy';
import { startRelay, type RunningRelay } from '../helpers/relay';
import { ask, closeClean, grantRelayOrigin, openPopup, shot } from './popup.kit';

const writable = canWritePolicy();
if (!writable.ok) console.warn(`[popup policy tests skipped] ${writable.reason}`);

describe.skipIf(!writable.ok)('popup under an enterprise policy', () => {
  let browser: ExtensionBrowser;
  let relay: RunningRelay;
  let removePolicy: (() => void) | undefined;

  beforeAll(async () => {
    relay = await startRelay();
    // A real Chromium policy file, as an admin writes it (see README, "For admins").
    removePolicy = writeExtensionPolicy(
      {
        relayUrl: relay.url,
        lockSettings: true,
        allowedChannels: ['office365', 'smtp'],
        defaultChannel: 'office365',
        limits: { office365: { perMinute: 20 } },
      },
      'sendway-popup-test.json',
    );
    browser = await launchWithExtension();
  });
  afterAll(async () => {
    await browser?.close();
    removePolicy?.();
    await relay?.stop();
  });

  it('shows the managed relay URL locked, offers only the allowed services, and connects with just a token', async () => {
    const page = await openPopup(browser);
    await page.getByTestId('welcome').waitFor();
    expect(await page.getByTestId('provider-office365').count()).toBe(1);
    expect(await page.getByTestId('provider-smtp').count()).toBe(1);
    expect(await page.getByTestId('provider-gmail').count()).toBe(0);
    expect(await page.getByTestId('provider-sparkpost').count()).toBe(0);
    expect(await page.getByTestId('provider-office365').getAttribute('class')).toContain('provider-suggested');
    await shot(page, 'en-20-policy-welcome');

    await page.getByTestId('provider-office365').click();
    const url = page.getByTestId('relay-url');
    await url.waitFor();
    expect(await url.inputValue()).toBe(relay.url);
    expect(await url.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByText('Set by your organization').isVisible()).toBe(true);
    // The note is read with the field.
    const describedBy = (await url.getAttribute('aria-describedby')) ?? '';
    expect(await page.evaluate((ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent).join(' '), describedBy)).toContain(
      'Set by your organization',
    );
    await shot(page, 'en-21-policy-locked-url');

    // The rep cannot point Sendway elsewhere, even by asking the background directly.
    await expect(ask(page, 'settings.update', { relayUrl: 'https://elsewhere.example.com' })).rejects.toThrow(/locked: relayUrl is set by your organization/);

    await grantRelayOrigin(browser, relay.url);
    await page.getByTestId('relay-token').fill(await relay.createToken('rep@example.com'));
    await page.getByTestId('relay-connect').click();
    await page.getByText('Step 2 of 2').waitFor();
    const status = await ask<{ relayUrl: string; urlManaged: boolean; connected: boolean }>(page, 'relay.status', {});
    expect(status).toMatchObject({ relayUrl: relay.url, urlManaged: true, connected: true });
    await closeClean(page);
  });
});
