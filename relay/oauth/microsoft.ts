import { SMTP_SEND_SCOPE } from '../../shared/schemas/microsoft-oauth';
import type { MicrosoftConfig } from './config';

/**
 * The Microsoft identity platform's token endpoint: redeeming an
 * authorization code (with its PKCE verifier) and refreshing. Pure request
 * building and answer parsing, plus one fetch.
 */

/** What a refresh asks for again: SMTP.Send, and a new refresh token. */
export const REFRESH_SCOPES = [SMTP_SEND_SCOPE, 'offline_access'];

/**
 * How a failed token request should be treated:
 * - revoked: the grant is gone (consent revoked, password reset, refresh token expired, MFA/CA now required):
 *   the rep must sign in again; mail waits.
 * - rejected: Microsoft refused the relay's app registration (client id, secret): an admin must act; mail waits.
 * - temporary: network, timeout, 5xx, 429, temporarily_unavailable: try again later.
 */
export type TokenFailure = 'revoked' | 'rejected' | 'temporary';

export class MicrosoftTokenError extends Error {
  constructor(
    readonly kind: TokenFailure,
    /** The OAuth `error` (invalid_grant…) or a transport code (network, timeout, bad_response). */
    readonly error: string,
    message: string,
    /** AADSTS numbers from `error_codes`, e.g. 50173 (grant revoked after a password change). */
    readonly aadCodes: number[] = [],
  ) {
    super(message);
    this.name = 'MicrosoftTokenError';
  }
}

export interface TokenSet {
  accessToken: string;
  /** Absent when Microsoft did not rotate it (keep the old one). */
  refreshToken: string | undefined;
  obtainedAt: number;
  expiresAt: number;
  scopes: string[];
  idToken: string | undefined;
}

const REVOKED_ERRORS = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required']);
const REJECTED_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'invalid_request', 'unsupported_grant_type']);

/** Microsoft's error_description carries trace and correlation ids on later lines: keep the first line, short. */
function describe(body: Record<string, unknown>): string {
  const text = typeof body.error_description === 'string' ? body.error_description : '';
  return text.split(/\r?\n/)[0]!.replace(/\s*Trace ID:.*$/i, '').slice(0, 300);
}

/** Classifies a token endpoint answer that is not a success. */
export function tokenError(status: number, body: unknown): MicrosoftTokenError {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const error = typeof b.error === 'string' ? b.error : '';
  const codes = Array.isArray(b.error_codes) ? b.error_codes.filter((c): c is number => typeof c === 'number') : [];
  const description = describe(b);
  const text = `${error || `HTTP ${status}`}${description ? `: ${description}` : ''}`;
  if (status >= 500 || status === 429 || error === 'temporarily_unavailable' || error === 'server_error') {
    return new MicrosoftTokenError('temporary', error || `http_${status}`, text, codes);
  }
  if (REVOKED_ERRORS.has(error)) return new MicrosoftTokenError('revoked', error, text, codes);
  if (REJECTED_ERRORS.has(error) || status === 401) return new MicrosoftTokenError('rejected', error || `http_${status}`, text, codes);
  // Anything else from a 4xx: not going to improve by itself.
  return new MicrosoftTokenError('rejected', error || `http_${status}`, text, codes);
}

/** Parses a 200 answer; a missing access token or lifetime is a bad answer (temporary: a proxy in the way?). */
export function parseTokenSet(body: unknown, now: number): TokenSet {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const accessToken = typeof b.access_token === 'string' ? b.access_token : '';
  const expiresIn = Number(b.expires_in);
  if (!accessToken || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new MicrosoftTokenError('temporary', 'bad_response', 'the token endpoint answered without an access token');
  }
  if (typeof b.token_type === 'string' && b.token_type.toLowerCase() !== 'bearer') {
    throw new MicrosoftTokenError('rejected', 'bad_response', `unexpected token type ${b.token_type}`);
  }
  return {
    accessToken,
    refreshToken: typeof b.refresh_token === 'string' && b.refresh_token ? b.refresh_token : undefined,
    obtainedAt: now,
    expiresAt: now + expiresIn * 1000,
    scopes: typeof b.scope === 'string' ? b.scope.split(/\s+/).filter(Boolean) : [],
    idToken: typeof b.id_token === 'string' ? b.id_token : undefined,
  };
}

/** True when the granted scopes include SMTP.Send (Microsoft may answer with the short or the full form). */
export function grantsSmtpSend(scopes: string[]): boolean {
  return scopes.some((s) => s.toLowerCase() === SMTP_SEND_SCOPE.toLowerCase() || s.toLowerCase() === 'smtp.send');
}

export function codeGrantBody(config: MicrosoftConfig, r: { code: string; codeVerifier: string; redirectUri: string }): URLSearchParams {
  const body = new URLSearchParams({
    client_id: config.clientId ?? '',
    grant_type: 'authorization_code',
    code: r.code,
    redirect_uri: r.redirectUri,
    code_verifier: r.codeVerifier,
  });
  if (config.clientSecret) body.set('client_secret', config.clientSecret);
  return body;
}

export function refreshGrantBody(config: MicrosoftConfig, refreshToken: string): URLSearchParams {
  const body = new URLSearchParams({
    client_id: config.clientId ?? '',
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    scope: REFRESH_SCOPES.join(' '),
  });
  if (config.clientSecret) body.set('client_secret', config.clientSecret);
  return body;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** One POST to the token endpoint. Never logs or echoes the body: it holds codes and tokens. */
export async function requestTokens(url: string, body: URLSearchParams, o: { fetch?: FetchLike; timeoutMs: number; now: () => number }): Promise<TokenSet> {
  const doFetch = o.fetch ?? ((u, init) => fetch(u, init));
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal: AbortSignal.timeout(o.timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
    throw new MicrosoftTokenError(
      'temporary',
      timedOut ? 'timeout' : 'network',
      timedOut ? 'the Microsoft token endpoint did not answer in time' : `could not reach the Microsoft token endpoint (${(error as Error)?.message ?? error})`,
    );
  }
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    // Not JSON: a proxy's error page or an outage, not Microsoft's verdict on the grant.
    if (json === undefined) throw new MicrosoftTokenError('temporary', 'bad_response', `the token endpoint answered HTTP ${response.status} without JSON`);
    throw tokenError(response.status, json);
  }
  return parseTokenSet(json, o.now());
}
