import { SendwayError } from '../../../shared/messages/define';
import type { RelayAccount } from '../../../shared/messages/relay';
import { getEffectiveSettings } from '../settings';
import { deleteSecret, getSecret, setSecret } from '../vault';
import { RelayClient, type FetchLike } from './client';
import { relayErrorText } from './error-text';

/** The vault name settings.ts reads for `hasRelayToken`. */
export const TOKEN_SECRET = 'relayToken';
/** Who the token belongs to, cached for the browser session (not a secret). */
const ACCOUNT_KEY = 'relay:account';

export interface RelayConnection {
  client: RelayClient;
  url: string;
}

let fetchOverride: FetchLike | undefined;

/** Lets unit tests route the relay client through an in-process app. */
export function setRelayFetchForTests(f: FetchLike | undefined): void {
  fetchOverride = f;
}

export function originOf(url: string): string {
  return new URL(url).origin;
}

/** The match pattern the popup requests and the background checks. */
export function originPattern(url: string): string {
  return `${originOf(url)}/*`;
}

export async function relayUrlSetting(): Promise<{ url: string | null; managed: boolean }> {
  const settings = await getEffectiveSettings();
  return { url: settings.values.relayUrl ?? null, managed: settings.managedKeys.includes('relayUrl') };
}

export function makeClient(url: string, token: string): RelayClient {
  return new RelayClient({ baseUrl: url, token, fetch: fetchOverride });
}

/** The relay as configured now, or null when the URL or the token is missing. */
export async function openConnection(): Promise<RelayConnection | null> {
  const [{ url }, token] = await Promise.all([relayUrlSetting(), getSecret(TOKEN_SECRET)]);
  if (!url || !token) return null;
  return { client: makeClient(url, token), url };
}

export async function requireConnection(): Promise<RelayConnection> {
  const conn = await openConnection();
  if (!conn) throw new SendwayError('relay_not_connected', relayErrorText('notConnected', []));
  return conn;
}

export async function hasOriginPermission(url: string): Promise<boolean> {
  try {
    return await browser.permissions.contains({ origins: [originPattern(url)] });
  } catch {
    return false;
  }
}

/** The token's owner; asks the relay once per browser session. */
export async function accountOf(conn: RelayConnection, signal?: AbortSignal): Promise<RelayAccount> {
  const cached = (await browser.storage.session.get(ACCOUNT_KEY))[ACCOUNT_KEY] as
    | (RelayAccount & { url: string })
    | undefined;
  if (cached && cached.url === conn.url) return { email: cached.email, admin: cached.admin };
  const me = await conn.client.me(signal);
  await rememberAccount(conn.url, me);
  return me;
}

export async function rememberAccount(url: string, me: RelayAccount): Promise<void> {
  await browser.storage.session.set({ [ACCOUNT_KEY]: { url, email: me.email, admin: me.admin } });
}

export async function storeToken(token: string): Promise<void> {
  await setSecret(TOKEN_SECRET, token);
}

export async function forgetToken(): Promise<void> {
  await Promise.all([deleteSecret(TOKEN_SECRET), browser.storage.session.remove(ACCOUNT_KEY)]);
}
