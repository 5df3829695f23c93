import { MICROSOFT_SCOPES } from '../../../shared/schemas/microsoft-oauth';

/**
 * The Microsoft identity platform's authorization-code flow with PKCE, as
 * pure functions. Unlike Google (see ../gmail/oauth.ts), Microsoft lets a
 * public client redeem a code with only the PKCE verifier, no secret, so the
 * extension never sees a token at all: it passes the code and the verifier
 * to the relay, which redeems them and keeps the refresh token.
 */
export interface AuthorizeRequest {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  /** select_account when connecting; unset for a reconnect with a login hint (one click while still signed in). */
  prompt?: 'select_account' | 'login' | 'consent';
  loginHint?: string;
}

export function buildAuthorizeUrl(r: AuthorizeRequest): string {
  const url = new URL(r.authorizeUrl);
  const params: Record<string, string> = {
    client_id: r.clientId,
    response_type: 'code',
    redirect_uri: r.redirectUri,
    response_mode: 'query',
    scope: MICROSOFT_SCOPES.join(' '),
    state: r.state,
    code_challenge: r.codeChallenge,
    code_challenge_method: 'S256',
  };
  if (r.prompt) params.prompt = r.prompt;
  if (r.loginHint) params.login_hint = r.loginHint;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export type MicrosoftAuthErrorCode =
  /** The window was closed. */
  | 'cancelled'
  /** The rep pressed Cancel / declined. */
  | 'access_denied'
  /** An administrator has to approve the app (or MFA / Conditional Access wants more). */
  | 'consent_required'
  /** Microsoft says the app registration or the request is wrong: an admin matter. */
  | 'misconfigured'
  | 'state_mismatch'
  | 'invalid_response';

export class MicrosoftAuthError extends Error {
  constructor(
    readonly code: MicrosoftAuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MicrosoftAuthError';
  }
}

const CONSENT = new Set(['consent_required', 'interaction_required', 'login_required']);
const MISCONFIGURED = new Set(['invalid_request', 'unauthorized_client', 'invalid_client', 'invalid_scope', 'unsupported_response_type', 'server_error', 'temporarily_unavailable']);

/** First line of Microsoft's error_description, without trace/correlation ids. */
function describe(p: URLSearchParams): string {
  return (p.get('error_description') ?? '').split(/\r?\n/)[0]!.replace(/\s*Trace ID:.*$/i, '').slice(0, 300);
}

/** Reads the redirect (https://<id>.chromiumapp.org/?code=…&state=…) and checks it answers this request. */
export function parseCodeRedirect(redirected: string, expectedState: string): string {
  let url: URL;
  try {
    url = new URL(redirected);
  } catch {
    throw new MicrosoftAuthError('invalid_response', 'The sign-in answer was not a URL');
  }
  const p = url.searchParams;
  // response_mode=query: everything is in the query; a fragment answer would mean a misbehaving proxy.
  if (!p.has('state') && url.hash) for (const [k, v] of new URLSearchParams(url.hash.slice(1))) p.set(k, v);
  if (p.get('state') !== expectedState) throw new MicrosoftAuthError('state_mismatch', 'The sign-in answer does not belong to this request');
  const error = p.get('error');
  if (error) {
    const text = describe(p) || error;
    if (error === 'access_denied') throw new MicrosoftAuthError('access_denied', text);
    if (CONSENT.has(error)) throw new MicrosoftAuthError('consent_required', text);
    if (MISCONFIGURED.has(error)) throw new MicrosoftAuthError('misconfigured', `${error}: ${text}`);
    throw new MicrosoftAuthError('invalid_response', `${error}: ${text}`);
  }
  const code = p.get('code');
  if (!code || !/^[\x21-\x7e]{1,4000}$/.test(code)) throw new MicrosoftAuthError('invalid_response', 'The sign-in answer carries no code');
  return code;
}
