import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { TestSmtpServer } from '../helpers/smtp-server';
import { EXTENSION_ID } from '../helpers/chromium';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { GMAIL_URL, launch, openPage, sendFromPopup, serveWebmail, sidebarOf, storeRelayConnection } from './sidebar-helpers';
import { composeTo, openEnrolPanel } from './sequences.kit';

/**
 * Screenshots of the template editor, the sequences list, a sequence's
 * progress and contacts, the sequence editor, the Office 365 volume warning
 * and the sidebar's "Add to sequence" panel, in English and Dutch, under
 * test-results/ for a human to look at. Each screen is also checked for
 * English words left in the Dutch UI.
 */
let relay: RunningRelay;
let token: string;
const smtp = new TestSmtpServer();

beforeAll(async () => {
  fs.mkdirSync('test-results', { recursive: true });
  await smtp.start();
  relay = await startRelay();
  token = await relay.createToken('rep@example.com');
  await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Acme SendGrid', limits: { perMinute: 60, perDay: 2000 } }));
  // Stored only: nothing is sent through it, so it never has to reach Microsoft.
  const o365 = await relay.call(token, 'POST', '/v1/channels', { name: 'Outlook (Rep)', provider: 'office365', password: 'x', scope: 'personal' });
  expect(o365.status).toBe(201);
});
afterAll(async () => {
  await relay?.stop();
  await smtp.stop();
});

/** Our English texts (templates and sequences) long enough not to be a shared word: none may show in the Dutch UI. */
async function englishTexts(): Promise<string[]> {
  const load = async (l: string) => generateChromeMessages(await parseMessagesFile(path.resolve('extension/locales', `${l}.yml`)));
  const [en, nl] = await Promise.all([load('en'), load('nl')]);
  return Object.entries(en)
    .filter(([key]) => /^(sequences|templates)_/.test(key))
    .map(([key, m]) => [m.message, nl[key]?.message] as const)
    .filter(([e, n]) => e !== n)
    .map(([e]) => e.split(/\$\d/)[0]!.trim())
    .filter((e) => e.length >= 12);
}

/** Visible text of the page, shadow roots (the sidebar) included. */
const textOf = (page: Page) =>
  page.evaluate(() => {
    const parts = [document.body.innerText];
    for (const host of document.querySelectorAll('[data-sendway-sidebar]')) parts.push(host.shadowRoot?.textContent ?? '');
    return parts.join('\n');
  });

const UI = {
  en: { add: 'Add to sequence', enrol: 'Enrol 2 recipients', templates: 'Templates' },
  nl: { add: 'Aan reeks toevoegen', enrol: '2 ontvangers inschrijven', templates: 'Sjablonen' },
};

describe.each(['en', 'nl'] as const)('templates and sequences screenshots (%s)', (lang) => {
  it('options page, popup tab and sidebar panel', async () => {
    const browser = await launch({ lang });
    const english = lang === 'nl' ? await englishTexts() : [];
    const noEnglish = async (page: Page, screen: string) => {
      const text = await textOf(page);
      expect(english.filter((e) => text.includes(e)), screen).toEqual([]);
    };
    try {
      await storeRelayConnection(browser.context, relay.url, token);
      const { channels } = await sendFromPopup<{ channels: { id: string; name: string; kind: string }[] }>(browser.context, 'channels.list', {});
      const smtpId = channels.find((c) => c.name === 'Acme SendGrid')!.id;
      const o365Id = channels.find((c) => c.kind === 'office365')!.id;
      await sendFromPopup(browser.context, 'channels.setActive', { channelId: smtpId });
      const nl = lang === 'nl';
      await sendFromPopup(browser.context, 'templates.save', {
        id: `shot-intro-${lang}`,
        name: nl ? 'Eerste contact' : 'First touch',
        subject: nl ? 'Vraagje, {{ first_name | default: "daar" }}' : 'Quick question, {{ first_name | default: "there" }}',
        body: nl
          ? 'Hoi {{ first_name | default: "daar" }},\n\nTeams zoals {{ company | default: "het jouwe" }} besteden vaak uren aan {{ pain_point }}.\n\nZullen we volgende week 15 minuten bellen?\n\nGroet, {{ frist_name }}'
          : 'Hi {{ first_name | default: "there" }},\n\nTeams like {{ company | default: "yours" }} often spend hours on {{ pain_point }}.\n\nWould a 15-minute call next week help?\n\nBest, {{ frist_name }}',
      });
      await sendFromPopup(browser.context, 'templates.save', { id: `shot-bump-${lang}`, name: nl ? 'Herinnering' : 'Bump', subject: 'x', body: nl ? 'Even een herinnering, {{ first_name | default: "daar" }}.' : 'Bumping this, {{ first_name | default: "there" }}.' });
      const window = { timeZone: 'Europe/Amsterdam', start: '09:00', end: '17:00', businessDaysOnly: true, holidays: ['2030-12-25', '2030-12-26'], contactTimeZone: true };
      const steps = [
        { templateId: `shot-bump-${lang}`, delayDays: 0, businessDays: false, sameThread: false },
        { templateId: `shot-bump-${lang}`, delayDays: 3, businessDays: true, sameThread: true },
        { templateId: `shot-bump-${lang}`, delayDays: 7, businessDays: true, sameThread: true },
      ];
      await sendFromPopup(browser.context, 'sequences.save', { id: `shot-q3-${lang}`, name: nl ? 'Q3 nieuwe klanten' : 'Q3 new logos', channelId: smtpId, steps, window, unsubscribeLink: true });
      await sendFromPopup(browser.context, 'sequences.save', { id: `shot-o365-${lang}`, name: nl ? 'Webinar-opvolging' : 'Webinar follow-up', channelId: o365Id, steps: steps.slice(0, 2), window, unsubscribeLink: true });
      const people = ['Jane Doe', 'Bob Stone', 'Carol Ng', 'Dan Brown', 'Eve Adams', 'Frank Li', 'Grace Hopper', 'Hank Moody', 'Ivy Chen', 'Jack Ryan', 'Kim Park', 'Leo Sato'];
      const domains = ['acme-corp.com', 'globex.com', 'initech.com', 'umbrella-labs.com'];
      const contacts = people.map((name, i) => ({ name, address: `${name.split(' ')[0]!.toLowerCase()}@${domains[i % domains.length]}` }));
      await sendFromPopup(browser.context, 'sequences.enrol', { sequenceId: `shot-q3-${lang}`, contacts });
      await sendFromPopup(browser.context, 'sequences.replySeen', { sightings: [{ webmail: 'gmail', kind: 'row', from: ['bob@globex.com'], unread: true }] });
      await sendFromPopup(browser.context, 'sequences.setPaused', { sequenceId: `shot-q3-${lang}`, addresses: ['carol@initech.com'], paused: true });
      await sendFromPopup(browser.context, 'sequences.unenrol', { sequenceId: `shot-q3-${lang}`, addresses: ['dan@umbrella-labs.com'] });

      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(`chrome-extension://${EXTENSION_ID}/options.html#templates`);
      const templates = page.locator('#templates');
      await templates.getByRole('button', { name: nl ? 'Eerste contact' : 'First touch' }).click();
      await templates.getByTestId('template-unknown').waitFor();
      expect(await templates.locator('[data-field=frist_name]').textContent()).toContain('first_name');
      await templates.screenshot({ path: `test-results/options-templates-${lang}.png` });
      await noEnglish(page, 'templates');

      const sequences = page.locator('#sequences');
      await sequences.getByTestId('sequence-list').waitFor();
      await sequences.screenshot({ path: `test-results/options-sequences-${lang}.png` });
      await sequences.getByRole('button', { name: nl ? 'Q3 nieuwe klanten' : 'Q3 new logos' }).first().click();
      await sequences.getByTestId('sequence-contacts').waitFor();
      await expect.poll(() => sequences.locator('tr[data-address]').count()).toBe(12);
      await sequences.screenshot({ path: `test-results/options-sequence-detail-${lang}.png` });
      await noEnglish(page, 'sequence detail');
      await sequences.getByRole('button', { name: nl ? 'Bewerken' : 'Edit' }).click();
      await sequences.getByTestId('sequence-editor').waitFor();
      await sequences.screenshot({ path: `test-results/options-sequence-editor-${lang}.png` });
      await noEnglish(page, 'sequence editor');

      // Office 365: a paste of 400 contacts warns before anything is enrolled.
      await page.reload();
      await sequences.getByRole('button', { name: nl ? 'Webinar-opvolging' : 'Webinar follow-up' }).first().click();
      await sequences.getByRole('button', { name: nl ? 'Contacten toevoegen' : 'Add contacts' }).click();
      await sequences.getByTestId('enrol-form').locator('textarea').fill(Array.from({ length: 400 }, (_, i) => `lead${i}@prospect${i % 40}.com`).join('\n'));
      await sequences.getByRole('button', { name: nl ? 'Voorbeeld' : 'Preview' }).click();
      await sequences.getByTestId('warning-office365_volume').waitFor({ timeout: 20_000 });
      await sequences.getByTestId('enrol-form').screenshot({ path: `test-results/options-enrol-office365-${lang}.png` });
      await noEnglish(page, 'office 365 warning');

      await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
      await page.setViewportSize({ width: 400, height: 600 });
      await page.getByRole('tab', { name: nl ? 'Reeksen' : 'Sequences' }).click();
      await page.getByTestId('popup-sequences').locator('.card').first().waitFor();
      await page.screenshot({ path: `test-results/popup-sequences-${lang}.png` });
      await noEnglish(page, 'popup');
      await page.close();

      await serveWebmail(browser.context, 'gmail', 'inbox.html');
      const { page: gmail } = await openPage(browser.context, `${GMAIL_URL}?empty=1#inbox`);
      await gmail.emulateMedia({ reducedMotion: 'reduce' });
      const compose = await composeTo(gmail, [{ name: 'Mia Wong', address: 'mia@northwind.com' }, { name: 'Noah Kim', address: 'noah@contoso.com' }], [{ name: 'Olivia Ray', address: 'olivia@northwind.com' }]);
      const panel = await openEnrolPanel(gmail, compose, UI[lang].add);
      await panel.getByRole('combobox').selectOption(`shot-q3-${lang}`);
      await expect.poll(() => panel.getByTestId('sw-enrol-preview').locator('li').count(), { timeout: 10_000 }).toBe(2);
      await gmail.locator(`[data-fixture-compose="${compose}"]`).screenshot({ path: `test-results/sidebar-sequence-${lang}.png` });
      await noEnglish(gmail, 'sidebar');
      expect(await sidebarOf(gmail, compose).getByRole('button', { name: UI[lang].enrol }).isEnabled()).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
