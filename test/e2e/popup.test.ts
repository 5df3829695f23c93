import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { startRelay, smtpChannel, type RunningRelay } from '../helpers/relay';
import { TestSmtpServer } from '../helpers/smtp-server';
import { revokeTokensOf } from '../../relay/store/tokens';
import { ask, closeClean, grantRelayOrigin, openPopup, shot, storageDump } from './popup.kit';

/** Controls a screen reader could not name: inputs without a label, buttons without text. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input, select, textarea, button, [role="tab"], [role="meter"]')]
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        const named = (labels && labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent?.trim();
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

describe('popup: from a fresh install to a tested channel, with live limits', () => {
  let browser: ExtensionBrowser;
  let relay: RunningRelay;
  let smtp: TestSmtpServer;
  let token: string;
  let host: string;

  beforeAll(async () => {
    smtp = await new TestSmtpServer().start();
    relay = await startRelay();
    host = new URL(relay.url).host;
    token = await relay.createToken('rep@example.com');
    browser = await launchWithExtension();
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await smtp?.stop();
  });

  it('shows a fresh install the services to choose from', async () => {
    const page = await openPopup(browser);
    await page.getByTestId('welcome').waitFor();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toBe('How should your emails be sent?');
    for (const name of ['Gmail', 'Office 365', 'SparkPost', 'SendGrid', 'Custom SMTP']) {
      expect(await page.getByRole('button', { name: new RegExp(`^\\S?\\s*${name}`) }).count(), name).toBe(1);
    }
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, 'en-01-welcome');
    await closeClean(page);
  });

  it("waits for the browser's permission prompt before connecting, and says so", async () => {
    const page = await openPopup(browser);
    await page.getByTestId('provider-smtp').click();
    await page.getByTestId('relay-url').fill(relay.url);
    await page.getByTestId('relay-token').fill(token);
    await shot(page, 'en-02-relay-step');
    await page.getByTestId('relay-connect').click();
    // Headless Chromium opens its permission dialog where nothing can click it: the request stays pending.
    await page.getByText(`Choose Allow in the browser's prompt so Sendway can reach ${host}.`).waitFor();
    expect(await page.getByTestId('relay-connect').isDisabled()).toBe(true);
    const settings = await ask<{ hasRelayToken: boolean }>(page, 'settings.get', {});
    expect(settings.hasRelayToken).toBe(false);
    await shot(page, 'en-03-permission-prompt');
    await closeClean(page);
  });

  it('connects, then a wrong password shows the auth message and the right one passes, in under a minute', async () => {
    await grantRelayOrigin(browser, relay.url);
    const started = Date.now();
    const page = await openPopup(browser);
    await page.getByTestId('provider-smtp').click();
    await page.getByText('Step 1 of 2').waitFor();
    await page.getByTestId('relay-url').fill(relay.url);
    await page.getByTestId('relay-token').fill(token);
    await page.getByTestId('relay-connect').click();

    await page.getByText('Step 2 of 2').waitFor();
    await page.getByText(`Connected to ${host} as rep@example.com`).waitFor();
    // The rep's address is known from the relay: the username is filled in already.
    expect(await page.getByTestId('field-username').inputValue()).toBe('rep@example.com');
    await page.getByTestId('field-host').fill('127.0.0.1');
    await page.getByTestId('field-port').fill(String(smtp.port));
    await page.getByTestId('field-password').fill('not the password');
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, 'en-04-smtp-form');

    await page.getByTestId('save-and-test').click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('The server refused the username or password.');
    expect(await result.textContent()).toContain('What to do: Check both and enter them again.');
    expect(await result.getAttribute('role')).toBe('alert');
    await page.waitForTimeout(400); // the smooth scroll to the result
    await shot(page, 'en-05-test-failed');

    await page.getByTestId('field-password').fill('correct horse');
    await page.getByTestId('save-and-test').click();
    await page.getByTestId('setup-done').waitFor();
    expect(await page.getByTestId('test-result').textContent()).toContain("The connection works. You're ready to send.");
    await shot(page, 'en-06-test-passed');
    await page.getByTestId('setup-finish').click();

    const card = page.getByTestId('channel-card');
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.first().textContent()).toContain('In use');
    expect(await card.first().textContent()).toContain('Sends as rep@example.com');
    const elapsed = Date.now() - started;
    console.log(`[popup] fresh install → tested channel: ${(elapsed / 1000).toFixed(1)} s of automation`);
    expect(elapsed).toBeLessThan(60_000);
    expect(await page.getByRole('radio', { name: 'Use 127.0.0.1 for sending' }).isChecked()).toBe(true);
    await shot(page, 'en-07-home');

    // The token and the SMTP password are nowhere in extension storage in the clear, and nothing is in storage.sync.
    const stored = await storageDump(browser);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain('correct horse');
    expect(JSON.parse(stored).sync).toEqual({});
    await closeClean(page);
  });

  it('tests an existing channel from its card', async () => {
    const page = await openPopup(browser);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByTestId('test-result').textContent()).toContain('The connection works.');
    await closeClean(page);
  });

  it('moves the gauges after a send and warns at 80 % and when the limit is reached', async () => {
    // A channel an admin set up with tight limits, to see the gauges fill.
    const res = await relay.call(token, 'POST', '/v1/channels', smtpChannel(smtp.port, { name: 'Team SMTP', limits: { perMinute: 5, perDay: 50 } }));
    expect(res.status).toBe(201);
    const page = await openPopup(browser);
    const team = page.locator('[data-testid="channel-card"]', { hasText: 'Team SMTP' });
    await team.waitFor();
    await page.getByRole('radio', { name: 'Use Team SMTP for sending' }).check();
    await expect.poll(() => team.textContent()).toContain('In use');
    const minute = team.getByTestId('gauge-minute');
    expect(await minute.textContent()).toContain('0 / 5 messages');

    const sendN = async (n: number, tag: string) => {
      const messages = Array.from({ length: n }, (_, i) => ({
        idempotencyKey: `popup-e2e-${tag}-${i}`,
        draft: { to: [`lead${i}@example.org`], subject: `Gauge ${tag} ${i}`, text: 'Hello' },
      }));
      const { results } = await ask<{ results: { ok: boolean }[] }>(page, 'mail.send', { messages });
      expect(results.every((r) => r.ok)).toBe(true);
    };

    const before = smtp.received.length;
    await sendN(1, 'a');
    await smtp.waitFor(before + 1);
    // The popup polls every 2 s: the gauge follows without a reload.
    await expect.poll(() => minute.textContent(), { timeout: 10_000 }).toContain('1 / 5 messages');
    expect(await team.getByTestId('gauge-day').textContent()).toContain('1 / 50 messages');
    await shot(page, 'en-08-gauge-moved');

    await sendN(3, 'b');
    await smtp.waitFor(before + 4);
    await expect.poll(() => minute.textContent(), { timeout: 10_000 }).toContain('4 / 5 messages');
    const banners = page.getByTestId('limit-banners');
    await expect
      .poll(() => banners.textContent(), { timeout: 10_000 })
      .toContain('Team SMTP is close to its limit for this minute (4 of 5).');
    expect(await minute.locator('[role="meter"]').getAttribute('aria-valuetext')).toBe('This minute: 4 of 5 messages used');
    await shot(page, 'en-09-limit-near');

    await sendN(2, 'c');
    await smtp.waitFor(before + 5);
    await expect.poll(() => banners.textContent(), { timeout: 10_000 }).toMatch(/Team SMTP has reached its limit for this minute\. Sending resumes at \d\d:\d\d:\d\d( [AP]M)?; queued mail is kept\./);
    await expect.poll(() => team.getByTestId('channel-counts').textContent()).toContain('1 queued');
    expect(await team.getByTestId('next-slot').textContent()).toMatch(/^Next free slot: at \d\d:\d\d:\d\d( [AP]M)?$/);
    // Pacing, not dropping: the sixth message waits on the relay instead of going out over the limit.
    expect(smtp.received.length).toBe(before + 5);
    await shot(page, 'en-10-limit-reached');
    await closeClean(page);
  });

  it('lists sends in the outbox and cancels a scheduled one', async () => {
    const page = await openPopup(browser);
    await page.getByTestId('channel-card').first().waitFor();
    const first = await page.getByTestId('channel-card').first().getAttribute('data-channel-id');
    const sendAt = new Date(Date.now() + 3 * 3_600_000).toISOString();
    await ask(page, 'mail.send', {
      channelId: first,
      sendAt,
      messages: [{ idempotencyKey: 'popup-e2e-later', draft: { to: ['later@example.org'], subject: 'Proposal follow-up', text: 'Hi' } }],
    });
    await page.getByRole('tab', { name: 'Outbox' }).click();
    const item = page.locator('[data-testid="outbox-item"]', { hasText: 'Proposal follow-up' });
    await item.waitFor();
    expect(await item.textContent()).toContain('Scheduled');
    expect(await page.locator('[data-testid="outbox-item"][data-status="sent"]').count()).toBeGreaterThan(0);
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, 'en-11-outbox');
    await item.getByRole('button', { name: 'Cancel: Proposal follow-up' }).click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('cancelled');
    expect(await item.textContent()).toContain('Cancelled');
    await closeClean(page);
  });

  it('works from the keyboard: tabs with arrow keys, a channel chosen with the space bar', async () => {
    const page = await openPopup(browser);
    await page.getByTestId('channel-card').first().waitFor();
    await page.getByRole('tab', { name: 'Channels' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Outbox' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: 'Channels' }).getAttribute('aria-selected')).toBe('true');
    const radio = page.getByRole('radio', { name: 'Use 127.0.0.1 for sending' });
    await radio.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => radio.isChecked()).toBe(true);
    await expect.poll(async () => (await ask<{ activeChannelId: string }>(page, 'channels.list', {})).activeChannelId).toBe(await radio.evaluate((el) => el.id.replace(/^use-/, '')));
    await closeClean(page);
  });

  it('shows the options page with channel details and the full outbox', async () => {
    const page = await openPopup(browser, 'options.html');
    await page.setViewportSize({ width: 900, height: 1100 });
    await page.getByText(`Connected to ${host} as rep@example.com`).waitFor();
    await page.locator('#channels').getByText('Team SMTP').waitFor();
    await page.getByTestId('outbox-table').waitFor();
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, 'en-12-options', true);
    await closeClean(page);
  });

  it('says when the relay refuses the token, and takes a new one', async () => {
    await revokeTokensOf(relay.relay.db, 'rep@example.com', Date.now());
    const page = await openPopup(browser);
    const problem = page.getByTestId('relay-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain(`The relay at ${host} refused your access token. Ask your admin for a new token and connect again.`);
    await shot(page, 'en-13-token-refused');
    await problem.getByRole('button', { name: 'Connect again' }).click();
    // The address is kept: only the new token is needed.
    expect(await page.getByTestId('relay-url').inputValue()).toBe(relay.url);
    await page.getByTestId('relay-token').fill(await relay.createToken('rep@example.com'));
    await page.getByTestId('relay-connect').click();
    await page.getByTestId('relay-footnote').waitFor();
    expect(await page.getByTestId('relay-problem').count()).toBe(0);
    await closeClean(page);
  });
});
