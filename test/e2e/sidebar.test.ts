import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { GMAIL_URL, launch, listedRecipients, OUTLOOK_URL, openPage, serveWebmail, sidebarOf, waitReady, type SidebarBrowser } from './sidebar-helpers';

let browser: SidebarBrowser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const trustedTypeErrors = (errors: string[]) => errors.filter((e) => /TrustedHTML|Trusted Type|TrustedScript/i.test(e));

async function hostCount(page: Page) {
  return page.locator('[data-sendway-sidebar]').count();
}

describe.each(['current', 'legacy'] as const)('Gmail (%s compose DOM)', (variant) => {
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    await serveWebmail(browser.context, 'gmail', `${variant}.html`);
    ({ page, errors } = await openPage(browser.context, GMAIL_URL));
    await waitReady(page, 'c1');
    await waitReady(page, 'c2');
  });
  afterAll(async () => page?.close());

  it('shows one sidebar per compose, listing its recipients', async () => {
    expect(await hostCount(page)).toBe(2);
    expect(await listedRecipients(page, 'c1')).toEqual(['To Jane Doe jane.doe@acme-corp.com', 'Cc Bob Stone bob@acme-corp.com']);
    expect(await listedRecipients(page, 'c2')).toEqual([
      'To Ada Lovelace ada@analytical-engines.co.uk',
      'To grace@navy.example.com',
      'Bcc CRM Dropbox dropbox@crm.example.com',
    ]);
    const isOpenShadow = await sidebarOf(page, 'c1').evaluate((el) => el.shadowRoot?.mode);
    expect(isOpenShadow).toBe('open');
  });

  it('gives composes opened later their own sidebar, after Gmail fills them in stages', async () => {
    const ids = await page.evaluate(() => {
      const f = (window as unknown as { gmailFixture: { open(o: object): string } }).gmailFixture;
      return [
        f.open({ to: [{ name: 'Kim Lee', address: 'kim@globex.io' }], subject: 'Later one' }),
        f.open({ to: [{ name: '', address: 'sam@initech.com' }], cc: [{ name: 'Pat', address: 'pat@initech.com' }] }),
      ];
    });
    for (const id of ids) await waitReady(page, id);
    // The sidebar is up before Gmail adds the chips; it follows them as they arrive.
    await expect.poll(() => listedRecipients(page, ids[0]!)).toEqual(['To Kim Lee kim@globex.io']);
    await expect.poll(() => listedRecipients(page, ids[1]!)).toEqual(['To sam@initech.com', 'Cc Pat pat@initech.com']);
    expect(await hostCount(page)).toBe(4);
  });

  it('survives Gmail re-rendering the compose: same sidebar state, one sidebar each, new recipients seen', async () => {
    const c2 = sidebarOf(page, 'c2');
    await c2.getByRole('button', { name: 'Add to sequence' }).click();
    await expect.poll(() => c2.getByRole('region', { name: 'Add to sequence' }).count()).toBe(1);
    await page.evaluate(() => {
      const f = (window as unknown as { gmailFixture: { rerender(): void; addRecipient(id: string, k: string, p: object): void } }).gmailFixture;
      f.rerender();
      f.addRecipient('c2', 'cc', { name: 'Added Later', address: 'added@example.com' });
    });
    await expect.poll(() => listedRecipients(page, 'c2')).toContain('Cc Added Later added@example.com');
    // Same React tree (the open panel is still open) and still one sidebar per compose.
    expect(await c2.getByRole('region', { name: 'Add to sequence' }).count()).toBe(1);
    await page.waitForTimeout(600);
    expect(await hostCount(page)).toBe(4);
    expect(await page.locator('[data-fixture-compose="c2"] [data-sendway-sidebar]').count()).toBe(1);
  });

  it('says plainly where sequences are made when there are none yet', async () => {
    const panel = sidebarOf(page, 'c2').getByRole('region', { name: 'Add to sequence' });
    // The panel asks the background for sequences first ("Loading sequences…"); give a busy machine time.
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain("No sequences yet. Create one in Sendway's options page.");
  });

  it('inserts a template into Gmail’s own subject and body, resolved for a single recipient', async () => {
    const id = await page.evaluate(() =>
      (window as unknown as { gmailFixture: { open(o: object): string } }).gmailFixture.open({
        to: [{ name: 'Jane Doe', address: 'jane.doe@acme-corp.com' }],
        body: 'old text',
      }),
    );
    await waitReady(page, id);
    const sidebar = sidebarOf(page, id);
    await sidebar.getByRole('button', { name: 'Insert template' }).click();
    await sidebar.getByRole('button', { name: 'Insert Introduction' }).click();
    const compose = page.locator(`[data-fixture-compose="${id}"]`);
    await expect.poll(() => compose.locator('input[name=subjectbox]').inputValue()).toBe('Quick question, Jane');
    const body = await compose.locator('[g_editable]').innerText();
    expect(body).toContain('Hi Jane,');
    expect(body).toContain('teams like Acme Corp');
    expect(body).not.toContain('old text');
    expect(body).toContain('Rep Example, Example Inc.'); // the signature stays
    expect(await sidebar.getByRole('status').first().textContent()).toContain('Filled in for Jane Doe');
  });

  it('keeps merge fields for several recipients, to fill in per recipient at send', async () => {
    const sidebar = sidebarOf(page, 'c2');
    await sidebar.getByRole('button', { name: 'Insert template' }).click();
    await sidebar.getByRole('button', { name: 'Insert Follow-up' }).click();
    const compose = page.locator('[data-fixture-compose="c2"]');
    await expect.poll(() => compose.locator('input[name=subjectbox]').inputValue()).toBe('Following up, {{ first_name | default: "there" }}');
    await expect.poll(() => sidebar.locator('[data-code=per_recipient]').textContent()).toContain('one personalised message per recipient');
  });

  it('without a delivery channel, says how to set one up and does not offer Send', async () => {
    const sidebar = sidebarOf(page, 'c1');
    await expect.poll(() => sidebar.locator('[data-code=no_channel]').count()).toBe(1);
    await expect.poll(() => sidebar.getByRole('button', { name: 'Send via Sendway' }).isDisabled()).toBe(true);
    expect(await sidebar.getByRole('button', { name: 'Insert template' }).isEnabled()).toBe(true);
  });

  it('never trips Trusted Types', () => {
    expect(trustedTypeErrors(errors)).toEqual([]);
  });
});

describe('collapsing', () => {
  it('collapses and remembers it on the next page load', async () => {
    await serveWebmail(browser.context, 'gmail', 'current.html');
    const { page } = await openPage(browser.context, GMAIL_URL);
    await waitReady(page, 'c2');
    await sidebarOf(page, 'c2').getByRole('button', { name: 'Collapse Sendway' }).click();
    expect(await sidebarOf(page, 'c2').getByRole('button', { name: 'Insert template' }).count()).toBe(0);
    await page.waitForTimeout(200);
    await page.reload();
    await waitReady(page, 'c1');
    const toggle = sidebarOf(page, 'c1').getByRole('button', { name: 'Expand Sendway' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await sidebarOf(page, 'c1').getByRole('button', { name: 'Insert template' }).count()).toBe(1);
    await page.close();
  });
});

describe.each(['current', 'legacy'] as const)('Outlook on the web (%s build)', (variant) => {
  let page: Page;
  beforeAll(async () => {
    await serveWebmail(browser.context, 'outlook', `${variant}.html`);
    ({ page } = await openPage(browser.context, OUTLOOK_URL));
    await waitReady(page, 'o1');
  });
  afterAll(async () => page?.close());

  it('shows a sidebar for the inline reply and for a new message opened later', async () => {
    expect(await listedRecipients(page, 'o1')).toEqual(['To Jane Doe jane.doe@acme-corp.com', 'Cc Bob Stone bob@acme-corp.com']);
    const id = await page.evaluate(() =>
      (window as unknown as { outlookFixture: { open(o: object): string } }).outlookFixture.open({
        to: [{ name: 'Kim Lee', address: 'kim@globex.io' }],
      }),
    );
    await waitReady(page, id);
    await expect.poll(() => listedRecipients(page, id)).toEqual(['To Kim Lee kim@globex.io']);
    expect(await hostCount(page)).toBe(2);
  });

  it('inserts a template through React’s own value setter, so a re-render keeps it', async () => {
    const id = await page.evaluate(() =>
      (window as unknown as { outlookFixture: { open(o: object): string } }).outlookFixture.open({
        to: [{ name: 'Jane Doe', address: 'jane.doe@acme-corp.com' }],
        subject: 'draft subject',
      }),
    );
    await waitReady(page, id);
    const sidebar = sidebarOf(page, id);
    await sidebar.getByRole('button', { name: 'Insert template' }).click();
    await sidebar.getByRole('button', { name: 'Insert Introduction' }).click();
    const compose = page.locator(`[data-fixture-compose="${id}"]`);
    const subject = compose.locator('input[aria-label="Subject"], input[aria-label="Add a subject"]');
    await expect.poll(() => subject.inputValue()).toBe('Quick question, Jane');
    await page.evaluate(() => (window as unknown as { outlookFixture: { rerender(): void } }).outlookFixture.rerender());
    expect(await subject.inputValue()).toBe('Quick question, Jane');
    expect(await page.evaluate((cid) => (window as unknown as { outlookFixture: { state(id: string): { subject: string } } }).outlookFixture.state(cid).subject, id)).toBe(
      'Quick question, Jane',
    );
    const body = await compose.locator('[aria-label^="Message body"]').innerText();
    expect(body).toContain('Hi Jane,');
    expect(body).toContain('Rep Example | Example Inc.');
    // The sidebar survived the re-render too, once.
    await page.waitForTimeout(600);
    expect(await page.locator(`[data-fixture-compose="${id}"] [data-sendway-sidebar]`).count()).toBe(1);
  });
});
