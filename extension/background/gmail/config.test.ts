import { describe, expect, it } from 'vitest';
import { GMAIL_METADATA_SCOPE, GMAIL_SEND_SCOPE, GOOGLE_DEFAULTS, gmailConfigFrom, gmailLimitSpec, scopesFor } from './config';

describe('gmail config', () => {
  it('uses Google endpoints unless overridden, and offers nothing without a client id', () => {
    const config = gmailConfigFrom({});
    expect(config).toMatchObject({ clientId: undefined, ...GOOGLE_DEFAULTS, allowed: true, metadataScope: false });
  });

  it('takes overrides from settings, and the revoke URL from build env when policy has none', () => {
    const config = gmailConfigFrom(
      { googleClientId: 'cid', googleAuthUrl: 'http://127.0.0.1:9/auth', gmailApiBase: 'http://127.0.0.1:9/' },
      { revokeUrl: 'http://127.0.0.1:9/revoke' },
    );
    expect(config).toMatchObject({ clientId: 'cid', authUrl: 'http://127.0.0.1:9/auth', apiBase: 'http://127.0.0.1:9', revokeUrl: 'http://127.0.0.1:9/revoke' });
    expect(gmailConfigFrom({ googleRevokeUrl: 'https://p.example/revoke' }, { revokeUrl: 'http://x/r' }).revokeUrl).toBe('https://p.example/revoke');
    expect(gmailConfigFrom({}, { revokeUrl: 'javascript:alert(1)' }).revokeUrl).toBe(GOOGLE_DEFAULTS.revokeUrl);
  });

  it('is not allowed when policy lists channels without gmail', () => {
    expect(gmailConfigFrom({ allowedChannels: ['office365'] }).allowed).toBe(false);
    expect(gmailConfigFrom({ allowedChannels: ['gmail'] }).allowed).toBe(true);
  });

  it('asks for gmail.send only, plus gmail.metadata when an admin opted in', () => {
    expect(scopesFor(gmailConfigFrom({}))).toEqual(['openid', 'email', GMAIL_SEND_SCOPE]);
    expect(scopesFor(gmailConfigFrom({ gmailMetadataScope: true }))).toContain(GMAIL_METADATA_SCOPE);
  });

  it('picks the preset by account type, then policy overrides, then the explicit daily limit', () => {
    expect(gmailLimitSpec(gmailConfigFrom({}))).toMatchObject({ perDay: 500, perMinute: 150, perMessage: 100 });
    expect(gmailLimitSpec(gmailConfigFrom({}), 'workspace').perDay).toBe(2000);
    expect(gmailLimitSpec(gmailConfigFrom({ gmailAccountType: 'consumer' }), 'workspace').perDay).toBe(500);
    expect(gmailLimitSpec(gmailConfigFrom({ limits: { gmail: { perMinute: 10, perDay: 300 } } }))).toMatchObject({ perMinute: 10, perDay: 300 });
    expect(gmailLimitSpec(gmailConfigFrom({ limits: { gmail: { perDay: 300 } }, gmailDailyLimit: 42 })).perDay).toBe(42);
  });
});
