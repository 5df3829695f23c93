import { describe, expect, it } from 'vitest';
import { loadMicrosoftConfig } from './config';
import { codeGrantBody, grantsSmtpSend, parseTokenSet, refreshGrantBody, requestTokens, tokenError } from './microsoft';

describe('token endpoint answers', () => {
  it('classifies Microsoft errors: revoked grants need the rep, app problems an admin, outages a retry', () => {
    const revoked = tokenError(400, { error: 'invalid_grant', error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.\r\nTrace ID: abc\r\nCorrelation ID: def', error_codes: [50173] });
    expect(revoked).toMatchObject({ kind: 'revoked', error: 'invalid_grant', aadCodes: [50173] });
    // Trace and correlation ids stay out of what reps and logs see.
    expect(revoked.message).toBe('invalid_grant: AADSTS50173: The provided grant has expired due to it being revoked.');
    expect(tokenError(400, { error: 'interaction_required' }).kind).toBe('revoked');
    expect(tokenError(400, { error: 'consent_required' }).kind).toBe('revoked');
    expect(tokenError(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }).kind).toBe('rejected');
    expect(tokenError(400, { error: 'unauthorized_client' }).kind).toBe('rejected');
    expect(tokenError(503, {}).kind).toBe('temporary');
    expect(tokenError(429, { error: 'too_many_requests' }).kind).toBe('temporary');
    expect(tokenError(400, { error: 'temporarily_unavailable' }).kind).toBe('temporary');
  });

  it('parses a token answer, and refuses one without an access token or lifetime', () => {
    const set = parseTokenSet({ token_type: 'Bearer', access_token: 'at', refresh_token: 'rt', expires_in: 3599, scope: 'https://outlook.office.com/SMTP.Send', id_token: 'x.y.z' }, 1000);
    expect(set).toEqual({ accessToken: 'at', refreshToken: 'rt', obtainedAt: 1000, expiresAt: 1000 + 3_599_000, scopes: ['https://outlook.office.com/SMTP.Send'], idToken: 'x.y.z' });
    expect(parseTokenSet({ access_token: 'at', expires_in: '60' }, 0).refreshToken).toBeUndefined();
    expect(() => parseTokenSet({ expires_in: 60 }, 0)).toThrow(/without an access token/);
    expect(() => parseTokenSet({ access_token: 'at', expires_in: 0 }, 0)).toThrow();
    expect(() => parseTokenSet({ access_token: 'at', expires_in: 60, token_type: 'pop' }, 0)).toThrow(/token type/);
  });

  it('knows SMTP.Send in both of Microsoft\'s spellings', () => {
    expect(grantsSmtpSend(['https://outlook.office.com/SMTP.Send'])).toBe(true);
    expect(grantsSmtpSend(['SMTP.Send', 'openid'])).toBe(true);
    expect(grantsSmtpSend(['https://outlook.office.com/IMAP.AccessAsUser.All'])).toBe(false);
  });

  it('builds the code and refresh requests; a secret only for a confidential client', () => {
    const pub = loadMicrosoftConfig({ RELAY_MS_CLIENT_ID: 'cid' });
    const code = codeGrantBody(pub, { code: 'c', codeVerifier: 'v'.repeat(43), redirectUri: 'https://x.chromiumapp.org/' });
    expect(Object.fromEntries(code)).toEqual({ client_id: 'cid', grant_type: 'authorization_code', code: 'c', redirect_uri: 'https://x.chromiumapp.org/', code_verifier: 'v'.repeat(43) });
    expect(Object.fromEntries(refreshGrantBody(pub, 'rt'))).toEqual({ client_id: 'cid', grant_type: 'refresh_token', refresh_token: 'rt', scope: 'https://outlook.office.com/SMTP.Send offline_access' });
    const conf = loadMicrosoftConfig({ RELAY_MS_CLIENT_ID: 'cid', RELAY_MS_CLIENT_SECRET: 's3cret' });
    expect(refreshGrantBody(conf, 'rt').get('client_secret')).toBe('s3cret');
  });

  it('turns network trouble and non-JSON answers into temporary failures', async () => {
    const o = { timeoutMs: 1000, now: () => 0 };
    await expect(requestTokens('https://login.example/token', new URLSearchParams(), { ...o, fetch: () => Promise.reject(new TypeError('fetch failed')) })).rejects.toMatchObject({ kind: 'temporary', error: 'network' });
    await expect(requestTokens('https://login.example/token', new URLSearchParams(), { ...o, fetch: async () => new Response('<html>bad gateway</html>', { status: 502 }) })).rejects.toMatchObject({ kind: 'temporary' });
    await expect(requestTokens('https://login.example/token', new URLSearchParams(), { ...o, fetch: async () => new Response('<html>proxy</html>', { status: 400 }) })).rejects.toMatchObject({ kind: 'temporary', error: 'bad_response' });
    await expect(requestTokens('https://login.example/token', new URLSearchParams(), { ...o, fetch: async () => Response.json({ error: 'invalid_grant' }, { status: 400 }) })).rejects.toMatchObject({ kind: 'revoked' });
  });
});

describe('RELAY_MS_* configuration', () => {
  it('defaults to the public cloud, tenant common, smtp.office365.com:587', () => {
    const c = loadMicrosoftConfig({});
    expect(c).toMatchObject({ clientId: undefined, tenant: 'common', clientSecret: undefined, authority: 'https://login.microsoftonline.com', smtpHost: 'smtp.office365.com', smtpPort: 587 });
  });
  it('treats empty variables as unset and names the bad one', () => {
    expect(loadMicrosoftConfig({ RELAY_MS_CLIENT_ID: '', RELAY_MS_TENANT: '' }).tenant).toBe('common');
    expect(() => loadMicrosoftConfig({ RELAY_MS_AUTHORITY: 'http://login.example.com' })).toThrow(/RELAY_MS_AUTHORITY: must be an https/);
    expect(() => loadMicrosoftConfig({ RELAY_MS_TOKEN_URL: 'not a url' })).toThrow(/RELAY_MS_TOKEN_URL/);
    expect(() => loadMicrosoftConfig({ RELAY_MS_TENANT: 'a/b' })).toThrow(/RELAY_MS_TENANT/);
    expect(loadMicrosoftConfig({ RELAY_MS_AUTHORITY: 'http://127.0.0.1:9999/' }).authority).toBe('http://127.0.0.1:9999');
  });
});
