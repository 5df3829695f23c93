import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { GMAIL_URL, launch, OUTLOOK_URL, openPage, sendFromPopup, serveWebmail, sidebarOf, storeRelayConnection, waitReady, type SidebarBrowser } from './sidebar-helpers';

/**
 * The whole path: a Gmail / Outlook compose, the sidebar, the background's
 * 'mail.send', the relay DeliveryProvider, the real relay, a real SMTP server.
 */
let browser: SidebarBrowser;
let relay: RunningRelay;
let token: string;
const smtp = new TestSmtpServer();

type GmailFixture = { open(o: object): string; log: { event: string; id: string }[]; ids(): string[] };
const gmail = (page: Page) => ({
  open: (o: object) => page.evaluate((opts) => (window as unknown as { gmailFixture: GmailFixture }).gmailFixture.open(opts), o),
  log: () => page.evaluate(() => (window as unknown as { gmailFixture: GmailFixture }).gmailFixture.log),
  ids: () => page.evaluate(() => (window as unknown as { gmailFixture: GmailFixture }).gmailFixture.ids()),
});

beforeAll(async () => {
  await smtp.start();
  relay = await startRelay();
  token = await relay.createToken('rep@example.com');
  await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Acme SMTP', limits: { perMinute: 60, perDay: 500, perMessage: 3 } }));
  browser = await launch();
  await storeRelayConnection(browser.context, relay.url, token);
  const { channels } = await sendFromPopup<{ channels: { id: string; name: string }[] }>(browser.context, 'channels.list', {});
  const channel = channels.find((c) => c.name === 'Acme SMTP');
  if (!channel) throw new Error(`relay channel not listed: ${JSON.stringify(channels)}`);
  await sendFromPopup(browser.context, 'channels.setActive', { channelId: channel.id });
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await smtp.stop();
});

describe('sending from the Gmail sidebar through the relay', () => {
  let page: Page;
  beforeAll(async () => {
    await serveWebmail(browser.context, 'gmail', 'current.html');
    ({ page } = await openPage(browser.context, GMAIL_URL));
    await waitReady(page, 'c2');
  });

  it('shows the active channel and what is left of its quota', async () => {
    const sidebar = sidebarOf(page, 'c2');
    await expect.poll(() => sidebar.getByTestId('sw-channel').textContent(), { timeout: 10_000 }).toContain('Acme SMTP');
    expect(await sidebar.getByTestId('sw-quota').textContent()).toBe('500 of 500 messages left today');
    expect(await sidebar.getByRole('button', { name: 'Send via Acme SMTP' }).isEnabled()).toBe(true);
  });

  it('ignores a Send click that a page script fakes', async () => {
    await page.evaluate(() => {
      const host = document.querySelector('[data-fixture-compose="c2"] [data-sendway-sidebar]')!;
      const button = [...host.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Send via'))!;
      button.click();
    });
    await page.waitForTimeout(1_500);
    expect(smtp.received).toHaveLength(0);
    expect(await gmail(page).ids()).toContain('c2');
  });

  it('warns when a message has more recipients than the channel allows', async () => {
    const id = await gmail(page).open({
      to: [1, 2, 3, 4].map((n) => ({ name: `P${n}`, address: `p${n}@example.com` })),
      subject: 'Too many',
      body: 'x',
    });
    await waitReady(page, id);
    const sidebar = sidebarOf(page, id);
    await expect.poll(() => sidebar.locator('[data-code=too_many_recipients]').textContent()).toBe(
      '4 recipients is more than Acme SMTP allows in one message (at most 3).',
    );
    expect(await sidebar.getByRole('button', { name: 'Send via Acme SMTP' }).isDisabled()).toBe(true);
  });

  it('delivers the compose to the SMTP server, then discards the Gmail draft', async () => {
    await sidebarOf(page, 'c2').getByRole('button', { name: 'Send via Acme SMTP' }).click();
    const [mail] = await smtp.waitFor(1);
    expect(mail!.parsed.subject).toBe('Intro');
    expect(mail!.parsed.text).toContain('Hello!');
    expect(mail!.parsed.text).toContain('Rep Example, Example Inc.');
    expect(mail!.parsed.to && 'value' in mail!.parsed.to ? mail!.parsed.to.value.map((a) => a.address) : []).toEqual([
      'ada@analytical-engines.co.uk',
      'grace@navy.example.com',
    ]);
    expect(mail!.envelope.to.sort()).toEqual(['ada@analytical-engines.co.uk', 'dropbox@crm.example.com', 'grace@navy.example.com']);
    expect(mail!.raw.toString()).not.toMatch(/^Bcc:/im);
    // The mail left through the channel, so the webmail's own draft is gone and the rep is told.
    await expect.poll(() => gmail(page).log()).toContainEqual(expect.objectContaining({ event: 'discard', id: 'c2' }));
    await expect.poll(() => page.getByTestId('sw-toast').textContent()).toBe('Sent 1 message via Acme SMTP.');
    // The quota in the remaining sidebars follows.
    await expect.poll(() => sidebarOf(page, 'c1').getByTestId('sw-quota').textContent(), { timeout: 10_000 }).toBe('499 of 500 messages left today');
  });

  it('sends one personalised message per recipient when the compose uses merge fields', async () => {
    smtp.clear();
    const id = await gmail(page).open({
      to: [
        { name: 'Jane Doe', address: 'jane.doe@acme-corp.com' },
        { name: '', address: 'info@gmail.com' },
      ],
    });
    await waitReady(page, id);
    const sidebar = sidebarOf(page, id);
    await sidebar.getByRole('button', { name: 'Insert template' }).click();
    await sidebar.getByRole('button', { name: 'Insert Introduction' }).click();
    await expect.poll(() => sidebar.locator('[data-code=per_recipient]').count()).toBe(1);
    await sidebar.getByRole('button', { name: 'Send via Acme SMTP' }).click();
    const mails = await smtp.waitFor(2);
    const byRcpt = Object.fromEntries(mails.map((m) => [m.envelope.to.join(','), m.parsed]));
    expect(Object.keys(byRcpt).sort()).toEqual(['info@gmail.com', 'jane.doe@acme-corp.com']);
    expect(byRcpt['jane.doe@acme-corp.com']!.subject).toBe('Quick question, Jane');
    expect(byRcpt['jane.doe@acme-corp.com']!.text).toContain('teams like Acme Corp often');
    expect(byRcpt['info@gmail.com']!.subject).toBe('Quick question, there');
    expect(byRcpt['info@gmail.com']!.text).toContain('Hi there,');
    expect(byRcpt['info@gmail.com']!.text).toContain('teams like yours often');
    await expect.poll(() => page.getByTestId('sw-toast').textContent()).toBe('Sent 2 messages via Acme SMTP.');
  });

  it('schedules a message with sendAt instead of sending it now', async () => {
    smtp.clear();
    const id = await gmail(page).open({ to: [{ name: 'Later', address: 'later@example.com' }], subject: 'Next week', body: 'Scheduled body' });
    await waitReady(page, id);
    const sidebar = sidebarOf(page, id);
    await sidebar.getByRole('button', { name: 'Schedule', exact: true }).click();
    const when = new Date(Date.now() + 3 * 86_400_000);
    when.setSeconds(0, 0);
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
    await sidebar.getByLabel('Send at').fill(local);
    await sidebar.getByRole('button', { name: 'Confirm schedule' }).click();
    await expect.poll(() => gmail(page).log()).toContainEqual(expect.objectContaining({ event: 'discard', id }));
    const res = await relay.call(token, 'GET', '/v1/messages?status=scheduled');
    const list = (await res.json()) as { messages: { subject: string; sendAt?: string; status: string }[] };
    const scheduled = list.messages.find((m) => m.subject === 'Next week');
    expect(scheduled?.status).toBe('scheduled');
    expect(Date.parse(scheduled!.sendAt!)).toBe(when.getTime());
    await page.waitForTimeout(1_000);
    expect(smtp.received).toHaveLength(0);
  });
});

describe('sending from the Outlook sidebar', () => {
  it('delivers the inline reply and discards the draft through OWA’s confirmation', async () => {
    smtp.clear();
    await serveWebmail(browser.context, 'outlook', 'current.html');
    const { page } = await openPage(browser.context, OUTLOOK_URL);
    await waitReady(page, 'o1');
    const sidebar = sidebarOf(page, 'o1');
    await expect.poll(() => sidebar.getByTestId('sw-channel').textContent(), { timeout: 10_000 }).toContain('Acme SMTP');
    await page.locator('[data-fixture-compose=o1] [aria-label^="Message body"]').evaluate((el) => {
      el.prepend(Object.assign(document.createElement('div'), { textContent: 'Pricing attached, {{ first_name }}.' }));
      el.dispatchEvent(new InputEvent('input', { bubbles: true }));
    });
    await expect.poll(() => sidebar.locator('[data-code=per_recipient]').count()).toBe(1);
    await sidebar.getByRole('button', { name: 'Send via Acme SMTP' }).click();
    const mails = await smtp.waitFor(2);
    const texts = Object.fromEntries(mails.map((m) => [m.envelope.to.join(','), m.parsed.text ?? '']));
    expect(texts['jane.doe@acme-corp.com']).toContain('Pricing attached, Jane.');
    expect(texts['bob@acme-corp.com']).toContain('Pricing attached, Bob.');
    expect(mails[0]!.parsed.subject).toBe('RE: Pilot for Acme Corp');
    await expect.poll(() => page.evaluate(() => (window as unknown as { outlookFixture: { log: { event: string }[] } }).outlookFixture.log)).toContainEqual(
      expect.objectContaining({ event: 'discard', id: 'o1' }),
    );
    await page.close();
  });
});

describe('when the relay cannot take the message', () => {
  it('says nothing was sent and leaves the compose untouched', async () => {
    await serveWebmail(browser.context, 'gmail', 'current.html');
    const { page } = await openPage(browser.context, GMAIL_URL);
    await waitReady(page, 'c2');
    const sidebar = sidebarOf(page, 'c2');
    await expect.poll(() => sidebar.getByTestId('sw-channel').textContent(), { timeout: 10_000 }).toContain('Acme SMTP');
    await relay.stop();
    await sidebar.getByRole('button', { name: 'Send via Acme SMTP' }).click();
    await expect.poll(() => sidebar.getByTestId('sw-status').textContent(), { timeout: 20_000 }).toMatch(/^Nothing was sent: .+ Your draft is untouched\.$/);
    expect(await gmail(page).log()).toEqual([]);
    expect(await page.locator('[data-fixture-compose=c2] input[name=subjectbox]').inputValue()).toBe('Intro');
    await page.close();
  });
});
