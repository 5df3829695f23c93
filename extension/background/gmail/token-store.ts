import { deleteSecret, getSecret, setSecret } from '../vault';

const TOKEN_KEY = 'gmail.token';
const ACCOUNT_KEY = 'gmail.account';

/** The short-lived access token. Never in storage.local in the clear, never sent to a content script. */
export interface StoredToken {
  accessToken: string;
  obtainedAt: number;
  expiresAt: number;
  scopes: string[];
  email: string;
}

/** Who is connected: not secret (the popup shows it), kept across browser restarts. */
export interface AccountInfo {
  email: string;
  hostedDomain?: string;
  scopes: string[];
  connectedAt: number;
  /** Silent renewal failed: the rep must connect again. */
  needsSignIn: boolean;
}

/**
 * storage.session is memory-only and, in Chrome, closed to content scripts by
 * default: the right home for an access token. Where a browser lacks it the
 * token goes to the vault (AES-GCM ciphertext in storage.local).
 */
export class TokenStore {
  private session(): typeof browser.storage.session | undefined {
    const area = (browser.storage as { session?: typeof browser.storage.session }).session;
    return typeof area?.get === 'function' ? area : undefined;
  }

  async get(): Promise<StoredToken | undefined> {
    const session = this.session();
    const raw = session ? (await session.get(TOKEN_KEY))[TOKEN_KEY] : await getSecret(TOKEN_KEY).then((s) => (s ? JSON.parse(s) : undefined));
    return raw && typeof raw === 'object' && typeof (raw as StoredToken).accessToken === 'string' ? (raw as StoredToken) : undefined;
  }

  async set(token: StoredToken): Promise<void> {
    const session = this.session();
    if (session) await session.set({ [TOKEN_KEY]: token });
    else await setSecret(TOKEN_KEY, JSON.stringify(token));
  }

  async clear(): Promise<void> {
    const session = this.session();
    if (session) await session.remove(TOKEN_KEY);
    await deleteSecret(TOKEN_KEY);
  }
}

export class AccountStore {
  async get(): Promise<AccountInfo | undefined> {
    const raw = (await browser.storage.local.get(ACCOUNT_KEY))[ACCOUNT_KEY];
    return raw && typeof raw === 'object' && typeof (raw as AccountInfo).email === 'string' ? (raw as AccountInfo) : undefined;
  }

  async set(account: AccountInfo): Promise<void> {
    await browser.storage.local.set({ [ACCOUNT_KEY]: account });
  }

  async clear(): Promise<void> {
    await browser.storage.local.remove(ACCOUNT_KEY);
  }
}
