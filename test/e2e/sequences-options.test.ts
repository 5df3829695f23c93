import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TestSmtpServer } from '../helpers/smtp-server';
import { EXTENSION_ID } from '../helpers/chromium';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { launch, sendFromPopup, storeRelayConnection, type SidebarBrowser } from './sidebar-helpers';

/**
 * The options page's templates and sequences, driven through the UI as a rep
 * would: create, preview, duplicate, delete, import and export templates;
 * build a sequence in the editor, enrol pasted contacts, pause and resume one
 * (its steps cancelled at the relay and handed over again under new keys).
 */
let browser: SidebarBrowser;
let relay: RunningRelay;
let token: string;
let page: Page;
const smtp = new TestSmtpServer();

beforeAll(async () => {
  await smtp.start();
  relay = await startRelay();
  token = await relay.createToken('rep@example.com');
  await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Team SMTP' }));
  browser = await launch();
  await storeRelayConnection(browser.context, relay.url, token);
  const { channels } = await sendFromPopup<{ channels: { id: string }[] }>(browser.context, 'channels.list', {});
  await sendFromPopup(browser.context, 'channels.setActive', { channelId: channels[0]!.id });
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`chrome-extension://${EXTENSION_ID}/options.html#templates`);
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await smtp.stop();
});

const templates = () => page.locator('#templates');
const listed = () => templates().locator('.tpl-item-name').allTextContents();

describe('templates on the options page', () => {
  it('creates a template, flags an unknown field and previews it for a sample recipient', async () => {
    await templates().getByRole('button', { name: 'New template' }).click();
    const editor = templates().getByTestId('template-editor');
    await editor.getByLabel('Name', { exact: true }).fill('Demo');
    await editor.getByLabel('Subject', { exact: true }).fill('Hello {{ first_name }}');
    await editor.getByLabel('Body').fill('Hi {{ first_name | default: "there" }},\n\nAbout {{ projct }} at {{ company }}.');
    await expect.poll(() => editor.getByTestId('template-unknown').textContent()).toContain('projct');
    const preview = editor.getByTestId('template-preview');
    await expect.poll(() => preview.textContent()).toContain('Hi Jane,');
    expect(await preview.textContent()).toContain('About [projct] at Acme Corp.');
    await editor.getByLabel('Sample name').fill('<img src=x onerror=alert(1)>');
    await expect.poll(() => preview.locator('img').count()).toBe(0);
    await editor.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(listed).toContain('Demo');
  });

  it('duplicates and deletes', async () => {
    await templates().getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(listed).toContain('Demo (copy)');
    await templates().getByRole('button', { name: 'Delete', exact: true }).click();
    await templates().getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(listed).not.toContain('Demo (copy)');
    expect(await listed()).toContain('Demo');
  });

  it('imports a JSON file, and refuses a bad one naming the field', async () => {
    const input = templates().locator('input[type=file]');
    const good = { sendway: 'templates', version: 1, templates: [{ id: 'imp-1', name: 'Imported one', subject: 'A', body: 'x' }, { name: 'Imported two', subject: 'B', body: 'y' }] };
    await input.setInputFiles({ name: 'templates.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
    await expect.poll(listed).toEqual(expect.arrayContaining(['Imported one', 'Imported two']));
    const bad = [{ name: 'Bad', subject: 'line\r\nBcc: evil@evil.test', body: '' }];
    await input.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await expect.poll(() => templates().getByRole('alert').first().textContent()).toMatch(/^Nothing was imported: templates\.0\.subject: .*line breaks/);
    expect(await listed()).not.toContain('Bad');
  });

  it('exports every template as JSON', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), templates().getByRole('button', { name: 'Export JSON' }).click()]);
    const file = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as { sendway: string; templates: { name: string }[] };
    expect(file.sendway).toBe('templates');
    expect(file.templates.map((t) => t.name)).toEqual(await listed());
  });
});

describe('sequences on the options page', () => {
  const sequences = () => page.locator('#sequences');

  it('builds a sequence in the editor and enrols pasted contacts', async () => {
    await sequences().getByRole('button', { name: 'New sequence' }).click();
    const editor = sequences().getByTestId('sequence-editor');
    await editor.getByLabel('Name', { exact: true }).fill('UI sequence');
    await editor.getByTestId('step-0').getByLabel('Template').selectOption({ label: 'Demo' });
    await editor.getByTestId('step-1').getByLabel('Template').selectOption({ label: 'Imported one' });
    await editor.getByTestId('step-1').getByLabel('Days after the previous email').fill('2');
    // Any hour, any day: the first emails go at once.
    await editor.getByLabel('From').fill('00:00');
    await editor.getByLabel('Until').fill('23:59');
    await editor.getByLabel('Weekdays only (no Saturdays or Sundays)').uncheck();
    await editor.getByLabel('Days off').fill('2030-12-25\nnot-a-date');
    expect(await editor.getByRole('button', { name: 'Save sequence' }).isDisabled()).toBe(true);
    await editor.getByLabel('Days off').fill('2030-12-25');
    await editor.getByRole('button', { name: 'Save sequence' }).click();
    const detail = sequences().getByTestId('sequence-detail');
    await detail.waitFor();

    await detail.getByRole('button', { name: 'Add contacts' }).click();
    const form = detail.getByTestId('enrol-form');
    await form.getByLabel('Contacts', { exact: true }).fill('Jane Doe <jane@acme-corp.com>\nbob@globex.com');
    await form.getByLabel('Value of projct for everyone').fill('Apollo');
    await form.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => form.getByTestId('enrol-preview').textContent()).toMatch(/^2 contacts · first email /);
    await form.getByRole('button', { name: 'Enrol 2 contacts' }).click();
    await expect.poll(() => form.getByRole('status').textContent(), { timeout: 20_000 }).toMatch(/^Enrolled 2\. 4 emails are with the relay already; 0 still to hand over/);
    await expect.poll(() => detail.locator('tr[data-address]').count()).toBe(2);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.parsed.text).toContain('About Apollo at');
  });

  it('pauses one contact (cancelled at the relay) and resumes it under new keys', async () => {
    const detail = sequences().getByTestId('sequence-detail');
    const bob = detail.locator('tr[data-address="bob@globex.com"]');
    await bob.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => bob.locator('.chip').textContent()).toBe('Paused');
    const toBob = async () => ((await (await relay.call(token, 'GET', '/v1/messages?limit=50')).json()) as { messages: { to: string[]; status: string; subject: string }[] }).messages.filter((m) => m.to[0] === 'bob@globex.com');
    await expect.poll(async () => (await toBob()).find((m) => m.status === 'scheduled')).toBeUndefined();
    await bob.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => bob.locator('.chip').textContent()).toBe('Active');
    await expect.poll(async () => (await toBob()).filter((m) => m.status === 'scheduled').length).toBe(1);
  });
});
