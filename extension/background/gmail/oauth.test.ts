import { describe, expect, it } from 'vitest';
import { GMAIL_SEND_SCOPE } from './config';
import { buildAuthorizeUrl, decodeJwtPayload, OAuthError, parseRedirect, renewAt } from './oauth';

const REDIRECT = 'https://odbmceaebecihlmjdpgmbmagceiihbmh.chromiumapp.org/';
const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = (claims: object) => `${b64url('{"alg":"RS256"}')}.${b64url(JSON.stringify(claims))}.sig`;
const expected = { state: 's1', nonce: 'n1', clientId: 'cid', now: NOW };
const goodClaims = { aud: 'cid', nonce: 'n1', exp: NOW / 1000 + 3600, email: 'Rep@Example.com', email_verified: true };

function redirect(params: Record<string, string>) {
  return `${REDIRECT}#${new URLSearchParams(params)}`;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof OAuthError ? e.code : 'other';
  }
  return undefined;
}

describe('authorize URL', () => {
  it('asks for an implicit token and id_token with state, nonce and hint', () => {
    const url = new URL(
      buildAuthorizeUrl({
        authUrl: 'http://127.0.0.1:5/o/oauth2/v2/auth?hl=nl',
        clientId: 'cid',
        redirectUri: REDIRECT,
        scopes: ['openid', 'email', GMAIL_SEND_SCOPE],
        state: 's1',
        nonce: 'n1',
        prompt: 'none',
        loginHint: 'rep@example.com',
      }),
    );
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:5/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      hl: 'nl',
      client_id: 'cid',
      redirect_uri: REDIRECT,
      response_type: 'token id_token',
      scope: `openid email ${GMAIL_SEND_SCOPE}`,
      state: 's1',
      nonce: 'n1',
      prompt: 'none',
      login_hint: 'rep@example.com',
    });
  });
});

describe('redirect parsing', () => {
  const ok = { state: 's1', access_token: 'ya29.x', token_type: 'Bearer', expires_in: '3599', scope: `email openid ${GMAIL_SEND_SCOPE}`, id_token: jwt({ ...goodClaims, hd: 'example.com' }) };

  it('returns the token, its expiry, the lower-cased address and the Workspace domain', () => {
    expect(parseRedirect(redirect(ok), expected)).toEqual({
      accessToken: 'ya29.x',
      obtainedAt: NOW,
      expiresAt: NOW + 3599_000,
      scopes: ['email', 'openid', GMAIL_SEND_SCOPE],
      email: 'rep@example.com',
      hostedDomain: 'example.com',
    });
  });

  it('refuses an answer to another request', () => {
    expect(code(() => parseRedirect(redirect({ ...ok, state: 'other' }), expected))).toBe('state_mismatch');
    expect(code(() => parseRedirect(redirect({ ...ok, id_token: jwt({ ...goodClaims, nonce: 'x' }) }), expected))).toBe('invalid_response');
    expect(code(() => parseRedirect(redirect({ ...ok, id_token: jwt({ ...goodClaims, aud: 'evil' }) }), expected))).toBe('invalid_response');
    expect(code(() => parseRedirect(redirect({ ...ok, id_token: jwt({ ...goodClaims, exp: NOW / 1000 - 3600 }) }), expected))).toBe('invalid_response');
  });

  it('names what Google said went wrong', () => {
    expect(code(() => parseRedirect(redirect({ state: 's1', error: 'access_denied' }), expected))).toBe('access_denied');
    expect(code(() => parseRedirect(redirect({ state: 's1', error: 'interaction_required' }), expected))).toBe('interaction_required');
    expect(code(() => parseRedirect(`${REDIRECT}?state=s1&error=login_required`, expected))).toBe('interaction_required');
    expect(code(() => parseRedirect(redirect({ ...ok, scope: 'openid email' }), expected))).toBe('scope_missing');
    expect(code(() => parseRedirect(redirect({ ...ok, access_token: '' }), expected))).toBe('invalid_response');
    expect(code(() => parseRedirect('not a url', expected))).toBe('invalid_response');
  });

  it('decodes UTF-8 claims', () => {
    expect(decodeJwtPayload(jwt({ name: 'Zoë' })).name).toBe('Zoë');
    expect(code(() => decodeJwtPayload('abc'))).toBe('invalid_response');
  });
});

describe('renewal time', () => {
  it('renews five minutes early for an hour-long token and a tenth early for short ones', () => {
    expect(renewAt({ obtainedAt: 0, expiresAt: 3_600_000 })).toBe(3_300_000);
    expect(renewAt({ obtainedAt: 0, expiresAt: 10_000 })).toBe(9_000);
  });
});
