import { i18n } from '#i18n';
import { SendwayError } from '../../shared/messages/define';
import type { RelayStatus } from '../../shared/messages/relay';
import { send } from '../lib/messaging';

/**
 * What the rep typed as the relay address, as a clean base URL: https:// is
 * added when no scheme was typed, and anything but http(s), or a URL with a
 * login, query or fragment, is refused. Returns null when it is not usable.
 */
export function normalizeRelayUrl(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.search || url.hash || !url.hostname) return null;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * True for a plain-http relay anywhere but this computer: the token would
 * cross the network in the clear (and the extension only asks for http
 * access to localhost and 127.0.0.1 anyway).
 */
export function isInsecureRelayUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

/**
 * Connects to the relay. The host permission for the relay's origin is
 * requested first, while the click that called this still counts as a user
 * gesture (any await before it would lose the gesture); the background then
 * checks the token with the relay and keeps it.
 */
export async function connectRelay(url: string, token: string, managed: boolean): Promise<RelayStatus> {
  const origin = new URL(url).origin;
  let granted: boolean;
  try {
    granted = await browser.permissions.request({ origins: [`${origin}/*`] });
  } catch (error) {
    throw new SendwayError('permission_failed', i18n.t('popup.errors.permissionFailed', [String((error as Error)?.message ?? error)]), 'relayUrl');
  }
  if (!granted) throw new SendwayError('permission_denied', i18n.t('popup.relay.permissionDenied', [new URL(url).host]), 'relayUrl');
  return send('relay.connect', { ...(managed ? {} : { relayUrl: url }), token: token.trim() });
}

/** Opens the options page, optionally at a section (#outbox, #channels…). */
export async function openOptions(section?: string): Promise<void> {
  const url = browser.runtime.getURL(`/options.html${section ? `#${section}` : ''}`);
  await browser.tabs.create({ url });
  window.close();
}

/** An error's message as the rep should read it (SendwayErrors are already phrased for them). */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
