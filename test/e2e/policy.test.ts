import { afterAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { canWritePolicy, writeExtensionPolicy } from '../helpers/policy';

const writable = canWritePolicy();
if (!writable.ok) console.warn(`[policy tests skipped] ${writable.reason}`);

describe.skipIf(!writable.ok)('enterprise policy', () => {
  let browser: ExtensionBrowser | undefined;
  let removePolicy: (() => void) | undefined;
  afterAll(async () => {
    await browser?.close();
    removePolicy?.();
  });

  it('reads a real Chromium policy file back through chrome.storage.managed', async () => {
    removePolicy = writeExtensionPolicy({
      relayUrl: 'https://relay.example.com',
      defaultChannel: 'office365',
      allowedChannels: ['office365', 'sparkpost'],
      lockSettings: true,
      limits: { office365: { perMinute: 20 } },
      notInSchema: 'dropped by the browser',
    });
    browser = await launchWithExtension();
    const managed = await browser.worker.evaluate(() => chrome.storage.managed.get(null));
    expect(managed).toEqual({
      relayUrl: 'https://relay.example.com',
      defaultChannel: 'office365',
      allowedChannels: ['office365', 'sparkpost'],
      lockSettings: true,
      limits: { office365: { perMinute: 20 } },
    });
  });
});
