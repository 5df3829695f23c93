import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, serveFixture, TRUSTED_TYPES_CSP, type ExtensionBrowser } from '../helpers/chromium';

describe('built extension in Chromium', () => {
  let browser: ExtensionBrowser;
  beforeAll(async () => {
    browser = await launchWithExtension();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads with the pinned extension ID and a running service worker', async () => {
    const manifest = await browser.worker.evaluate(() => chrome.runtime.getManifest());
    expect(browser.worker.url()).toBe(`chrome-extension://${browser.extensionId}/background.js`);
    expect(manifest.name).toBe('Sendway');
    expect(manifest.permissions).toEqual(['storage', 'alarms', 'identity']);
  });

  it('mounts its shadow-root UI on Gmail under Trusted Types', async () => {
    await serveFixture(browser.context, 'https://mail.google.com/**', 'gmail/minimal.html', {
      'content-security-policy': TRUSTED_TYPES_CSP,
    });
    const page = await browser.context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
    await page.goto('https://mail.google.com/mail/u/0/');
    const host = page.locator('[data-sendway-sidebar]').first();
    await host.waitFor({ state: 'attached' });
    const isShadow = await host.evaluate((el) => el.shadowRoot !== null);
    expect(isShadow).toBe(true);
    expect(violations.filter((v) => /TrustedHTML|Trusted Type/i.test(v))).toEqual([]);
    await page.close();
  });

  it('renders the popup page', async () => {
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sendway');
    await page.close();
  });
});
