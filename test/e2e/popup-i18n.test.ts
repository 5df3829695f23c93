import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { startRelay, smtpChannel, type RunningRelay } from '../helpers/relay';
import { TestSmtpServer } from '../helpers/smtp-server';
import { ask, closeClean, grantRelayOrigin, openPopup, shot } from './popup.kit';

/**
 * The popup's main states in English and in Dutch (Chromium started with
 * --lang=nl), saved under test-results/popup/ to look at. In Dutch, no
 * English sentence of ours may show up anywhere on screen.
 */
async function englishOnly(): Promise<string[]> {
  const load = async (l: string) => generateChromeMessages(await parseMessagesFile(path.resolve('extension/locales', `${l}.yml`)));
  const [en, nl] = await Promise.all([load('en'), load('nl')]);
  return Object.entries(en)
    .filter(([key]) => /^(popup|options)_/.test(key))
    .map(([key, m]) => [m.message, nl[key]?.message] as const)
    .filter(([e, n]) => e !== n)
    // Whole sentences or labels without placeholders, long enough not to be a shared word.
    .map(([e]) => e.split(/\$\d/)[0]!.trim())
    .filter((e) => e.length >= 12);
}

for (const lang of ['en', 'nl'] as const) {
  describe(`popup screens (${lang})`, () => {
    let browser: ExtensionBrowser;
    let relay: RunningRelay;
    let smtp: TestSmtpServer;
    let token: string;
    let english: string[] = [];
    const t = (en: string, nl: string) => (lang === 'en' ? en : nl);

    const untranslated = async (page: Page) => {
      if (lang === 'en') return [];
      const text = await page.evaluate(() => document.body.innerText);
      return english.filter((e) => text.includes(e));
    };
    const screen = async (page: Page, name: string) => {
      expect(await untranslated(page), name).toEqual([]);
      await shot(page, `${lang}-${name}`);
    };

    beforeAll(async () => {
      english = await englishOnly();
      smtp = await new TestSmtpServer().start();
      relay = await startRelay();
      token = await relay.createToken('rep@example.com');
      browser = await launchWithExtension(undefined, { args: lang === 'nl' ? ['--lang=nl'] : ['--lang=en-US'] });
      await grantRelayOrigin(browser, relay.url);
    });
    afterAll(async () => {
      await browser?.close();
      await relay?.stop();
      await smtp?.stop();
    });

    it('welcome, relay step and every kind of service', async () => {
      const page = await openPopup(browser);
      await page.getByTestId('welcome').waitFor();
      expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toBe(
        t('How should your emails be sent?', 'Hoe wil je je e-mails versturen?'),
      );
      await screen(page, 'a-welcome');

      await page.getByTestId('provider-office365').click();
      await page.getByTestId('relay-url').fill(relay.url);
      await page.getByTestId('relay-token').fill(token);
      await screen(page, 'b-relay');
      await page.getByTestId('relay-connect').click();
      await page.getByTestId('basic-auth-warning').waitFor();
      expect(await page.getByTestId('basic-auth-warning').textContent()).toContain(t('end of December 2026', 'eind december 2026'));
      expect(await page.locator('.facts').textContent()).toContain(t('30 messages a minute and 10,000 recipients a day', '30 berichten per minuut en 10.000 ontvangers per dag'));
      await screen(page, 'c-office365');

      for (const kind of ['sparkpost', 'sendgrid', 'gmail'] as const) {
        await page.getByTestId('back').click();
        await page.getByTestId(`provider-${kind}`).click();
        await page.locator('.view').waitFor();
        if (kind === 'gmail') await page.locator('.notice, [data-testid="gmail-connect"]').first().waitFor();
        else await page.getByTestId('field-password').waitFor();
        await screen(page, `d-${kind}`);
      }
      await closeClean(page);
    });

    it('custom SMTP: a failed and a passed test', async () => {
      const page = await openPopup(browser);

      await page.getByTestId('provider-smtp').click();
      await page.getByTestId('field-host').fill('127.0.0.1');
      await page.getByTestId('field-port').fill(String(smtp.port));
      await page.getByTestId('field-password').fill('wrong');
      await page.getByTestId('save-and-test').click();
      await page.getByTestId('test-result').waitFor();
      expect(await page.getByTestId('test-result').textContent()).toContain(
        t('The server refused the username or password.', 'De server weigerde de gebruikersnaam of het wachtwoord.'),
      );
      await page.waitForTimeout(400);
      await screen(page, 'e-test-failed');
      await page.getByTestId('field-password').fill('correct horse');
      await page.getByTestId('save-and-test').click();
      await page.getByTestId('setup-done').waitFor();
      await screen(page, 'f-test-passed');
      await closeClean(page);
    });

    it('home with gauges and a banner, then the outbox', async () => {
      const res = await relay.call(token, 'POST', '/v1/channels', smtpChannel(smtp.port, { name: 'Team SMTP', limits: { perMinute: 30, perDay: 10 } }));
      const teamId = `relay:${((await res.json()) as { id: string }).id}`;
      const page = await openPopup(browser);
      await page.getByTestId('channel-card').nth(1).waitFor();
      const messages = Array.from({ length: 8 }, (_, i) => ({
        idempotencyKey: `i18n-${lang}-${i}`,
        draft: { to: [`lead${i}@example.org`], subject: t(`Introduction ${i}`, `Kennismaking ${i}`), text: 'Hi' },
      }));
      await ask(page, 'mail.send', { channelId: teamId, messages });
      await ask(page, 'channels.setActive', { channelId: teamId });
      await expect.poll(() => page.getByTestId('limit-banners').textContent(), { timeout: 20_000 }).toContain('80%');
      await page.locator(`[data-channel-id="${teamId}"]`).scrollIntoViewIfNeeded();
      await screen(page, 'g-home-limits');
      await page.getByRole('tab', { name: t('Outbox', 'Verzonden') }).click();
      await page.getByTestId('outbox-item').first().waitFor();
      await screen(page, 'h-outbox');
      await closeClean(page);
    });

    it('options page', async () => {
      const page = await openPopup(browser, 'options.html');
      await page.setViewportSize({ width: 900, height: 1000 });
      await page.getByTestId('outbox-table').waitFor();
      expect(await untranslated(page)).toEqual([]);
      await shot(page, `${lang}-i-options`, true);
      await closeClean(page);
    });
  });
}
