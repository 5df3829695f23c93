import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, sendMessage, smtpChannel, startRelay, waitForStatus, type RunningRelay } from '../helpers/relay';
import { ask, openPopup } from './popup.kit';
import { connectRelayInPopup } from './security-kit';
import { GMAIL_URL, listedRecipients, serveWebmail, sidebarOf, waitReady } from './sidebar-helpers';

/**
 * Page content is attacker-controlled: a recipient's display name comes from
 * whoever wrote to the rep, a subject from a reply, a template from a
 * colleague, an outbox line from the relay or a hostile SMTP server's reply.
 * Each payload here would, if it ever became markup, run a handler that marks
 * the document (data-pwned) — in the webmail page, the popup or the options
 * page. Everything must show as literal text, inject no element, and trip no
 * Trusted Types or CSP error.
 */
const mark = (where: string) => `document.documentElement.dataset.pwned='${where}'`;
const P = {
  toName: `<img src=x onerror="${mark('to-name')}">`,
  ccName: `<svg onload="${mark('cc-name')}"></svg>Bob`,
  subject: `<script>${mark('subject')}</script><img src=x onerror="${mark('subject-img')}">`,
  templateName: `<img src=x onerror="${mark('template-name')}">Promo`,
  templateSubject: `{{ first_name }} <b onmouseover="${mark('template-subject')}">deal</b>`,
  templateBody: `Hi {{ first_name }},\n<iframe src="javascript:${mark('template-iframe')}"></iframe>\n<a href="javascript:${mark('template-link')}">click</a> {{ "<img src=x onerror=${mark('liquid-literal')}>" }}`,
  smtpText: `5.1.1 <img src=x onerror="${mark('smtp-reply')}"> user unknown`,
};
/** Elements a payload could have produced (the UI's own icons have none of these). */
const INJECTED = 'script, iframe, object, embed, img[src="x"], [onerror], [onload], [onmouseover], a[href^="javascript:"], b';

let browser: ExtensionBrowser;
let relay: RunningRelay;
let token: string;
let channelId: string;
const smtp = new TestSmtpServer();

async function pwned(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.documentElement.dataset.pwned);
}

/** Elements matching INJECTED anywhere in the sidebar's shadow root. */
async function injectedInShadow(host: Locator): Promise<string[]> {
  return host.evaluate((el, selector) => [...(el.shadowRoot?.querySelectorAll(selector) ?? [])].map((n) => n.outerHTML.slice(0, 120)), INJECTED);
}

beforeAll(async () => {
  await smtp.start();
  relay = await startRelay();
  token = await relay.createToken('rep@example.com');
  const relayChannel = await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Acme SMTP' }));
  browser = await launchWithExtension();
  channelId = await connectRelayInPopup(browser, relay.url, token, 'Acme SMTP');
  expect(channelId).toBe(`relay:${relayChannel}`);
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await smtp.stop();
});

describe('the Gmail sidebar renders hostile page content as text', () => {
  let page: Page;
  let errors: string[];
  let id: string;

  beforeAll(async () => {
    // A colleague's template (saved from the options page, a trusted page) with markup in every field.
    const popup = await openPopup(browser);
    await ask(popup, 'templates.save', { name: P.templateName, subject: P.templateSubject, body: P.templateBody });
    await popup.close();
    await serveWebmail(browser.context, 'gmail', 'current.html');
    page = await browser.context.newPage();
    errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(GMAIL_URL);
    await waitReady(page, 'c2');
    id = await page.evaluate(
      (p) =>
        (window as unknown as { gmailFixture: { open(o: object): string } }).gmailFixture.open({
          to: [{ name: p.toName, address: 'jane@acme.test' }],
          cc: [{ name: p.ccName, address: 'bob@acme.test' }],
          subject: p.subject,
          body: 'Plain body',
        }),
      P,
    );
    await waitReady(page, id);
  });
  afterAll(() => page?.close());

  it('lists recipients with markup in their names as literal text, nothing injected, nothing run', async () => {
    await expect.poll(() => listedRecipients(page, id)).toEqual([`To ${P.toName} jane@acme.test`, `Cc ${P.ccName} bob@acme.test`]);
    expect(await injectedInShadow(sidebarOf(page, id))).toEqual([]);
    expect(await pwned(page)).toBeUndefined();
  });

  it('shows a template whose name, subject and body carry markup as text, and inserts it into Gmail as text', async () => {
    const sidebar = sidebarOf(page, id);
    await sidebar.getByRole('button', { name: 'Insert template' }).click();
    const insert = sidebar.getByRole('button', { name: `Insert ${P.templateName}` });
    await insert.waitFor();
    expect(await sidebar.evaluate((el) => el.shadowRoot!.textContent)).toContain(P.templateName);
    expect(await injectedInShadow(sidebar)).toEqual([]);
    await sidebar.screenshot({ path: 'test-results/security-injection-sidebar.png' });
    await insert.click();
    const compose = page.locator(`[data-fixture-compose="${id}"]`);
    // One recipient: merged now. The first name comes from the hostile display name — still text.
    await expect.poll(() => compose.locator('input[name=subjectbox]').inputValue()).toContain('<b onmouseover=');
    const editor = compose.locator('[g_editable]');
    const bodyText = await editor.innerText();
    expect(bodyText).toContain('<iframe src="javascript:');
    expect(bodyText).toContain('<a href="javascript:');
    expect(bodyText).toContain(`<img src=x onerror=${mark('liquid-literal')}>`);
    expect(await editor.evaluate((el, selector) => [...el.querySelectorAll(selector)].map((n) => n.outerHTML), INJECTED)).toEqual([]);
    expect(await injectedInShadow(sidebar)).toEqual([]);
    expect(await pwned(page)).toBeUndefined();
  });

  it('sends it: the SMTP server gets the markup as plain text in the headers and body', async () => {
    smtp.clear();
    await sidebarOf(page, id).getByRole('button', { name: 'Send via Acme SMTP' }).click();
    // Merge fields and two recipients: one personalised message each, each recipient alone in To.
    const mails = await smtp.waitFor(2);
    const toOf = (m: (typeof mails)[number]) => (m.parsed.to && !Array.isArray(m.parsed.to) ? m.parsed.to.value : []);
    const byRcpt = new Map(mails.map((m) => [m.envelope.to.join(','), m]));
    expect([...byRcpt.keys()].sort()).toEqual(['bob@acme.test', 'jane@acme.test']);
    expect(toOf(byRcpt.get('jane@acme.test')!)).toEqual([{ name: P.toName, address: 'jane@acme.test' }]);
    expect(toOf(byRcpt.get('bob@acme.test')!)).toEqual([{ name: P.ccName, address: 'bob@acme.test' }]);
    for (const m of mails) {
      expect(m.parsed.subject).toContain('<b onmouseover=');
      expect(m.parsed.text).toContain('<iframe src="javascript:');
      expect(m.parsed.cc).toBeUndefined();
      expect(m.parsed.html ?? '').not.toMatch(/<(iframe|img|script|svg)\b/i); // markup in the text stayed text in the HTML part
    }
    expect(await pwned(page)).toBeUndefined();
  });

  it('trips no Trusted Types error and no script ran anywhere on the page', async () => {
    await page.waitForTimeout(500);
    expect(errors.filter((e) => /Trusted|TrustedHTML|TrustedScript|Refused to/i.test(e))).toEqual([]);
    expect(await pwned(page)).toBeUndefined();
  });
});

describe('the popup and options outbox render what the relay says as text', () => {
  beforeAll(async () => {
    // A subject with markup, straight through the relay API (as another client of the relay could send it) …
    const direct = await sendMessage(relay, token, { channelId: channelId.replace(/^relay:/, ''), from: 'rep@example.com', to: ['lead@customer.test'], subject: P.subject, text: 'x' });
    expect(direct.status).toBe(202);
    await waitForStatus(relay, token, direct.body.id, ['sent']);
    // … and a hostile SMTP server whose refusal text carries markup, shown as the failure reason.
    smtp.fail({ stage: 'rcpt', code: 550, message: P.smtpText });
    const refused = await sendMessage(relay, token, { channelId: channelId.replace(/^relay:/, ''), from: 'rep@example.com', to: ['nobody@customer.test'], subject: 'Refused one', text: 'x' });
    const failed = await waitForStatus(relay, token, refused.body.id, ['failed']);
    expect(failed.lastError).toContain('<img src=x onerror=');
  });

  for (const [label, pagePath, container] of [
    ['popup', 'popup.html', '[data-testid="outbox-item"]'],
    ['options page', 'options.html', '[data-testid="outbox-table"]'],
  ] as const) {
    it(`${label}: literal subject and failure text, no element injected, no CSP violation, nothing run`, async () => {
      const page = await openPopup(browser, pagePath);
      const consoleErrors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
      if (pagePath === 'popup.html') await page.getByRole('tab', { name: 'Outbox' }).click();
      else await page.setViewportSize({ width: 900, height: 1100 });
      await page.locator(container).first().waitFor();
      await expect.poll(() => page.locator('body').innerText(), { timeout: 10_000 }).toContain(P.subject);
      const text = await page.locator('body').innerText();
      expect(text).toContain(P.smtpText);
      // The page's own module script has a src in the package; anything else is injected.
      const selector = INJECTED.replace('script', 'script:not([src^="/chunks/"])').replace(', b', '');
      expect(await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((n) => n.outerHTML.slice(0, 120)), selector)).toEqual([]);
      await page.screenshot({ path: `test-results/security-injection-${pagePath.replace('.html', '')}.png`, fullPage: true });
      await page.waitForTimeout(300);
      expect(consoleErrors.filter((e) => /Refused to|Content Security Policy/i.test(e))).toEqual([]);
      expect(await pwned(page)).toBeUndefined();
      await page.close();
    });
  }
});
