import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { FakeGoogle, GMAIL_SEND_SCOPE } from '../helpers/fake-google';
import { canWritePolicy, writeExtensionPolicy } from '../helpers/policy';
import { GMAIL_URL, openPage, serveWebmail, sidebarOf, waitReady } from './sidebar-helpers';

/**
 * The Gmail channel end to end: the built extension in Chromium, configured
 * through a real managed-policy file to use a local fake Google for OAuth
 * and the Gmail API. Everything between the page's runtime message and the
 * fake's parsed MIME is production code.
 */
const writable = canWritePolicy();
if (!writable.ok) console.warn(`[gmail browser tests skipped] ${writable.reason}`);

type Reply<T = any> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

describe.skipIf(!writable.ok)('Gmail channel in Chromium against a fake Google', () => {
  let google: FakeGoogle;
  let browser: ExtensionBrowser;
  let removePolicy: (() => void) | undefined;
  let page: Page;

  const call = async <T = any>(type: string, payload: object = {}): Promise<Reply<T>> =>
    page.evaluate(([t, p]) => chrome.runtime.sendMessage({ type: t, payload: p }), [type, payload] as const);
  const data = async <T = any>(type: string, payload: object = {}): Promise<T> => {
    const reply = await call<T>(type, payload);
    if (!reply.ok) throw new Error(`${type} failed: ${reply.error.code} ${reply.error.message}`);
    return reply.data;
  };
  let keyCounter = 0;
  const sendOne = (draft: object, key = `e2e-gmail-${++keyCounter}-${Date.now()}`) =>
    data<{ results: any[] }>('mail.send', { channelId: 'gmail', messages: [{ idempotencyKey: key, draft }] }).then((r) => r.results[0]);

  beforeAll(async () => {
    google = await new FakeGoogle().start();
    removePolicy = writeExtensionPolicy(
      { googleClientId: google.clientId, googleAuthUrl: google.authUrl, googleRevokeUrl: google.revokeUrl, gmailApiBase: google.apiBase },
      'sendway-gmail-e2e.json',
    );
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
  });

  afterAll(async () => {
    await browser?.close();
    removePolicy?.();
    await google?.close();
  });

  it('offers Gmail from policy, signed out, asking for gmail.send only', async () => {
    const status = await data('gmail.status');
    expect(status).toMatchObject({ configured: true, allowed: true, connected: false, needsSignIn: false, accountType: 'consumer', dailyLimit: 500 });
    expect(status.scopes).toEqual(['openid', 'email', GMAIL_SEND_SCOPE]);
    const { channels } = await data('channels.list');
    expect(channels.find((c: any) => c.id === 'gmail')).toMatchObject({ kind: 'gmail', status: 'signed_out' });
  });

  it('connects through Google\'s consent window (interactive launchWebAuthFlow opens a real window)', async () => {
    google.signedIn = undefined; // the rep must sign in and allow
    const consent = browser.context.waitForEvent('page', { predicate: (p) => p.url().startsWith(google.authUrl), timeout: 15_000 });
    const connecting = call('gmail.connect');
    const window = await consent;
    await window.locator('#allow').click();
    const reply = await connecting;
    expect(reply).toMatchObject({ ok: true, data: { connected: true, account: 'rep@example.com', needsSignIn: false } });
    const request = google.authorizeRequests.at(-1)!;
    expect(request.get('response_type')).toBe('token id_token');
    expect(request.get('scope')).toBe(`openid email ${GMAIL_SEND_SCOPE}`);
    const { channels } = await data('channels.list');
    expect(channels.find((c: any) => c.id === 'gmail')).toMatchObject({ status: 'ready', account: 'rep@example.com' });
  });

  it('keeps the token out of storage.local (content scripts can read that)', async () => {
    const local = await browser.worker.evaluate(() => chrome.storage.local.get(null));
    const session = await browser.worker.evaluate(() => chrome.storage.session.get(null));
    expect(JSON.stringify(local)).not.toContain('ya29.');
    expect(JSON.stringify(session)).toContain('ya29.');
  });

  it('sends through users.messages.send; the fake parses a non-ASCII subject, names, HTML + text, an attachment', async () => {
    const subject = 'Offerte voor Zoë — één prijs 💶 ' + 'lang onderwerp '.repeat(8);
    const result = await sendOne({
      from: { name: 'Renée van Dijk', address: 'rep@example.com' },
      to: [{ name: 'Jürgen Müller', address: 'jurgen@example.de' }],
      bcc: ['archive@example.org'],
      subject,
      html: '<p>Beste Jürgen,</p><p>Zie de <b>prijslijst</b>.</p>',
      attachments: [{ filename: 'prijslijst €.txt', contentType: 'text/plain', contentBase64: Buffer.from('prijs: € 10').toString('base64') }],
    });
    expect(result).toMatchObject({ ok: true, status: 'sent' });
    const mail = google.sent.at(-1)!;
    expect(mail.parsed.subject).toBe(subject);
    expect(mail.parsed.from?.value[0]).toMatchObject({ name: 'Renée van Dijk', address: 'rep@example.com' });
    expect(mail.parsed.to && !Array.isArray(mail.parsed.to) ? mail.parsed.to.value[0] : undefined).toMatchObject({ name: 'Jürgen Müller', address: 'jurgen@example.de' });
    expect(mail.parsed.html).toContain('<b>prijslijst</b>');
    expect(mail.parsed.text).toContain('Beste Jürgen,');
    expect(mail.parsed.attachments[0]).toMatchObject({ filename: 'prijslijst €.txt' });
    expect(mail.parsed.attachments[0]!.content.toString()).toBe('prijs: € 10');
    expect(result.messageId).toBe(mail.parsed.messageId);
    // The Gmail gauge counts it.
    const { channels } = await data('channels.list');
    expect(channels.find((c: any) => c.id === 'gmail').limits.perDay).toMatchObject({ limit: 500, used: 1, unit: 'messages' });
  });

  it('replies in the thread: threadId, In-Reply-To and References reach Gmail', async () => {
    const result = await sendOne({ to: ['jurgen@example.de'], subject: 'Re: Offerte', text: 'Nog een vraag', threadId: 'thread-1', inReplyTo: '<first@example.com>' });
    expect(result).toMatchObject({ ok: true, status: 'sent', threadId: 'thread-1' });
    const mail = google.sent.at(-1)!;
    expect(mail.threadId).toBe('thread-1');
    expect(mail.parsed.inReplyTo).toBe('<first@example.com>');
    expect(mail.parsed.references).toBe('<first@example.com>');
  });

  it('sends once when the same click is retried', async () => {
    const before = google.sent.length;
    const key = `e2e-gmail-same-${Date.now()}`;
    const draft = { to: ['ana@example.org'], subject: 'Once', text: 'Only once' };
    const [a, b] = await Promise.all([sendOne(draft, key), sendOne(draft, key)]);
    const c = await sendOne(draft, key);
    expect(google.sent.length - before).toBe(1);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('sends from the compose sidebar on Gmail through the Gmail channel', async () => {
    await data('channels.setActive', { channelId: 'gmail' });
    await serveWebmail(browser.context, 'gmail', 'current.html');
    const { page: gmail, errors } = await openPage(browser.context, GMAIL_URL);
    await waitReady(gmail, 'c2');
    const subject = 'Kennismaking met Zoë — één vraag';
    await gmail.locator('[data-fixture-compose="c2"] input[name=subjectbox]').fill(subject);
    const before = google.sent.length;
    const sidebar = sidebarOf(gmail, 'c2');
    await sidebar.getByRole('button', { name: 'Send via Gmail' }).waitFor();
    await gmail.locator('[data-fixture-compose="c2"]').screenshot({ path: 'test-results/gmail-sidebar-compose.png' });
    await sidebar.getByRole('button', { name: 'Send via Gmail' }).click();
    await expect.poll(() => google.sent.length, { timeout: 15_000 }).toBe(before + 1);
    const mail = google.sent.at(-1)!.parsed;
    expect(mail.subject).toBe(subject);
    const addresses = (a: typeof mail.to) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address));
    expect(addresses(mail.to)).toEqual(['ada@analytical-engines.co.uk', 'grace@navy.example.com']);
    expect(addresses(mail.bcc)).toEqual(['dropbox@crm.example.com']);
    expect(mail.text).toContain('Hello!');
    expect(mail.from?.value[0]?.address).toBe('rep@example.com');
    expect(errors.filter((e) => /Trusted Type/i.test(e))).toEqual([]);
    await gmail.close();
  });

  it('waits as long as Retry-After says on a 429, then sends', async () => {
    const before = google.sendAttempts.length;
    google.failNext(429, { retryAfter: '2', body: { error: { code: 429, message: 'Too many concurrent requests for user.', errors: [{ reason: 'rateLimitExceeded' }] } } });
    const result = await sendOne({ to: ['ana@example.org'], subject: 'After 429', text: 'x' });
    expect(result).toMatchObject({ ok: true, status: 'sent' });
    const attempts = google.sendAttempts.slice(before);
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(attempts[1]!.at - attempts[0]!.at).toBeLessThan(4000);
  });

  it('retries 500s with backoff, then sends', async () => {
    const before = google.sendAttempts.length;
    google.failNext(500, { count: 2 });
    const result = await sendOne({ to: ['ana@example.org'], subject: 'After 500', text: 'x' });
    expect(result).toMatchObject({ ok: true, status: 'sent' });
    const attempts = google.sendAttempts.slice(before);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThan(attempts[1]!.at - attempts[0]!.at - 600);
  });

  it('says it in plain words when Google\'s sending limit is spent', async () => {
    const until = new Date(Date.now() + 2 * 3600_000).toISOString();
    google.failNext(429, { body: { error: { code: 429, message: `User-rate limit exceeded.  Retry after ${until} (Mail sending)`, errors: [{ reason: 'rateLimitExceeded' }] } } });
    const result = await sendOne({ to: ['ana@example.org'], subject: 'Over quota', text: 'x' });
    expect(result).toMatchObject({ ok: false, code: 'quota_exceeded' });
    expect(result.message).toMatch(/daily sending limit/);
    const status = await data('gmail.status');
    expect(Date.parse(status.pausedUntil)).toBeGreaterThan(Date.now() + 3600_000);
    // Lift the hold for the tests that follow (as if the time had passed).
    await browser.worker.evaluate(() => chrome.storage.local.remove('gmail.hold'));
  });

  it('renews an expiring token silently before sending (no 401 reaches the rep)', async () => {
    google.expiresIn = 6;
    await data('gmail.connect'); // signed in to "Google" already: the window closes by itself
    google.expiresIn = 3600;
    const authBefore = google.authorizeRequests.length;
    const attemptsBefore = google.sendAttempts.length;
    await new Promise((r) => setTimeout(r, 5600)); // inside the last tenth of the 6 s lifetime
    const result = await sendOne({ to: ['ana@example.org'], subject: 'Fresh token', text: 'x' });
    expect(result).toMatchObject({ ok: true, status: 'sent' });
    const silent = google.authorizeRequests.slice(authBefore);
    expect(silent).toHaveLength(1);
    expect(silent[0]!.get('prompt')).toBe('none');
    expect(silent[0]!.get('login_hint')).toBe('rep@example.com');
    expect(google.sendAttempts.slice(attemptsBefore).map((a) => a.status)).toEqual([200]);
  });

  it('after a 401 re-authenticates silently once and sends', async () => {
    google.invalidateAllTokens();
    const attemptsBefore = google.sendAttempts.length;
    const result = await sendOne({ to: ['ana@example.org'], subject: 'After 401', text: 'x' });
    expect(result).toMatchObject({ ok: true, status: 'sent' });
    const attempts = google.sendAttempts.slice(attemptsBefore);
    expect(attempts.map((a) => a.status)).toEqual([401, 200]);
    expect(attempts[1]!.token).not.toBe(attempts[0]!.token);
  });

  it('asks the rep to sign in when silent re-auth is not possible', async () => {
    google.invalidateAllTokens();
    google.signedIn = undefined;
    const result = await sendOne({ to: ['ana@example.org'], subject: 'Needs sign-in', text: 'x' });
    expect(result).toMatchObject({ ok: false, code: 'needs_sign_in' });
    expect(result.message).toMatch(/Connect Gmail/);
    expect(await data('gmail.status')).toMatchObject({ connected: true, needsSignIn: true });
    const { channels } = await data('channels.list');
    expect(channels.find((c: any) => c.id === 'gmail')).toMatchObject({ status: 'needs_reconnect' });
  });

  it('signs out by revoking the token at Google', async () => {
    google.signedIn = 'rep@example.com';
    await data('gmail.connect');
    const session = await browser.worker.evaluate(() => chrome.storage.session.get('gmail.token'));
    const token = (session['gmail.token'] as { accessToken: string }).accessToken;
    const status = await data('gmail.disconnect');
    expect(status).toMatchObject({ connected: false, revoked: true });
    expect(google.revoked).toContain(token);
    expect(google.tokenInfo(token)!.revoked).toBe(true);
    expect(await sendOne({ to: ['ana@example.org'], subject: 'Signed out', text: 'x' })).toMatchObject({ ok: false, code: 'needs_sign_in' });
  });
});
