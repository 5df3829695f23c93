import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { FakeGoogle } from '../helpers/fake-google';
import { canWritePolicy, writeExtensionPolicy } from '../helpers/policy';

/**
 * Gmail API faults that gmail.test.ts does not cover, against the fake Google
 * with the built extension: a token that dies in the middle of a batch of
 * sends (a per-recipient merge — sequences send the same way, one message at
 * a time), bursts of 429s inside and beyond the retry budget, and a run of
 * 500s. Every message is sent exactly once (by Message-ID) or waits in the
 * outbox; none is lost or sent twice.
 */
const writable = canWritePolicy();
if (!writable.ok) console.warn(`[gmail fault browser tests skipped] ${writable.reason}`);

type Outcome = { ok: true; id: string; status: string; messageId: string } | { ok: false; code: string; message: string };

describe.skipIf(!writable.ok)('Gmail API faults in Chromium', () => {
  let google: FakeGoogle;
  let browser: ExtensionBrowser;
  let removePolicy: (() => void) | undefined;
  let page: Page;
  let seq = 0;

  const call = async <T,>(type: string, payload: object = {}): Promise<T> => {
    const reply = (await page.evaluate(([t, p]) => chrome.runtime.sendMessage({ type: t, payload: p }), [type, payload] as const)) as { ok: boolean; data?: T; error?: { code: string; message: string } };
    if (!reply.ok) throw new Error(`${type} failed: ${reply.error?.code} ${reply.error?.message}`);
    return reply.data as T;
  };
  /** One mail.send with `n` messages (what a per-recipient merge hands the background). */
  const batch = async (n: number, label: string, keys?: string[]) => {
    const messages = Array.from({ length: n }, (_, i) => ({
      idempotencyKey: keys?.[i] ?? `faults-${label}-${i}-${++seq}-${Date.now()}`,
      draft: { to: [`lead${i}@example.org`], subject: `${label} ${i}`, text: `Hello ${i}` },
    }));
    return (await call<{ results: Outcome[] }>('mail.send', { channelId: 'gmail', messages })).results;
  };
  const copies = (messageId: string) => google.sent.filter((m) => m.parsed.messageId === messageId).length;

  beforeAll(async () => {
    google = await new FakeGoogle().start();
    removePolicy = writeExtensionPolicy(
      { googleClientId: google.clientId, googleAuthUrl: google.authUrl, googleRevokeUrl: google.revokeUrl, gmailApiBase: google.apiBase },
      'sendway-gmail-faults-e2e.json',
    );
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    // Signed in to "Google" already: the consent window closes by itself.
    expect(await call<{ connected: boolean }>('gmail.connect')).toMatchObject({ connected: true, account: 'rep@example.com' });
  });

  afterAll(async () => {
    await browser?.close();
    removePolicy?.();
    await google?.close();
  });

  it('a token revoked between the 2nd and 3rd send of a batch: one silent re-auth, the rest goes out, each message once', async () => {
    const attemptsBefore = google.sendAttempts.length;
    const authBefore = google.authorizeRequests.length;
    const sentBefore = google.sent.length;
    google.onSent = (count) => {
      if (count === sentBefore + 2) google.invalidateAllTokens();
    };
    const results = await batch(4, '401 mid-batch');
    google.onSent = undefined;
    expect(results.map((r) => r.ok && r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(google.sendAttempts.slice(attemptsBefore).map((a) => a.status)).toEqual([200, 200, 401, 200, 200]);
    const silent = google.authorizeRequests.slice(authBefore);
    expect(silent).toHaveLength(1);
    expect(silent[0]!.get('prompt')).toBe('none');
    for (const r of results) expect(copies((r as { messageId: string }).messageId)).toBe(1);
    // The renewed token carried the rest: the 401'd request and the next used different tokens.
    const [, , bad, retried] = google.sendAttempts.slice(attemptsBefore);
    expect(retried!.token).not.toBe(bad!.token);
  });

  it('a burst of three 429s in the middle of a batch: waits as Retry-After says each time, then sends the rest, each once', async () => {
    const attemptsBefore = google.sendAttempts.length;
    const sentBefore = google.sent.length;
    google.onSent = (count) => {
      if (count === sentBefore + 1) google.failNext(429, { count: 3, retryAfter: '1', body: { error: { code: 429, message: 'Too many concurrent requests for user.', errors: [{ reason: 'rateLimitExceeded' }] } } });
    };
    const results = await batch(3, '429 burst');
    google.onSent = undefined;
    expect(results.map((r) => r.ok && r.status)).toEqual(['sent', 'sent', 'sent']);
    const attempts = google.sendAttempts.slice(attemptsBefore);
    expect(attempts.map((a) => a.status)).toEqual([200, 429, 429, 429, 200, 200]);
    for (let i = 2; i <= 4; i++) expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(950);
    for (const r of results) expect(copies((r as { messageId: string }).messageId)).toBe(1);
  });

  it('429s longer than the retry budget: the message waits in the outbox (not failed, not sent twice) and goes out once Gmail recovers', async () => {
    const attemptsBefore = google.sendAttempts.length;
    google.failNext(429, { count: 5, retryAfter: '1', body: { error: { code: 429, message: 'Too many concurrent requests for user.', errors: [{ reason: 'rateLimitExceeded' }] } } });
    const key = `faults-429-long-${Date.now()}`;
    const [first] = await batch(1, '429 beyond budget', [key]);
    expect(first).toMatchObject({ ok: true, status: 'retrying' });
    expect(google.sendAttempts.slice(attemptsBefore).map((a) => a.status)).toEqual([429, 429, 429, 429, 429]);
    // The rep clicks again: same key, same message, no second send.
    const [again] = await batch(1, '429 beyond budget', [key]);
    expect(again).toMatchObject({ ok: true, id: (first as { id: string }).id, messageId: (first as { messageId: string }).messageId });
    await expect.poll(() => copies((first as { messageId: string }).messageId), { timeout: 75_000, interval: 250 }).toBe(1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(copies((first as { messageId: string }).messageId)).toBe(1);
    const [later] = await batch(1, '429 beyond budget', [key]);
    expect(later).toMatchObject({ ok: true, status: 'sent', messageId: (first as { messageId: string }).messageId });
  });

  it('500s past the retry budget: the message waits, then goes out once; the batch behind it is not lost', async () => {
    const attemptsBefore = google.sendAttempts.length;
    google.failNext(500, { count: 5 });
    const results = await batch(2, '500 run');
    // The first message used up its attempts and waits; the second went out normally.
    expect(results.map((r) => r.ok && r.status)).toEqual(['retrying', 'sent']);
    expect(google.sendAttempts.slice(attemptsBefore).slice(0, 5).map((a) => a.status)).toEqual([500, 500, 500, 500, 500]);
    const waiting = results[0] as { messageId: string };
    await expect.poll(() => copies(waiting.messageId), { timeout: 90_000, interval: 250 }).toBe(1);
    expect(copies((results[1] as { messageId: string }).messageId)).toBe(1);
  });
});
