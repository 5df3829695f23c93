/**
 * Google sign-in for an extension, as pure functions.
 *
 * Why the implicit flow (response_type "token id_token") and not the
 * authorization code with PKCE: Google only lets a "Web application" OAuth
 * client redirect to https://<extension-id>.chromiumapp.org/, and for that
 * client type Google's token endpoint insists on the client secret even when
 * PKCE is used. A secret shipped inside an extension is public, so the code
 * flow would buy nothing but a leaked secret. The implicit flow needs no
 * secret and no token endpoint; it yields a one-hour access token and no
 * refresh token. Renewal is a silent `prompt=none` round trip through
 * identity.launchWebAuthFlow({interactive:false}) that succeeds while the rep
 * is signed in to Google in this browser (see auth.ts). The token never
 * leaves the background (storage.session, which content scripts cannot read).
 */
import { GMAIL_SEND_SCOPE } from './config';

export interface AuthorizeRequest {
  authUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string;
  nonce: string;
  /** 'none' for silent renewal; 'select_account' when the rep connects. */
  prompt: 'none' | 'select_account' | 'consent';
  loginHint?: string;
}

export function buildAuthorizeUrl(r: AuthorizeRequest): string {
  const url = new URL(r.authUrl);
  const params: Record<string, string> = {
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    response_type: 'token id_token',
    scope: r.scopes.join(' '),
    state: r.state,
    nonce: r.nonce,
    prompt: r.prompt,
    include_granted_scopes: 'true',
  };
  if (r.loginHint) params.login_hint = r.loginHint;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export type OAuthErrorCode =
  | 'cancelled'
  | 'access_denied'
  | 'interaction_required'
  | 'scope_missing'
  | 'state_mismatch'
  | 'invalid_response'
  | 'wrong_account';

export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}

export interface GrantedToken {
  accessToken: string;
  /** Milliseconds since epoch. */
  expiresAt: number;
  obtainedAt: number;
  scopes: string[];
  email: string;
  /** Google Workspace domain, absent for consumer accounts. */
  hostedDomain?: string;
}

/** Errors Google puts in the redirect fragment that mean "the rep has to act". */
const NEEDS_INTERACTION = new Set(['interaction_required', 'login_required', 'consent_required', 'account_selection_required']);

/**
 * Reads the redirect Google sent back (the token is in the fragment, so it
 * never reaches any server) and checks it belongs to this request.
 */
export function parseRedirect(
  redirected: string,
  expected: { state: string; nonce: string; clientId: string; now: number },
): GrantedToken {
  let url: URL;
  try {
    url = new URL(redirected);
  } catch {
    throw new OAuthError('invalid_response', 'The sign-in answer was not a URL');
  }
  // Google answers in the fragment; errors may come in the query string too.
  const params = new URLSearchParams(url.hash.replace(/^#/, ''));
  for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);

  if (params.get('state') !== expected.state) throw new OAuthError('state_mismatch', 'The sign-in answer does not match this request');
  const error = params.get('error');
  if (error) {
    if (error === 'access_denied') throw new OAuthError('access_denied', 'Access was not granted');
    if (NEEDS_INTERACTION.has(error)) throw new OAuthError('interaction_required', error);
    throw new OAuthError('invalid_response', params.get('error_description') || error);
  }
  const accessToken = params.get('access_token');
  const idToken = params.get('id_token');
  const expiresIn = Number(params.get('expires_in'));
  if (!accessToken || !idToken || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new OAuthError('invalid_response', 'The sign-in answer lacks a token');
  }
  const scopes = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
  // Google's granular consent lets the rep untick "send email": catch it here, not at the first send.
  if (!scopes.includes(GMAIL_SEND_SCOPE)) throw new OAuthError('scope_missing', 'Permission to send email was not granted');
  const claims = checkIdToken(decodeJwtPayload(idToken), expected);
  return {
    accessToken,
    obtainedAt: expected.now,
    expiresAt: expected.now + expiresIn * 1000,
    scopes,
    email: claims.email,
    ...(claims.hd ? { hostedDomain: claims.hd } : {}),
  };
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) throw new OAuthError('invalid_response', 'Malformed id_token');
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!payload || typeof payload !== 'object') throw new Error('not an object');
    return payload as Record<string, unknown>;
  } catch {
    throw new OAuthError('invalid_response', 'Malformed id_token');
  }
}

/**
 * The id_token arrives in the same redirect as the access token, straight from
 * the authorization endpoint over TLS, so we use it for the address to show
 * and skip signature verification (that would need Google's JWKS and buys
 * nothing here). What must hold is that it was minted for this request and
 * this client: nonce, audience, expiry.
 */
export function checkIdToken(
  claims: Record<string, unknown>,
  expected: { nonce: string; clientId: string; now: number },
): { email: string; hd?: string } {
  const aud = claims.aud;
  const audOk = aud === expected.clientId || (Array.isArray(aud) && aud.includes(expected.clientId));
  if (!audOk) throw new OAuthError('invalid_response', 'id_token was issued to another client');
  if (claims.nonce !== expected.nonce) throw new OAuthError('invalid_response', 'id_token nonce does not match');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < expected.now - 60_000) {
    throw new OAuthError('invalid_response', 'id_token has expired');
  }
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : '';
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new OAuthError('invalid_response', 'id_token carries no email address');
  if (claims.email_verified === false) throw new OAuthError('invalid_response', 'Google has not verified this address');
  return { email, ...(typeof claims.hd === 'string' && claims.hd ? { hd: claims.hd } : {}) };
}

/**
 * When to renew: ahead of expiry by a tenth of the lifetime, capped at five
 * minutes, so a send never starts with a token that dies mid-request.
 */
export function renewAt(token: Pick<GrantedToken, 'obtainedAt' | 'expiresAt'>): number {
  const lifetime = token.expiresAt - token.obtainedAt;
  return token.expiresAt - Math.min(5 * 60_000, Math.max(0, lifetime) / 10);
}

export function randomToken(bytes = 16): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}
