import { describe, expect, it } from 'vitest';
import { MicrosoftTokenError } from './microsoft';
import { explainOAuthSmtpRefusal, tokenVerdict, tokenVerifyFailure } from './smtp-auth';

describe('what a token failure means for mail', () => {
  it('revoked or refused grants hold the mail for a reconnect; outages are retried; other errors are not ours', () => {
    expect(tokenVerdict(new MicrosoftTokenError('revoked', 'invalid_grant', 'invalid_grant: AADSTS50173'))).toMatchObject({ action: 'auth', code: 'auth_failed', text: expect.stringMatching(/Reconnect Office 365/) });
    expect(tokenVerdict(new MicrosoftTokenError('rejected', 'invalid_client', 'invalid_client'))).toMatchObject({ action: 'auth', text: expect.stringMatching(/RELAY_MS_CLIENT_ID/) });
    expect(tokenVerdict(new MicrosoftTokenError('temporary', 'network', 'could not reach'))).toMatchObject({ action: 'retry' });
    expect(tokenVerdict(Object.assign(new Error('535 5.7.3'), { responseCode: 535 }))).toBeNull();
  });

  it('"Test connection" says reconnect, ask the admin, or try again', () => {
    expect(tokenVerifyFailure(new MicrosoftTokenError('revoked', 'invalid_grant', 'x'))).toMatchObject({ ok: false, code: 'needs_reconnect' });
    expect(tokenVerifyFailure(new MicrosoftTokenError('rejected', 'invalid_client', 'x'))).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(tokenVerifyFailure(new MicrosoftTokenError('temporary', 'timeout', 'x'))).toMatchObject({ ok: false, code: 'connect_failed' });
    expect(tokenVerifyFailure(new Error('other'))).toBeNull();
    expect(explainOAuthSmtpRefusal('auth_failed', '535 5.7.3 Authentication unsuccessful')).toMatch(/Authenticated SMTP is enabled/);
    expect(explainOAuthSmtpRefusal('timeout', '')).toBeNull();
  });
});
