import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { GMAIL_URL, launch, OUTLOOK_URL, openPage, sendFromPopup, serveWebmail, sidebarOf, storeRelayConnection, waitReady } from './sidebar-helpers';

/**
 * Screenshots of the sidebar next to each webmail, light and dark, English
 * and Dutch (Chromium's UI language), under test-results/ for a human to look at.
 */
let relay: RunningRelay;
let token: string;
const smtp = new TestSmtpServer();

beforeAll(async () => {
  fs.mkdirSync('test-results', { recursive: true });
  await smtp.start();
  relay = await startRelay();
  token = await relay.createToken('rep@example.com');
  await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Office 365 (Acme)', limits: { perMinute: 30, perDay: 10_000 } }));
});
afterAll(async () => {
  await relay?.stop();
  await smtp.stop();
});

describe.each(['en', 'nl'] as const)('sidebar screenshots (%s)', (lang) => {
  it.each(['light', 'dark'] as const)('Gmail and Outlook, %s', async (scheme) => {
    const browser = await launch({ lang });
    try {
      await storeRelayConnection(browser.context, relay.url, token);
      const { channels } = await sendFromPopup<{ channels: { id: string }[] }>(browser.context, 'channels.list', {});
      await sendFromPopup(browser.context, 'channels.setActive', { channelId: channels[0]!.id });

      await serveWebmail(browser.context, 'gmail', 'current.html');
      const { page } = await openPage(browser.context, GMAIL_URL);
      await page.emulateMedia({ colorScheme: scheme });
      await waitReady(page, 'c2');
      const send = lang === 'en' ? 'Send via Office 365 (Acme)' : 'Verzenden via Office 365 (Acme)';
      await sidebarOf(page, 'c2').getByRole('button', { name: send }).waitFor();
      await sidebarOf(page, 'c1').getByRole('button', { name: lang === 'en' ? 'Insert template' : 'Sjabloon invoegen' }).click();
      await sidebarOf(page, 'c1').locator('.sw-template').first().waitFor();
      await page.screenshot({ path: `test-results/sidebar-gmail-${lang}-${scheme}.png` });
      await page.locator('[data-fixture-compose=c2]').screenshot({ path: `test-results/sidebar-gmail-compose-${lang}-${scheme}.png` });

      await serveWebmail(browser.context, 'outlook', 'current.html');
      await page.goto(OUTLOOK_URL);
      await waitReady(page, 'o1');
      await sidebarOf(page, 'o1').getByRole('button', { name: send }).waitFor();
      await page.locator('[data-fixture-compose=o1] [aria-label^="Message body"]').evaluate((el) => {
        el.prepend(Object.assign(document.createElement('div'), { textContent: 'See you {{ meeting_day }}, {{ first_name }}.' }));
        el.dispatchEvent(new InputEvent('input', { bubbles: true }));
      });
      await sidebarOf(page, 'o1').locator('.sw-custom').waitFor();
      await page.screenshot({ path: `test-results/sidebar-outlook-${lang}-${scheme}.png` });
      expect(fs.existsSync(`test-results/sidebar-outlook-${lang}-${scheme}.png`)).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
