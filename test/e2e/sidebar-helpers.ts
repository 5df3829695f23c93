import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROME_BUILD, chromiumPath, EXTENSION_ID, TRUSTED_TYPES_CSP } from '../helpers/chromium';
import { readFixture } from '../../extension/compose/testing/fixture';

/**
 * Browser helpers for the sidebar tests: Chromium with the built extension in
 * a chosen UI language (the extension's i18n follows the browser's), and the
 * webmail fixtures served at the real URLs with Gmail's Trusted Types CSP.
 */
export interface SidebarBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(options: { lang?: 'en' | 'nl' } = {}): Promise<SidebarBrowser> {
  const lang = options.lang ?? 'en';
  if (!fs.existsSync(path.join(CHROME_BUILD, 'manifest.json'))) throw new Error(`No built extension at ${CHROME_BUILD}: build it first.`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-sidebar-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    locale: lang === 'nl' ? 'nl-NL' : 'en-US',
    viewport: { width: 1280, height: 900 },
    // On Linux Chromium takes its UI language from the environment; --lang covers the other platforms.
    env: { ...process.env, LANGUAGE: lang, LANG: lang === 'nl' ? 'nl_NL.UTF-8' : 'en_US.UTF-8' },
    args: [
      `--disable-extensions-except=${CHROME_BUILD}`,
      `--load-extension=${CHROME_BUILD}`,
      `--lang=${lang}`,
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  if (!context.serviceWorkers().some((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`))) {
    await context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`), timeout: 20_000 });
  }
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export const GMAIL_URL = 'https://mail.google.com/mail/u/0/';
export const OUTLOOK_URL = 'https://outlook.office.com/mail/inbox/id/AAQkADAwATM';

/** Serves a fixture for every page request to the webmail's host; Gmail's get its Trusted Types CSP. */
export async function serveWebmail(context: BrowserContext, webmail: 'gmail' | 'outlook', fixture: string): Promise<void> {
  const pattern = webmail === 'gmail' ? 'https://mail.google.com/**' : 'https://outlook.office.com/**';
  await context.unroute(pattern);
  const body = readFixture(`${webmail}/${fixture}`);
  const headers: Record<string, string> = webmail === 'gmail' ? { 'content-security-policy': TRUSTED_TYPES_CSP } : {};
  await context.route(pattern, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers, body }));
}

/** Opens a page and collects console errors (Trusted Types violations show up there). */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

/** The sidebar host inside the fixture compose with this id. */
export const sidebarOf = (page: Page, composeId: string) => page.locator(`[data-fixture-compose="${composeId}"] [data-sendway-sidebar]`);

/** Recipients as the sidebar lists them: "To Jane Doe jane.doe@acme-corp.com". */
export async function listedRecipients(page: Page, composeId: string): Promise<string[]> {
  return sidebarOf(page, composeId)
    .locator('.sw-recipient')
    .evaluateAll((items) => items.map((li) => [...li.children].map((c) => c.textContent?.trim()).join(' ')));
}

export async function waitReady(page: Page, composeId: string): Promise<void> {
  await page.locator(`[data-fixture-compose="${composeId}"] [data-sendway-sidebar][data-sendway-ready]`).waitFor({ state: 'attached', timeout: 10_000 });
}

/**
 * Leaves what 'relay.connect' stores once the rep has granted the relay's
 * origin in the popup: the relay URL in local settings and the token as
 * AES-GCM ciphertext under the vault's key (see extension/background/vault.ts).
 * Chromium gives automation no way to answer the host-permission prompt
 * (and chrome://extensions' developerPrivate.addHostPermission leaves
 * permissions.contains false for this extension in Debian's Chromium), so
 * this is done in the service worker itself; the relay's CORS allowlist for
 * the extension's origin is what lets the background reach it. Everything
 * after this — channels.list, mail.send — is the product's own path.
 */
export async function storeRelayConnection(context: BrowserContext, relayUrl: string, token: string): Promise<void> {
  const worker = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`));
  if (!worker) throw new Error('extension service worker not running');
  await worker.evaluate(
    async ({ relayUrl, token }) => {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const req = indexedDB.open('sendway-vault', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('keys');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const get = () =>
        new Promise<CryptoKey | undefined>((resolve, reject) => {
          const req = db.transaction('keys', 'readonly').objectStore('keys').get('v1');
          req.onsuccess = () => resolve(req.result as CryptoKey | undefined);
          req.onerror = () => reject(req.error);
        });
      let key = await get();
      if (!key) {
        const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
        await new Promise<void>((resolve) => {
          const req = db.transaction('keys', 'readwrite').objectStore('keys').add(fresh, 'v1');
          req.onsuccess = () => resolve();
          req.onerror = () => resolve();
        });
        key = (await get())!;
      }
      db.close();
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(token)));
      const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
      const { settings } = await chrome.storage.local.get('settings');
      await chrome.storage.local.set({
        'secret:relayToken': { iv: b64(iv), data: b64(data) },
        settings: { ...(settings ?? {}), relayUrl },
      });
    },
    { relayUrl, token },
  );
}

/** Sends a message to the background from the extension's own popup page (a trusted sender). */
export async function sendFromPopup<T = unknown>(context: BrowserContext, type: string, payload: unknown): Promise<T> {
  const page = await context.newPage();
  try {
    await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    const reply = (await page.evaluate(([t, p]) => chrome.runtime.sendMessage({ type: t, payload: p }), [type, payload] as const)) as {
      ok: boolean;
      data?: T;
      error?: { message: string };
    };
    if (!reply.ok) throw new Error(`${type}: ${reply.error?.message}`);
    return reply.data as T;
  } finally {
    await page.close();
  }
}
