import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_BUILD, EXTENSION_ID, type ExtensionBrowser } from '../helpers/chromium';
import { extensionIdFor, packCrx, serveUpdates, type PackedCrx, type UpdateServer } from '../helpers/crx';
import { launchManaged, waitForManagedPolicy } from '../helpers/managed-browser';
import { canWritePolicy, writePolicy } from '../helpers/policy';
import { startRelay, type RunningRelay } from '../helpers/relay';
import { ask, closeClean, openPopup } from './popup.kit';

/**
 * A company rollout, end to end in Debian's Chromium: the built extension is
 * packed into a signed CRX3, served with a gupdate manifest from an intranet
 * server on 127.0.0.1, and installed ONLY through machine policy
 * (ExtensionInstallForcelist, then ExtensionSettings, in
 * /etc/chromium/policies/managed/) with its settings in the same file under
 * "3rdparty". Chromium is started without
 * --load-extension. The rep then finds the relay address, the default
 * channel and the lock already set, and has nothing to enter but their own
 * relay token.
 */
const writable = canWritePolicy();
if (!writable.ok) console.warn(`[force-install tests skipped] ${writable.reason}`);

const SHOTS = path.resolve('test-results/force-install');
const POLICY_FILE = 'sendway-force-install.json';

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** The form controls a rep could type into or change right now, by test id (or name). */
function editableControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input, textarea, select')]
      .filter((el) => el.getClientRects().length > 0 && !el.disabled && !(el as HTMLInputElement).readOnly && (el as HTMLInputElement).type !== 'hidden')
      .map((el) => el.dataset.testid ?? el.name ?? el.id),
  );
}

describe.skipIf(!writable.ok)('force-installed by enterprise policy', () => {
  let crx: PackedCrx;
  let updates: UpdateServer;
  let relay: RunningRelay;
  let settings: Record<string, unknown>;
  let removePolicy: (() => void) | undefined;
  let browser: ExtensionBrowser | undefined;

  beforeAll(async () => {
    crx = packCrx(CHROME_BUILD);
    updates = await serveUpdates(crx);
    relay = await startRelay();
    settings = {
      relayUrl: relay.url,
      defaultChannel: 'office365',
      allowedChannels: ['office365', 'smtp'],
      lockSettings: true,
      limits: { office365: { perMinute: 20 } },
      microsoftTenant: 'contoso.onmicrosoft.com',
    };
    // One file, as an admin deploys it: install the extension, let it be inspected (see
    // managed-browser.ts), and configure it.
    removePolicy = writePolicy(
      {
        ExtensionInstallForcelist: [`${crx.id};${updates.updateUrl}`],
        DeveloperToolsAvailability: 1,
        '3rdparty': { extensions: { [crx.id]: settings } },
      },
      POLICY_FILE,
    );
  });

  afterAll(async () => {
    await browser?.close();
    removePolicy?.();
    await updates?.close();
    crx?.dispose();
    await relay?.stop();
  });

  it('computes extension ids as Chromium does (the pinned development key gives the pinned id)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(CHROME_BUILD, 'manifest.json'), 'utf8')) as { key: string };
    expect(extensionIdFor(Buffer.from(manifest.key, 'base64'))).toBe(EXTENSION_ID);
  });

  it('installs from the policy update URL (no --load-extension) and reads its settings through chrome.storage.managed', async () => {
    browser = await launchManaged(crx.id);
    // Chromium fetched the update manifest for a policy install, then the CRX, from our server.
    const manifestRequest = updates.requests.find((r) => r.startsWith('/updates.xml?'));
    expect(manifestRequest).toBeDefined();
    expect(decodeURIComponent(manifestRequest!)).toContain(`id=${crx.id}`);
    expect(decodeURIComponent(manifestRequest!)).toContain('installedby=policy');
    expect(updates.requests).toContain('/sendway.crx');

    expect(await waitForManagedPolicy(browser.worker)).toEqual(settings);
    const self = await browser.worker.evaluate(() => chrome.management.getSelf());
    // "admin": installed by policy; the rep cannot disable or remove it.
    expect(self).toMatchObject({ id: crx.id, installType: 'admin', mayDisable: false, enabled: true });
  });

  it('starts with the relay URL, default channel and lock set: nothing for the rep to enter but their relay token', async () => {
    expect(browser, 'needs the install from the previous test').toBeDefined();
    const b = browser!;
    const page = await openPopup(b);
    await page.getByTestId('welcome').waitFor();
    // Only the services the organisation allows, with its default channel marked as the one to pick.
    expect(await page.getByTestId('provider-office365').count()).toBe(1);
    expect(await page.getByTestId('provider-smtp').count()).toBe(1);
    for (const kind of ['gmail', 'sparkpost', 'sendgrid']) expect(await page.getByTestId(`provider-${kind}`).count()).toBe(0);
    expect(await page.getByTestId('provider-office365').getAttribute('class')).toContain('provider-suggested');
    expect(await page.getByTestId('provider-smtp').getAttribute('class')).not.toContain('provider-suggested');
    expect(await editableControls(page)).toEqual([]);
    await shot(page, 'en-1-welcome');

    await page.getByTestId('provider-office365').click();
    const url = page.getByTestId('relay-url');
    await url.waitFor();
    expect(await url.inputValue()).toBe(relay.url);
    expect(await url.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByText('Set by your organization').isVisible()).toBe(true);
    // Typing into the locked field changes nothing.
    await url.focus();
    await page.keyboard.type('https://elsewhere.example.com');
    await page.keyboard.press('Backspace');
    expect(await url.inputValue()).toBe(relay.url);
    // The one thing left to fill in is the rep's own relay token.
    expect(await editableControls(page)).toEqual(['relay-token']);
    await shot(page, 'en-2-relay-locked');

    // Nor can the rep (or anything on an extension page) change locked values behind the UI.
    await expect(ask(page, 'settings.update', { relayUrl: 'https://elsewhere.example.com' })).rejects.toThrow(/locked: relayUrl is set by your organization/);
    await expect(ask(page, 'settings.update', { defaultChannel: 'smtp' })).rejects.toThrow(/locked: defaultChannel is set by your organization/);
    const effective = await ask<{ values: Record<string, unknown>; managedKeys: string[]; locked: boolean }>(page, 'settings.get', {});
    expect(effective.locked).toBe(true);
    expect(effective.values).toMatchObject({ relayUrl: relay.url, defaultChannel: 'office365', allowedChannels: ['office365', 'smtp'] });
    expect([...effective.managedKeys].sort()).toEqual(Object.keys(settings).sort());

    // Connect: the next and only other thing is the browser's own prompt to let Sendway reach
    // the company relay (a click on Allow, nothing to type). A force-installed extension's site
    // access cannot be granted from chrome://extensions (Chromium: "Cannot change host
    // permissions for the given extension"), and headless Chromium shows that prompt where no
    // test can click it, so this is as far as a policy-installed popup can be driven here;
    // popup-policy.test.ts runs the connect itself with the same policy on a loaded build.
    await page.getByTestId('relay-token').fill(await relay.createToken('rep@example.com'));
    await page.getByTestId('relay-connect').click();
    await page.getByText(`Choose Allow in the browser's prompt so Sendway can reach ${new URL(relay.url).host}.`).waitFor();
    expect(await page.getByTestId('relay-url').inputValue()).toBe(relay.url);
    await shot(page, 'en-3-connect-prompt');
    await page.close();

    // The options page says what the organisation set, and that it is locked.
    const options = await openPopup(b, 'options.html');
    const table = options.getByTestId('policy-table');
    await table.waitFor();
    expect(await options.getByText('Your organization has locked these settings').isVisible()).toBe(true);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toContainEqual(['relayUrl', relay.url]);
    expect(rows).toContainEqual(['defaultChannel', 'office365']);
    expect(rows).toContainEqual(['lockSettings', 'true']);
    await options.setViewportSize({ width: 900, height: 900 });
    await options.locator('#policy').scrollIntoViewIfNeeded();
    await shot(options, 'en-4-options-policy');
    await closeClean(options);
  });

  it('installs the same way through ExtensionSettings (force_installed + update_url), and shows the locked start in Dutch', async () => {
    await browser?.close();
    browser = undefined;
    // The newer form admins use for Chrome and Edge: one ExtensionSettings entry per extension.
    removePolicy?.();
    removePolicy = writePolicy(
      {
        ExtensionSettings: { [crx.id]: { installation_mode: 'force_installed', update_url: updates.updateUrl, toolbar_pin: 'force_pinned' } },
        DeveloperToolsAvailability: 1,
        '3rdparty': { extensions: { [crx.id]: settings } },
      },
      POLICY_FILE,
    );
    updates.requests.length = 0;
    browser = await launchManaged(crx.id, { args: ['--lang=nl'] });
    expect(updates.requests).toContain('/sendway.crx');
    expect(await waitForManagedPolicy(browser.worker)).toEqual(settings);
    expect(await browser.worker.evaluate(() => chrome.management.getSelf())).toMatchObject({ installType: 'admin', mayDisable: false });
    const page = await openPopup(browser);
    await page.getByTestId('welcome').waitFor();
    expect(await page.getByTestId('provider-office365').getAttribute('class')).toContain('provider-suggested');
    await shot(page, 'nl-1-welcome');
    await page.getByTestId('provider-office365').click();
    const url = page.getByTestId('relay-url');
    await url.waitFor();
    expect(await url.inputValue()).toBe(relay.url);
    expect(await url.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByText('Ingesteld door je organisatie').isVisible()).toBe(true);
    expect(await editableControls(page)).toEqual(['relay-token']);
    await shot(page, 'nl-2-relay-locked');
    await closeClean(page);
  });
});
