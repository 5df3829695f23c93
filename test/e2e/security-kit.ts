import type { CDPSession, Page } from 'playwright-core';
import { expect } from 'vitest';
import { EXTENSION_ID, type ExtensionBrowser } from '../helpers/chromium';
import { ask, grantRelayOrigin, openPopup } from './popup.kit';

/** Helpers for the security-*.test.ts browser suites. */

/**
 * Connects the extension to a relay the way a rep does in the popup (host
 * permission for the relay's origin, URL + token, Connect) and makes the
 * relay channel named `channelName` the active one.
 */
export async function connectRelayInPopup(browser: ExtensionBrowser, relayUrl: string, token: string, channelName: string): Promise<string> {
  await grantRelayOrigin(browser, relayUrl);
  const popup = await openPopup(browser);
  try {
    await popup.getByTestId('provider-smtp').click();
    await popup.getByTestId('relay-url').fill(relayUrl);
    await popup.getByTestId('relay-token').fill(token);
    await popup.getByTestId('relay-connect').click();
    await popup.getByText('Step 2 of 2').waitFor();
    expect(await ask<{ connected: boolean }>(popup, 'relay.status', {})).toMatchObject({ connected: true });
    const { channels } = await ask<{ channels: { id: string; name: string }[] }>(popup, 'channels.list', {});
    const channel = channels.find((c) => c.name === channelName);
    if (!channel) throw new Error(`relay channel ${channelName} not listed: ${JSON.stringify(channels)}`);
    await ask(popup, 'channels.setActive', { channelId: channel.id });
    return channel.id;
  } finally {
    await popup.close();
  }
}

/** Evaluates `expression` in the Sendway content script's isolated world of `page`. */
export async function inContentScript(page: Page): Promise<{ run<T>(expression: string): Promise<T>; cdp: CDPSession }> {
  const cdp = await page.context().newCDPSession(page);
  const contexts: { id: number; name: string; origin: string; auxData?: { type?: string; isDefault?: boolean } }[] = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const deadline = Date.now() + 10_000;
  let ctx: (typeof contexts)[number] | undefined;
  while (!(ctx = contexts.find((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${EXTENSION_ID}`))) {
    if (Date.now() > deadline) throw new Error(`no Sendway content-script world among ${JSON.stringify(contexts.map((c) => [c.name, c.origin, c.auxData?.type]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const contextId = ctx.id;
  return {
    cdp,
    async run<T>(expression: string): Promise<T> {
      const r = await cdp.send('Runtime.evaluate', { expression, contextId, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) throw new Error(`content-script evaluation threw: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value as T;
    },
  };
}
