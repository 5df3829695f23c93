import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { GMAIL_URL, launch, openPage, sendFromPopup, serveWebmail, sidebarOf, storeRelayConnection, type SidebarBrowser } from './sidebar-helpers';
import { composeTo, inbox, openEnrolPanel, ShiftedClock } from './sequences.kit';

/**
 * A sequence end to end, in Chromium with the built extension: two recipients
 * enrolled from the Gmail sidebar on a relay channel, every step handed to the
 * real relay at once (sendAt), the first emails delivered to a real SMTP
 * server, a reply from one contact seen in the Gmail inbox stopping only her
 * sequence (her follow-up cancelled at the relay), and — after moving the
 * relay's clock two days on — the other contact's follow-up arriving in the
 * original thread (In-Reply-To, References, "Re:" subject).
 */
const DAY = 86_400_000;
const jane = { name: 'Jane Doe', address: 'jane.doe@acme-corp.com' };
const bob = { name: 'Bob Stone', address: 'bob@globex-industries.com' };

let browser: SidebarBrowser;
let relay: RunningRelay;
let token: string;
const smtp = new TestSmtpServer();
const clock = new ShiftedClock();

async function relayMessages() {
  const res = await relay.call(token, 'GET', '/v1/messages?limit=50');
  return ((await res.json()) as { messages: { id: string; to: string[]; subject: string; status: string; sendAt?: string; messageId: string }[] }).messages;
}

beforeAll(async () => {
  await smtp.start();
  relay = await startRelay({ clock });
  token = await relay.createToken('rep@example.com');
  await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Acme SMTP' }));
  browser = await launch();
  await storeRelayConnection(browser.context, relay.url, token);
  const { channels } = await sendFromPopup<{ channels: { id: string; name: string }[] }>(browser.context, 'channels.list', {});
  const channel = channels.find((c) => c.name === 'Acme SMTP')!;
  await sendFromPopup(browser.context, 'channels.setActive', { channelId: channel.id });
  // Two templates and a two-step sequence: the follow-up two days later, in the same thread, any hour, any day.
  await sendFromPopup(browser.context, 'templates.save', { id: 'e2e-intro', name: 'E2E intro', subject: 'Pilot for {{ company | default: "your team" }}', body: 'Hi {{ first_name | default: "there" }},\n\nShall we talk about a pilot?' });
  await sendFromPopup(browser.context, 'templates.save', { id: 'e2e-bump', name: 'E2E bump', subject: 'unused', body: 'Bumping this up, {{ first_name | default: "there" }}.' });
  await sendFromPopup(browser.context, 'sequences.save', {
    id: 'e2e-seq',
    name: 'Pilot outreach',
    channelId: channel.id,
    steps: [
      { templateId: 'e2e-intro', delayDays: 0, businessDays: false, sameThread: false },
      { templateId: 'e2e-bump', delayDays: 2, businessDays: false, sameThread: true },
    ],
    window: { timeZone: 'UTC', start: '00:00', end: '24:00', businessDaysOnly: false, holidays: [], contactTimeZone: false },
    unsubscribeLink: true,
  });
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await smtp.stop();
});

describe('a sequence from the Gmail sidebar through the relay', () => {
  let page: Page;

  it('enrols both recipients and hands every step to the relay with its sendAt', async () => {
    await serveWebmail(browser.context, 'gmail', 'inbox.html');
    ({ page } = await openPage(browser.context, `${GMAIL_URL}?empty=1#inbox`));
    const compose = await composeTo(page, [jane, bob]);
    const panel = await openEnrolPanel(page, compose);
    await expect.poll(() => panel.getByRole('combobox', { name: 'Sequence' }).inputValue()).toBe('e2e-seq');
    // The preview names each contact's first email before anything is stored.
    await expect.poll(() => panel.getByTestId('sw-enrol-preview').locator('li').count(), { timeout: 10_000 }).toBe(2);
    await panel.getByRole('button', { name: 'Enrol 2 recipients' }).click();
    await expect.poll(() => panel.getByTestId('sw-enrol-result').textContent(), { timeout: 20_000 }).toMatch(/^Enrolled 2 recipients in Pilot outreach\. First email .+ The relay holds the emails/);

    const messages = await relayMessages();
    expect(messages).toHaveLength(4);
    const followUps = messages.filter((m) => m.subject.startsWith('Re: '));
    expect(followUps.map((m) => m.to[0]).sort()).toEqual([bob.address, jane.address]);
    for (const f of followUps) {
      expect(f.status).toBe('scheduled');
      expect(Date.parse(f.sendAt!) - Date.now()).toBeGreaterThan(2 * DAY - 10 * 60_000);
    }
  });

  it('delivers the first emails with an unsubscribe link and one-click headers', async () => {
    const firsts = await smtp.waitFor(2);
    const byRcpt = Object.fromEntries(firsts.map((m) => [m.envelope.to[0], m]));
    expect(byRcpt[jane.address]!.parsed.subject).toBe('Pilot for Acme Corp');
    expect(byRcpt[bob.address]!.parsed.subject).toBe('Pilot for Globex Industries');
    expect(byRcpt[jane.address]!.parsed.text).toContain('Hi Jane,');
    const head = byRcpt[jane.address]!.raw.toString().split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(head).toMatch(new RegExp(`^List-Unsubscribe: +<${relay.url.replace(/[.]/g, '\\.')}/unsubscribe/v1\\.`, 'm'));
  });

  it('stops only the contact who replied when her reply shows in the inbox, cancelling her follow-up at the relay', async () => {
    // The reply arrives later: the page is loaded again, as a rep coming back to the inbox would.
    await page.reload();
    await inbox(page).addRow({ from: [jane, { name: 'me', address: 'rep@example.com' }], subject: 'Re: Pilot for Acme Corp', snippet: 'Yes, let’s talk on Monday', unread: true, at: Date.now() });
    await expect
      .poll(async () => (await relayMessages()).find((m) => m.to[0] === jane.address && m.subject.startsWith('Re: '))?.status, { timeout: 20_000 })
      .toBe('cancelled');
    expect((await relayMessages()).find((m) => m.to[0] === bob.address && m.subject.startsWith('Re: '))?.status).toBe('scheduled');
    const detail = await sendFromPopup<{ contacts: { address: string; status: string; stopReason?: string; stopDetail?: string }[] }>(browser.context, 'sequences.get', { id: 'e2e-seq' });
    const by = Object.fromEntries(detail.contacts.map((c) => [c.address, c]));
    expect(by[jane.address]).toMatchObject({ status: 'stopped', stopReason: 'replied', stopDetail: `Reply from ${jane.address} seen in the webmail` });
    expect(by[bob.address]).toMatchObject({ status: 'active' });
  });

  it('two days later, the other contact’s follow-up arrives in the original thread', async () => {
    const firstToBob = smtp.received.find((m) => m.envelope.to[0] === bob.address)!;
    smtp.clear();
    clock.advance(2 * DAY + 60_000);
    const [followUp] = await smtp.waitFor(1, 30_000);
    expect(followUp!.envelope.to).toEqual([bob.address]);
    expect(followUp!.parsed.subject).toBe('Re: Pilot for Globex Industries');
    expect(followUp!.parsed.inReplyTo).toBe(firstToBob.parsed.messageId);
    expect(followUp!.parsed.references).toBe(firstToBob.parsed.messageId);
    expect(followUp!.parsed.text).toContain('Bumping this up, Bob.');
    // Nothing for Jane.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(smtp.received.map((m) => m.envelope.to[0])).toEqual([bob.address]);
  });

  it('records what the relay sent on the next sync', async () => {
    // The browser's clock was not moved: by its time only the first emails are due, and those are what it asks about.
    await sendFromPopup<{ updated: number }>(browser.context, 'sequences.sync', {});
    const list = await sendFromPopup<{ sequences: { id: string; counts: Record<string, number> }[] }>(browser.context, 'sequences.list', {});
    expect(list.sequences.find((s) => s.id === 'e2e-seq')!.counts).toMatchObject({ total: 2, active: 1, stopped: 1, replied: 1, stepsSent: 2, stepsTotal: 3 });
  });

  it('ignores an enrol click a page script fakes', async () => {
    const carol = { name: 'Carol Ng', address: 'carol@initech-labs.com' };
    const compose = await composeTo(page, [carol]);
    await openEnrolPanel(page, compose);
    await expect.poll(() => sidebarOf(page, compose).getByTestId('sw-enrol-preview').locator('li').count(), { timeout: 10_000 }).toBe(1);
    await page.evaluate((id) => {
      const host = document.querySelector(`[data-fixture-compose="${id}"] [data-sendway-sidebar]`)!;
      [...host.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Enrol'))!.click();
    }, compose);
    await page.waitForTimeout(1_500);
    const detail = await sendFromPopup<{ contacts: { address: string }[] }>(browser.context, 'sequences.get', { id: 'e2e-seq' });
    expect(detail.contacts.map((c) => c.address)).not.toContain(carol.address);
  });
});
