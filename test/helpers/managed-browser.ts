import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Worker } from 'playwright-core';
import { chromiumPath, type ExtensionBrowser } from './chromium';

/**
 * Starts Chromium with NO extension on the command line: whatever extension
 * it runs must arrive through machine policy (ExtensionInstallForcelist or
 * ExtensionSettings), exactly as on a managed company laptop. Resolves once
 * the force-installed extension's service worker runs.
 *
 * Two of Playwright's default switches would stop that, so they are dropped:
 * --disable-extensions (no extensions at all) and
 * --disable-background-networking (Chromium then never asks the policy's
 * update URL for the extension; measured: zero requests reach the server).
 *
 * The policy must also set DeveloperToolsAvailability to 1: Chromium's
 * default (0) forbids DevTools, and so the DevTools protocol Playwright
 * drives, on force-installed extensions. Their pages then close the instant
 * a test navigates to them and their service worker stays invisible.
 */
export async function launchManaged(extensionId: string, options: { args?: string[]; timeoutMs?: number } = {}): Promise<ExtensionBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-managed-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions', '--disable-background-networking'],
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync', ...(options.args ?? [])],
  });
  const close = async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    const mine = (w: Worker) => w.url().startsWith(`chrome-extension://${extensionId}/`);
    const worker =
      context.serviceWorkers().find(mine) ??
      (await context.waitForEvent('serviceworker', { predicate: mine, timeout: options.timeoutMs ?? 45_000 }));
    return { context, extensionId, worker, userDataDir, close };
  } catch (error) {
    // Say what Chromium made of the policy: chrome://policy lists errors per policy.
    const page = await context.newPage().catch(() => undefined);
    let policies = '';
    if (page) {
      await page.goto('chrome://policy').catch(() => undefined);
      policies = await page.locator('body').innerText().catch(() => '');
    }
    await close();
    throw new Error(`${extensionId} was not force-installed: ${(error as Error).message}\nchrome://policy says:\n${policies.slice(0, 4000)}`);
  }
}

/**
 * Chromium hands a freshly force-installed extension its "3rdparty" policy
 * a few seconds after installing it (the schema is registered first; about
 * 3 s here). Resolves with chrome.storage.managed once it is there.
 */
export async function waitForManagedPolicy(worker: Worker, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const managed = (await worker.evaluate(() => chrome.storage.managed.get(null))) as Record<string, unknown>;
    if (Object.keys(managed).length > 0) return managed;
    if (Date.now() > deadline) throw new Error(`chrome.storage.managed stayed empty for ${timeoutMs} ms after install`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
