/**
 * Sidebar cost in Chromium with the built extension:
 * - time from a compose appearing in the page to its Sendway sidebar being
 *   ready (React committed in its shadow root), p50/p95 over 50 composes,
 *   in the Gmail and the Outlook fixture;
 * - the content scripts' size, raw and gzip (level 9).
 * Prints one JSON object. Needs a Chrome build in $SENDWAY_OUT_DIR (or .output).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { CHROME_BUILD, launchWithExtension, TRUSTED_TYPES_CSP } from '../test/helpers/chromium';
import { readFixture } from '../extension/compose/testing/fixture';
import { percentile, round } from './stats';

const RUNS = Number(process.env.BENCH_COMPOSES ?? 50);

function summary(samples: number[]) {
  const at = (p: number) => round(percentile(samples, p), 1);
  return { n: samples.length, p50: at(50), p95: at(95), max: at(100) };
}

/** Opens `RUNS` composes one after the other and times each until its sidebar host says it is ready. */
async function timeComposes(page: Page, fixtureGlobal: 'gmailFixture' | 'outlookFixture', runs: number): Promise<number[]> {
  return page.evaluate(
    async ({ runs, fixtureGlobal }) => {
      const fixture = (window as unknown as Record<string, { open(o: object): string; remove(id: string, why: string): void }>)[fixtureGlobal]!;
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const sample = await new Promise<number>((resolve, reject) => {
          let id = '';
          const started = performance.now();
          const observer = new MutationObserver(() => {
            const host = document.querySelector(`[data-fixture-compose="${id}"] [data-sendway-sidebar][data-sendway-ready]`);
            if (host) {
              observer.disconnect();
              resolve(performance.now() - started);
            }
          });
          observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-sendway-ready'] });
          setTimeout(() => reject(new Error(`no sidebar for compose ${i} after 10 s`)), 10_000);
          id = fixture.open({
            staged: false,
            to: [
              { name: 'Jane Doe', address: `jane${i}@acme-corp.com` },
              { name: '', address: `kim${i}@globex.io` },
            ],
            subject: `Bench ${i}`,
            body: 'Hello',
          });
        });
        samples.push(sample);
        const open = document.querySelectorAll('[data-fixture-compose]');
        for (const node of open) fixture.remove(node.getAttribute('data-fixture-compose')!, 'bench');
        // Let the removal settle (the watcher's grace period) before the next compose.
        await new Promise((r) => setTimeout(r, 500));
      }
      return samples;
    },
    { runs, fixtureGlobal },
  );
}

async function main() {
  const browser = await launchWithExtension();
  try {
    const results: Record<string, ReturnType<typeof summary>> = {};
    for (const [webmail, url, fixtureGlobal] of [
      ['gmail', 'https://mail.google.com/mail/u/0/?empty=1', 'gmailFixture'],
      ['outlook', 'https://outlook.office.com/mail/?empty=1', 'outlookFixture'],
    ] as const) {
      const body = readFixture(`${webmail}/current.html`);
      const pattern = webmail === 'gmail' ? 'https://mail.google.com/**' : 'https://outlook.office.com/**';
      const headers: Record<string, string> = webmail === 'gmail' ? { 'content-security-policy': TRUSTED_TYPES_CSP } : {};
      await browser.context.route(pattern, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers, body }));
      const page = await browser.context.newPage();
      await page.goto(url);
      // Outlook's fixture opens its reply pane even with ?empty=1; start from a page without composes.
      await page.evaluate((g) => {
        const f = (window as unknown as Record<string, { remove(id: string, why: string): void }>)[g]!;
        for (const node of document.querySelectorAll('[data-fixture-compose]')) f.remove(node.getAttribute('data-fixture-compose')!, 'bench');
      }, fixtureGlobal);
      await page.waitForTimeout(1_000);
      // One warm-up compose (first React render, first shadow root) is not counted.
      const [, ...samples] = await timeComposes(page, fixtureGlobal, RUNS + 1);
      results[webmail] = summary(samples);
      await page.close();
    }
    const size = (name: string) => {
      const buf = fs.readFileSync(path.join(CHROME_BUILD, 'content-scripts', `${name}.js`));
      return { raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
    };
    console.log(
      JSON.stringify(
        {
          composeToSidebarReadyMs: results,
          contentScriptBytes: { gmail: size('gmail'), outlook: size('outlook') },
          targetP95Ms: 100,
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
  }
}

await main();
