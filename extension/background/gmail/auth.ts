import { SendwayError } from '../../../shared/messages';
import { scopesFor, type GmailConfig } from './config';
import { buildAuthorizeUrl, OAuthError, parseRedirect, randomToken, renewAt, type GrantedToken } from './oauth';
import { say } from './text';
import { AccountStore, TokenStore, type AccountInfo, type StoredToken } from './token-store';

export interface WebAuthFlowDetails {
  url: string;
  interactive: boolean;
  /** Chrome 113+: let a non-interactive flow follow script redirects for a while instead of failing on first load. */
  abortOnLoadForNonInteractive?: boolean;
  timeoutMsForNonInteractive?: number;
}

export interface AuthDeps {
  launchWebAuthFlow: (details: WebAuthFlowDetails) => Promise<string | undefined>;
  redirectUrl: () => string;
  fetch: typeof fetch;
  now: () => number;
  config: () => Promise<GmailConfig>;
  tokens?: TokenStore;
  accounts?: AccountStore;
}

/** The rep has to act (connect or sign in again); every send path turns this into needsSignIn. */
export class SignInRequired extends SendwayError {
  constructor(message: string) {
    super('needs_sign_in', message);
  }
}

/**
 * Google sign-in and the access token's life: interactive connect, silent
 * renewal ahead of expiry, one silent retry after a 401, then asking the rep.
 */
export class GmailAuth {
  private readonly tokens: TokenStore;
  private readonly accounts: AccountStore;
  /** One renewal at a time; concurrent sends share it. */
  private renewing: Promise<StoredToken> | undefined;

  constructor(private readonly deps: AuthDeps) {
    this.tokens = deps.tokens ?? new TokenStore();
    this.accounts = deps.accounts ?? new AccountStore();
  }

  account(): Promise<AccountInfo | undefined> {
    return this.accounts.get();
  }

  /** Opens Google's consent window. Resolves with the connected account. */
  async connect(): Promise<AccountInfo> {
    const config = await this.deps.config();
    if (!config.clientId) throw new SendwayError('not_configured', say('gmail.errors.notConfigured'));
    if (!config.allowed) throw new SendwayError('not_allowed', say('gmail.errors.notAllowed'));
    const previous = await this.accounts.get();
    const granted = await this.authorize(config, { interactive: true, scopes: scopesFor(config) }).catch((error) => {
      throw toSendwayError(error);
    });
    if (previous && previous.email !== granted.email) await this.revokeQuietly(config, (await this.tokens.get())?.accessToken);
    const account: AccountInfo = {
      email: granted.email,
      ...(granted.hostedDomain ? { hostedDomain: granted.hostedDomain } : {}),
      scopes: granted.scopes,
      connectedAt: this.deps.now(),
      needsSignIn: false,
    };
    await this.tokens.set(toStored(granted));
    await this.accounts.set(account);
    return account;
  }

  /** A token good for the next request: renewed silently when it is about to expire. */
  async accessToken(): Promise<string> {
    const account = await this.accounts.get();
    if (!account) throw new SignInRequired(say('gmail.errors.signedOut'));
    if (account.needsSignIn) throw new SignInRequired(say('gmail.errors.needsSignIn'));
    const token = await this.tokens.get();
    if (token && token.email === account.email && this.deps.now() < renewAt(token)) return token.accessToken;
    return (await this.renewSilently(account)).accessToken;
  }

  /** Gmail said 401: the token is dead whatever its expiry said. One silent renewal, then the rep is asked. */
  async renewAfterUnauthorized(rejectedToken: string): Promise<string> {
    const account = await this.accounts.get();
    if (!account) throw new SignInRequired(say('gmail.errors.signedOut'));
    const current = await this.tokens.get();
    // Another send may already have renewed it.
    if (current && current.accessToken !== rejectedToken && this.deps.now() < renewAt(current)) return current.accessToken;
    await this.tokens.clear();
    return (await this.renewSilently(account)).accessToken;
  }

  /** The token was renewed and Gmail still refuses it (or it lacks the scope): stop and ask the rep. */
  async requireSignIn(): Promise<SignInRequired> {
    const account = await this.accounts.get();
    if (account) await this.accounts.set({ ...account, needsSignIn: true });
    await this.tokens.clear();
    return new SignInRequired(say('gmail.errors.needsSignIn'));
  }

  /** Signs out: revokes the grant at Google, then forgets the token and account. */
  async disconnect(): Promise<{ revoked: boolean }> {
    const config = await this.deps.config();
    const token = await this.tokens.get();
    const revoked = token ? await this.revokeQuietly(config, token.accessToken) : true;
    await this.tokens.clear();
    await this.accounts.clear();
    return { revoked };
  }

  private renewSilently(account: AccountInfo): Promise<StoredToken> {
    this.renewing ??= (async () => {
      try {
        const config = await this.deps.config();
        if (!config.clientId) throw new SignInRequired(say('gmail.errors.notConfigured'));
        const granted = await this.authorize(config, { interactive: false, scopes: account.scopes, loginHint: account.email });
        // Never switch accounts behind the rep's back.
        if (granted.email !== account.email) throw new OAuthError('wrong_account', granted.email);
        const stored = toStored(granted);
        await this.tokens.set(stored);
        return stored;
      } catch (error) {
        if (error instanceof SignInRequired) throw error;
        const message = error instanceof Error ? error.message : String(error);
        console.warn('[sendway] silent Google renewal failed:', message);
        // Google could not be reached: nothing the rep must do, try again later.
        if (error instanceof OAuthError && error.code === 'invalid_response' && /could not be loaded|network|timed? ?out/i.test(message)) {
          throw new SendwayError('auth_unreachable', say('gmail.errors.authUnreachable'));
        }
        throw await this.requireSignIn();
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  private async authorize(
    config: GmailConfig,
    o: { interactive: boolean; scopes: string[]; loginHint?: string },
  ): Promise<GrantedToken> {
    const state = randomToken();
    const nonce = randomToken();
    const url = buildAuthorizeUrl({
      authUrl: config.authUrl,
      clientId: config.clientId!,
      redirectUri: this.deps.redirectUrl(),
      scopes: o.scopes,
      state,
      nonce,
      prompt: o.interactive ? 'select_account' : 'none',
      ...(o.loginHint ? { loginHint: o.loginHint } : {}),
    });
    let redirected: string | undefined;
    try {
      redirected = await this.deps.launchWebAuthFlow(
        o.interactive
          ? { url, interactive: true }
          : { url, interactive: false, abortOnLoadForNonInteractive: false, timeoutMsForNonInteractive: 10_000 },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Chrome: "The user did not approve access." when the window is closed.
      if (/did not approve|user cancel|closed/i.test(message)) throw new OAuthError('cancelled', message);
      if (/interaction required/i.test(message)) throw new OAuthError('interaction_required', message);
      throw new OAuthError('invalid_response', message);
    }
    if (!redirected) throw new OAuthError('cancelled', 'no redirect');
    return parseRedirect(redirected, { state, nonce, clientId: config.clientId!, now: this.deps.now() });
  }

  private async revokeQuietly(config: GmailConfig, accessToken: string | undefined): Promise<boolean> {
    if (!accessToken) return true;
    try {
      const response = await this.deps.fetch(config.revokeUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: accessToken }).toString(),
      });
      // 400 invalid_token: already expired or revoked, which is what we wanted.
      return response.ok || response.status === 400;
    } catch (error) {
      console.warn('[sendway] could not reach Google to revoke:', error instanceof Error ? error.message : error);
      return false;
    }
  }
}

function toStored(granted: GrantedToken): StoredToken {
  return {
    accessToken: granted.accessToken,
    obtainedAt: granted.obtainedAt,
    expiresAt: granted.expiresAt,
    scopes: granted.scopes,
    email: granted.email,
  };
}

/** Connect errors in words a rep understands. */
export function toSendwayError(error: unknown): SendwayError {
  if (error instanceof SendwayError) return error;
  if (error instanceof OAuthError) {
    switch (error.code) {
      case 'cancelled':
        return new SendwayError('cancelled', say('gmail.errors.cancelled'));
      case 'access_denied':
        return new SendwayError('access_denied', say('gmail.errors.accessDenied'));
      case 'scope_missing':
        return new SendwayError('scope_missing', say('gmail.errors.scopeMissing'));
      default:
        return new SendwayError('auth_failed', say('gmail.errors.authFailed', [error.message]));
    }
  }
  return new SendwayError('auth_failed', say('gmail.errors.authFailed', [error instanceof Error ? error.message : String(error)]));
}
