import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizeEndpoint, resolveMicrosoftConfig } from './config';
import { buildAuthorizeUrl, MicrosoftAuthError, parseCodeRedirect } from './oauth';
import { challengeFor, newState, newVerifier } from './pkce';

const REDIRECT = 'https://odbmceaebecihlmjdpgmbmagceiihbmh.chromiumapp.org/';
const relayInfo = { configured: true, clientId: 'app-1', tenant: 'common', authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize', scopes: [] };

describe('PKCE', () => {
  it('makes RFC 7636 verifiers and their S256 challenges', async () => {
    const v = newVerifier();
    expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newVerifier()).not.toBe(v);
    expect(await challengeFor(v)).toBe(createHash('sha256').update(v).digest('base64url'));
    expect(newState()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('the authorize request', () => {
  it('asks for a code with S256 PKCE and SMTP.Send, offline_access, openid, email', () => {
    const url = new URL(
      buildAuthorizeUrl({ authorizeUrl: 'https://login.microsoftonline.com/contoso.com/oauth2/v2.0/authorize', clientId: 'app-1', redirectUri: REDIRECT, state: 's1', codeChallenge: 'c'.repeat(43), prompt: 'select_account' }),
    );
    expect(url.origin + url.pathname).toBe('https://login.microsoftonline.com/contoso.com/oauth2/v2.0/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'app-1',
      response_type: 'code',
      redirect_uri: REDIRECT,
      response_mode: 'query',
      scope: 'https://outlook.office.com/SMTP.Send offline_access openid email',
      state: 's1',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
      prompt: 'select_account',
    });
    const reconnect = new URL(buildAuthorizeUrl({ authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize', clientId: 'app-1', redirectUri: REDIRECT, state: 's', codeChallenge: 'c'.repeat(43), loginHint: 'rep@example.com' }));
    expect(reconnect.searchParams.get('login_hint')).toBe('rep@example.com');
    expect(reconnect.searchParams.has('prompt')).toBe(false);
  });
});

describe('the redirect back', () => {
  it('yields the code when the state matches', () => {
    expect(parseCodeRedirect(`${REDIRECT}?code=0.AX-abc&state=s1&session_state=x`, 's1')).toBe('0.AX-abc');
  });
  it('refuses another request\'s answer and answers without a code', () => {
    expect(() => parseCodeRedirect(`${REDIRECT}?code=x&state=other`, 's1')).toThrow(expect.objectContaining({ code: 'state_mismatch' }));
    expect(() => parseCodeRedirect(`${REDIRECT}?state=s1`, 's1')).toThrow(expect.objectContaining({ code: 'invalid_response' }));
    expect(() => parseCodeRedirect('not a url', 's1')).toThrow(MicrosoftAuthError);
  });
  it('sorts Microsoft\'s errors into what the rep or the admin must do', () => {
    const err = (q: string) => {
      try {
        parseCodeRedirect(`${REDIRECT}?state=s1&${q}`, 's1');
      } catch (e) {
        return e as MicrosoftAuthError;
      }
      throw new Error('no error');
    };
    expect(err('error=access_denied&error_description=AADSTS65004%3A+User+declined').code).toBe('access_denied');
    const consent = err('error=consent_required&error_description=AADSTS90094%3A+Admin+approval+required%0D%0ATrace+ID%3A+x');
    expect(consent).toMatchObject({ code: 'consent_required', message: 'AADSTS90094: Admin approval required' });
    expect(err('error=unauthorized_client&error_description=AADSTS700016').code).toBe('misconfigured');
    expect(err('error=weird').code).toBe('invalid_response');
  });
});

describe('which Microsoft app and endpoint', () => {
  it('uses the relay\'s app, tenant and cloud when the organisation set nothing', () => {
    expect(resolveMicrosoftConfig({}, relayInfo)).toEqual({ ok: true, clientId: 'app-1', tenant: 'common', authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize' });
    const fake = { ...relayInfo, tenant: 'organizations', authorizeUrl: 'http://127.0.0.1:4000/organizations/oauth2/v2.0/authorize' };
    expect(resolveMicrosoftConfig({}, fake)).toMatchObject({ ok: true, authorizeUrl: 'http://127.0.0.1:4000/organizations/oauth2/v2.0/authorize' });
  });
  it('lets policy set the tenant and the authority (or a full authorize URL)', () => {
    expect(resolveMicrosoftConfig({ microsoftClientId: 'app-1', microsoftTenant: 'contoso.com', microsoftAuthUrl: 'https://login.microsoftonline.us' }, relayInfo)).toEqual({
      ok: true,
      clientId: 'app-1',
      tenant: 'contoso.com',
      authorizeUrl: 'https://login.microsoftonline.us/contoso.com/oauth2/v2.0/authorize',
    });
    expect(authorizeEndpoint('https://sso.example.com/tenant-x/oauth2/v2.0/authorize/', 'common')).toBe('https://sso.example.com/tenant-x/oauth2/v2.0/authorize');
  });
  it('says why it cannot be offered', () => {
    expect(resolveMicrosoftConfig({ allowedChannels: ['gmail'] }, relayInfo)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(resolveMicrosoftConfig({}, { ...relayInfo, configured: false, clientId: undefined })).toEqual({ ok: false, reason: 'relay_not_configured' });
    // The relay redeems the code: it must be the same app the browser signed in to.
    expect(resolveMicrosoftConfig({ microsoftClientId: 'app-2' }, relayInfo)).toEqual({ ok: false, reason: 'client_mismatch' });
  });
});
