import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/chromium';
import { EXTENSION_REDIRECT, FakeMicrosoft, SMTP_SEND_SCOPE } from '../helpers/fake-microsoft';
import { canWritePolicy, writeExtensionPolicy } from '../helpers/policy';
import { startRelay, type RunningRelay } from '../helpers/relay';
import { TestSmtpServer } from '../helpers/smtp-server';
import { ask, closeClean, openPopup, shot } from './popup.kit';
import { OUTLOOK_URL, openPage, serveWebmail, sidebarOf, storeRelayConnection, waitReady } from './sidebar-helpers';

/**
 * Office 365 with modern authentication, in Chromium: the popup's "Connect
 * Office 365" runs the real identity.launchWebAuthFlow against a local fake
 * Microsoft identity platform, the relay redeems the code, and mail from the
 * Outlook sidebar reaches a real SMTP server that only accepts XOAUTH2 with a
 * live token from that fake. Tokens live 15 s here, so "after expiry" is real.
 * Tenant and client id come from a real Chromium policy file when the test
 * may write one (root), and from the relay's own settings otherwise.
 */
const TOKEN_SECONDS = 15;
const policy = canWritePolicy();
if (!policy.ok) console.warn(`[o365 e2e] ${policy.reason}: using the relay's advertised Microsoft settings instead of a policy file`);

describe('Office 365: connect with Microsoft, send, refresh, revoke and reconnect', () => {
  const ms = new FakeMicrosoft();
  const smtp = new TestSmtpServer({ acceptToken: (user, token) => ms.isValidAccessToken(user, token) });
  let relay: RunningRelay;
  let token: string;
  let browser: ExtensionBrowser;
  let removePolicy: (() => void) | undefined;
  let outlook: Page;
  let channelId: string;

  const xoauth = () => smtp.authAttempts.filter((a) => a.method === 'XOAUTH2');
  const CHANNEL_NAME = 'Office 365 (rep@example.com)';

  /** Opens a compose in the Outlook fixture and presses the sidebar's Send. */
  const sendFromOutlook = async (subject: string) => {
    const id = await outlook.evaluate(
      (s) => (window as unknown as { outlookFixture: { open(o: object): string } }).outlookFixture.open({ to: [{ name: 'Jane Doe', address: 'jane.doe@acme-corp.com' }], subject: s, body: 'Hello Jane' }),
      subject,
    );
    await waitReady(outlook, id);
    const sidebar = sidebarOf(outlook, id);
    await expect.poll(() => sidebar.getByTestId('sw-channel').textContent(), { timeout: 15_000 }).toContain(CHANNEL_NAME);
    await sidebar.getByRole('button', { name: `Send via ${CHANNEL_NAME}` }).click();
    await expect
      .poll(() => outlook.evaluate((i) => (window as unknown as { outlookFixture: { log: { event: string; id: string }[] } }).outlookFixture.log.some((l) => l.id === i), id), { timeout: 15_000 })
      .toBe(true);
  };
  const relayMessage = async (subject: string) => {
    const { messages } = (await (await relay.call(token, 'GET', '/v1/messages?limit=50')).json()) as { messages: { id: string; subject: string; status: string; lastError?: string }[] };
    return messages.find((m) => m.subject === subject);
  };
  const waitUntil = async (what: string, check: () => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    await ms.start();
    ms.expiresIn = TOKEN_SECONDS;
    ms.signedIn = undefined; // the rep signs in and accepts in Microsoft's window
    await smtp.start();
    relay = await startRelay({
      env: { RELAY_MS_CLIENT_ID: ms.clientId, RELAY_MS_AUTHORITY: ms.authority, RELAY_MS_SMTP_HOST: '127.0.0.1', RELAY_MS_SMTP_PORT: String(smtp.port) },
    });
    token = await relay.createToken('rep@example.com');
    if (policy.ok) {
      removePolicy = writeExtensionPolicy({ microsoftClientId: ms.clientId, microsoftTenant: 'organizations', microsoftAuthUrl: ms.authority }, 'sendway-o365-e2e.json');
    }
    browser = await launchWithExtension();
    await storeRelayConnection(browser.context, relay.url, token);
  });

  afterAll(async () => {
    await browser?.close();
    removePolicy?.();
    await relay?.stop();
    await smtp.stop();
    await ms.close();
  });

  it('connects from the popup through Microsoft\'s sign-in window (PKCE), the relay keeps the grant', async () => {
    const popup = await openPopup(browser);
    await popup.getByTestId('welcome').waitFor();
    await popup.getByTestId('provider-office365').click();
    await popup.getByTestId('o365-connect-button').waitFor();
    expect(await popup.getByTestId('o365-connect').textContent()).toContain('Sendway never sees your password');
    await shot(popup, 'o365-en-1-connect');

    const signIn = browser.context.waitForEvent('page', { predicate: (p) => p.url().startsWith(ms.authority), timeout: 15_000 });
    await popup.getByTestId('o365-connect-button').click();
    const window = await signIn;
    await window.locator('#accept').click();
    await popup.getByTestId('setup-done').waitFor({ timeout: 20_000 });
    expect(await popup.getByTestId('test-result').textContent()).toContain('Connected as rep@example.com');
    await shot(popup, 'o365-en-2-connected-test');

    // What the extension asked Microsoft for.
    const request = ms.authorizeRequests.at(-1)!;
    expect(request.get('response_type')).toBe('code');
    expect(request.get('code_challenge_method')).toBe('S256');
    expect(request.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.get('redirect_uri')).toBe(EXTENSION_REDIRECT);
    expect(request.get('scope')).toBe(`${SMTP_SEND_SCOPE} offline_access openid email`);
    expect(request.get('client_id')).toBe(ms.clientId);
    // The organisation's policy (when written) picks the tenant; the relay's default is common.
    expect(ms.authorizeTenants.at(-1)).toBe(policy.ok ? 'organizations' : 'common');
    // The relay redeemed the code (the verifier matched, or the fake would have refused).
    expect(ms.tokenRequests.filter((r) => r.grantType === 'authorization_code').map((r) => r.status)).toEqual([200]);

    const { channels, activeChannelId } = await ask<{ channels: { id: string; kind: string; auth?: string; status: string; name: string }[]; activeChannelId: string }>(popup, 'channels.list', {});
    const channel = channels.find((c) => c.kind === 'office365')!;
    expect(channel).toMatchObject({ auth: 'oauth2', status: 'ready', name: CHANNEL_NAME });
    expect(activeChannelId).toBe(channel.id);
    channelId = channel.id;
    // No Microsoft token ever reaches the extension's storage.
    const stored = await browser.worker.evaluate(async () => JSON.stringify([await chrome.storage.local.get(null), await chrome.storage.session.get(null)]));
    expect(stored).not.toMatch(/fake-(access|refresh)|0\.AX-fake-code/);

    await popup.getByTestId('setup-finish').click();
    await popup.locator(`[data-channel-id="${channelId}"]`).waitFor();
    expect(await popup.locator(`[data-channel-id="${channelId}"] .channel-meta`).textContent()).toContain('Microsoft sign-in');
    await shot(popup, 'o365-en-3-connected-card');
    await closeClean(popup);
  });

  it('sends from the Outlook sidebar: the SMTP server sees XOAUTH2 with the current token', async () => {
    await serveWebmail(browser.context, 'outlook', 'current.html');
    ({ page: outlook } = await openPage(browser.context, OUTLOOK_URL));
    await sendFromOutlook('Pilot proposal');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.parsed.subject).toBe('Pilot proposal');
    expect(mail!.envelope.from).toBe('rep@example.com');
    expect(xoauth().at(-1)).toEqual({ method: 'XOAUTH2', user: 'rep@example.com', ok: true, token: ms.latestAccessToken() });
  });

  it('after the token expires the relay refreshes it, and the next send succeeds with the new one', async () => {
    const old = ms.latestAccessToken()!;
    const refreshes = ms.refreshCount();
    await waitUntil('the access token to expire', () => !ms.isValidAccessToken('rep@example.com', old), (TOKEN_SECONDS + 5) * 1000);
    smtp.clear();
    await sendFromOutlook('Follow-up after expiry');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.parsed.subject).toBe('Follow-up after expiry');
    expect(ms.refreshCount()).toBe(refreshes + 1);
    const current = ms.latestAccessToken()!;
    expect(current).not.toBe(old);
    expect(xoauth().filter((a) => a.ok).map((a) => a.token)).toEqual([current]);
  });

  it('after consent is revoked the channel needs reconnecting, the message waits, and one click sends it', async () => {
    ms.revoke('rep@example.com');
    // Like Entra ID, revocation reaches the relay at its next refresh: once the token it holds runs out.
    const issuedAt = ms.tokenRequests.filter((r) => r.status === 200).at(-1)!.at;
    await new Promise((r) => setTimeout(r, Math.max(0, issuedAt + TOKEN_SECONDS * 1000 - Date.now())));
    smtp.clear();
    await sendFromOutlook('Sent while revoked');
    await expect.poll(async () => (await relayMessage('Sent while revoked'))?.lastError ?? '', { timeout: 20_000 }).toMatch(/Reconnect Office 365/);
    expect((await relayMessage('Sent while revoked'))?.status).toBe('queued');
    expect(smtp.received).toHaveLength(0);

    const popup = await openPopup(browser);
    const card = popup.locator(`[data-channel-id="${channelId}"]`);
    await card.getByTestId('o365-reconnect').waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain('Microsoft asks you to sign in again');
    expect(await card.locator('.chip-block').textContent()).toBe('Needs you to sign in again');
    expect(await card.getByTestId('enter-new-password').count()).toBe(0);
    await shot(popup, 'o365-en-4-needs-reconnect');

    const tokensBefore = ms.tokenRequests.length;
    await card.getByTestId('o365-reconnect').click(); // still signed in at Microsoft: no window to click through
    const [mail] = await smtp.waitFor(1, 30_000);
    expect(mail!.parsed.subject).toBe('Sent while revoked');
    expect(ms.tokenRequests.slice(tokensBefore).map((r) => `${r.grantType}:${r.status}`)).toContain('authorization_code:200');
    expect(ms.authorizeRequests.at(-1)!.get('login_hint')).toBe('rep@example.com');
    expect(xoauth().filter((a) => a.ok).at(-1)!.token).toBe(ms.latestAccessToken());
    await expect.poll(async () => (await relayMessage('Sent while revoked'))?.status).toBe('sent');
    await card.getByText('Signed in again. Queued mail is on its way.').waitFor();
    await expect.poll(() => card.getByTestId('channel-counts').textContent(), { timeout: 10_000 }).toContain('0 queued');
    expect(await card.locator('.chip-block').count()).toBe(0);
    await shot(popup, 'o365-en-5-reconnected');
    await closeClean(popup);
  });

  it('keeps the password form as a fallback with the Basic-auth switch-off warning', async () => {
    const popup = await openPopup(browser);
    await popup.getByTestId('add-channel').click();
    await popup.getByTestId('provider-office365').click();
    await popup.getByTestId('o365-use-password').click();
    const warning = popup.getByTestId('basic-auth-warning');
    await warning.waitFor();
    const text = (await warning.textContent()) ?? '';
    expect(text).toContain('end of December 2026');
    expect(text).toContain('550 5.7.30');
    expect(text).toContain('535 5.7.139');
    await shot(popup, 'o365-en-6-password-fallback', true);
    await popup.getByTestId('o365-back-to-signin').click();
    await popup.getByTestId('o365-connect-button').waitFor();
    await closeClean(popup);
  });

  it('a sign-in that fails after the popup closed is explained when it opens again', async () => {
    ms.signedIn = undefined;
    const popup = await openPopup(browser);
    await popup.getByTestId('add-channel').click();
    await popup.getByTestId('provider-office365').click();
    const signIn = browser.context.waitForEvent('page', { predicate: (p) => p.url().startsWith(ms.authority), timeout: 15_000 });
    await popup.getByTestId('o365-connect-button').click();
    const window = await signIn;
    await popup.close(); // what Chrome does to the popup when Microsoft's window takes focus
    await window.locator('#cancel').click();
    await expect.poll(async () => (await ask<{ lastFailure?: { error?: { code: string } } }>(await openBlank(), 'office365.status', {})).lastFailure?.error?.code, { timeout: 15_000 }).toBe('access_denied');
    const again = await openPopup(browser);
    await again.getByTestId('add-channel').click();
    await again.getByTestId('provider-office365').click();
    await again.getByText('The Microsoft sign-in was cancelled, so Sendway cannot send from your mailbox.').waitFor();
    await shot(again, 'o365-en-7-failed-while-closed');
    await closeClean(again);
  });

  /** An extension page to ask the background from, closed by the next call. */
  let blank: Page | undefined;
  const openBlank = async () => {
    await blank?.close();
    blank = await browser.context.newPage();
    await blank.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    return blank;
  };
});

describe('Office 365 setup in Dutch', () => {
  const ms = new FakeMicrosoft();
  let relay: RunningRelay;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    await ms.start();
    relay = await startRelay({ autoWorker: false, env: { RELAY_MS_CLIENT_ID: ms.clientId, RELAY_MS_AUTHORITY: ms.authority } });
    const token = await relay.createToken('rep@example.com');
    browser = await launchWithExtension(undefined, { args: ['--lang=nl'] });
    await storeRelayConnection(browser.context, relay.url, token);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await ms.close();
  });

  it('offers "Office 365 koppelen" first and the password form as the fallback, with the warning', async () => {
    const popup = await openPopup(browser);
    await popup.getByTestId('provider-office365').click();
    const button = popup.getByTestId('o365-connect-button');
    await button.waitFor();
    expect(await button.textContent()).toBe('Office 365 koppelen');
    expect(await popup.getByTestId('o365-connect').textContent()).toContain('Sendway ziet je wachtwoord nooit');
    await shot(popup, 'o365-nl-1-connect');
    await popup.getByTestId('o365-use-password').click();
    const warning = (await popup.getByTestId('basic-auth-warning').textContent()) ?? '';
    expect(warning).toContain('eind december 2026');
    expect(warning).toContain('550 5.7.30');
    await shot(popup, 'o365-nl-2-password-fallback', true);
    await closeClean(popup);
  });
});
