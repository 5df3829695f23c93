import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { EXTENSION_ID, type ExtensionBrowser } from '../helpers/chromium';

/** Where the popup's screenshots go (look at them: they are the UI a new rep sees). */
export const SHOTS = path.resolve('test-results/popup');

/**
 * Grants the relay's origin the way a person does in Chromium's own UI
 * (chrome://extensions → Sendway → Site access → "Add a site"), which is the
 * developerPrivate.addHostPermission call that page makes.
 *
 * Why: chrome.permissions.request from the popup opens a browser dialog,
 * and headless Chromium shows it where no test can click it, so the request
 * stays pending forever (it is not auto-denied; see "waits for the browser's
 * permission prompt" in popup.test.ts). Once the origin is granted, the same
 * request called from the real Connect button resolves true at once, so the
 * popup's whole code path still runs.
 */
export async function grantRelayOrigin(browser: ExtensionBrowser, relayUrl: string): Promise<void> {
  const page = await browser.context.newPage();
  try {
    await page.goto('chrome://extensions/');
    await page.evaluate(
      ([id, pattern]) =>
        (globalThis as unknown as { chrome: { developerPrivate: { addHostPermission(id: string, host: string): Promise<void> } } }).chrome.developerPrivate.addHostPermission(id!, pattern!),
      [EXTENSION_ID, `${new URL(relayUrl).origin}/*`],
    );
  } finally {
    await page.close();
  }
}

const pageErrors = new WeakMap<Page, string[]>();

/** The popup page at the size Chrome gives the popup (400 × 600). Uncaught errors on it are recorded. */
export async function openPopup(browser: ExtensionBrowser, page?: string): Promise<Page> {
  const tab = await browser.context.newPage();
  const errors: string[] = [];
  pageErrors.set(tab, errors);
  tab.on('pageerror', (e) => errors.push(`${e.message}\n${e.stack ?? ''}`));
  await tab.setViewportSize({ width: 400, height: 600 });
  // Gauges animate their width; screenshots should show where they end up.
  await tab.emulateMedia({ reducedMotion: 'reduce' });
  await tab.goto(`chrome-extension://${browser.extensionId}/${page ?? 'popup.html'}`);
  return tab;
}

export async function shot(page: Page, name: string, fullPage = false): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Sends a runtime message from an extension page, as the popup or a compose window would. */
export async function ask<T = unknown>(page: Page, type: string, payload: unknown): Promise<T> {
  const reply = await page.evaluate(([t, p]) => chrome.runtime.sendMessage({ type: t, payload: p }), [type, payload] as const);
  const r = reply as { ok: boolean; data?: T; error?: { code: string; message: string } };
  if (!r.ok) throw new Error(`${type} failed: ${r.error?.code}: ${r.error?.message}`);
  return r.data as T;
}

/** What the background keeps in chrome.storage (to prove no secret is stored in the clear). */
export async function storageDump(browser: ExtensionBrowser): Promise<string> {
  return browser.worker.evaluate(async () =>
    JSON.stringify({ local: await chrome.storage.local.get(null), sync: await chrome.storage.sync.get(null), session: await chrome.storage.session.get(null) }),
  );
}

/** Closes a page opened with openPopup, failing if anything on it threw. */
export async function closeClean(page: Page): Promise<void> {
  const errors = pageErrors.get(page) ?? [];
  await page.close();
  if (errors.length) throw new Error(`uncaught errors on ${page.url()}:\n${errors.join('\n')}`);
}
