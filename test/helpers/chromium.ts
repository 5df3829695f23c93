import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';

export const EXTENSION_ID = 'odbmceaebecihlmjdpgmbmagceiihbmh';
export const CHROME_BUILD = path.resolve(process.env.SENDWAY_OUT_DIR || '.output', 'chrome-mv3');

export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(candidate)) {
    throw new Error(
      `Chromium not found at ${candidate}. Browser tests need it: run "apt-get install -y chromium" (Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return candidate;
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  userDataDir: string;
  close(): Promise<void>;
}

/** Starts Chromium with the built extension loaded, the way the brief says works here. */
export async function launchWithExtension(
  extensionDir = CHROME_BUILD,
  /** Extra Chromium switches, e.g. ['--lang=nl'] for the Dutch UI. */
  options: { args?: string[] } = {},
): Promise<ExtensionBrowser> {
  if (!fs.existsSync(path.join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension at ${extensionDir}: run "npm run build" first.`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.args ?? []),
    ],
  });
  let worker = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`));
  worker ??= await context.waitForEvent('serviceworker', {
    predicate: (w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`),
    timeout: 20_000,
  });
  return {
    context,
    extensionId: EXTENSION_ID,
    worker,
    userDataDir,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The CSP Gmail sends: any HTML string assigned to a DOM sink throws. */
export const TRUSTED_TYPES_CSP = "require-trusted-types-for 'script'";

/**
 * Serves a fixture file at a real webmail URL. Content scripts run there as in
 * production because Chromium believes it is on that host.
 */
export async function serveFixture(
  context: BrowserContext,
  urlPattern: string,
  fixture: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const body = fs.readFileSync(path.resolve('test/fixtures', fixture), 'utf8');
  await context.route(urlPattern, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers, body }),
  );
}
