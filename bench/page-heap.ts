/**
 * JS heap of a Gmail page (the current-DOM fixture with its composes open)
 * with and without Sendway loaded, measured after a forced GC through the
 * DevTools protocol. Content scripts share the page's V8 isolate, so their
 * heap shows up in the page's numbers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROME_BUILD, chromiumPath, launchWithExtension, TRUSTED_TYPES_CSP } from '../test/helpers/chromium';
import { median } from './stats';

const FIXTURE = fs.readFileSync(path.resolve('test/fixtures/gmail/current.html'), 'utf8');

async function heapOf(context: BrowserContext): Promise<number> {
  await context.route('https://mail.google.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': TRUSTED_TYPES_CSP }, body: FIXTURE }),
  );
  const page = await context.newPage();
  await page.goto('https://mail.google.com/mail/u/0/');
  await page.waitForTimeout(3_000);
  const cdp = await context.newCDPSession(page);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    samples.push((await cdp.send('Runtime.getHeapUsage')).usedSize);
    await page.waitForTimeout(300);
  }
  await page.close();
  return median(samples);
}

export async function measurePageHeap(): Promise<{ withExtensionBytes: number; withoutExtensionBytes: number; extensionBytes: number }> {
  const withExt = await launchWithExtension(CHROME_BUILD);
  let withExtensionBytes: number;
  try {
    withExtensionBytes = await heapOf(withExt.context);
  } finally {
    await withExt.close();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-noext-'));
  const plain = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let withoutExtensionBytes: number;
  try {
    withoutExtensionBytes = await heapOf(plain);
  } finally {
    await plain.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { withExtensionBytes, withoutExtensionBytes, extensionBytes: withExtensionBytes - withoutExtensionBytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measurePageHeap(), null, 2));
}
