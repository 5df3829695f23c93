import { describe, expect, it } from 'vitest';
import { backoffMs, classifySmtpError, explainVerifyFailure } from './smtp-errors';

const reply = (response: string, code = 'EMESSAGE') => ({ code, response, responseCode: Number(response.slice(0, 3)) });

describe('classifySmtpError', () => {
  it('reads the Office 365 replies from PROVIDERS.md', () => {
    expect(classifySmtpError(reply('432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded')).action).toBe('slow_down');
    expect(classifySmtpError(reply('554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message')).action).toBe('hold');
    expect(classifySmtpError(reply('554 5.2.2 mailbox full')).action).toBe('fail');
    expect(classifySmtpError(reply('535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant', 'EAUTH'))).toMatchObject({
      action: 'auth',
      code: 'smtp_auth_disabled',
    });
    expect(classifySmtpError(reply('535 5.7.139 Authentication unsuccessful, user is locked by your organization\'s security defaults policy', 'EAUTH')).code).toBe(
      'smtp_auth_disabled',
    );
    expect(classifySmtpError(reply('535 5.7.3 Authentication unsuccessful', 'EAUTH'))).toMatchObject({ action: 'auth', code: 'auth_failed' });
    expect(classifySmtpError(reply('530 5.7.57 Client not authenticated to send mail', 'EENVELOPE'))).toMatchObject({ action: 'auth', code: 'auth_failed' });
    expect(classifySmtpError(reply('550 5.7.30 Basic authentication is not supported for Client Submission', 'EAUTH'))).toMatchObject({
      action: 'auth',
      code: 'basic_auth_unsupported',
    });
  });

  it('retries temporary replies and fails permanent ones with the server text', () => {
    expect(classifySmtpError(reply('421 4.7.0 Try again later, closing connection'))).toMatchObject({ action: 'retry' });
    expect(classifySmtpError(reply('451 4.3.0 Mail server temporarily rejected message'))).toMatchObject({ action: 'retry' });
    expect(classifySmtpError(reply('452 4.5.3 Too many recipients'))).toMatchObject({ action: 'retry' });
    expect(classifySmtpError(reply('550 5.1.1 User unknown', 'EENVELOPE'))).toEqual({ action: 'fail', text: '550 5.1.1 User unknown' });
    expect(classifySmtpError(reply('554 5.7.1 Message rejected as spam'))).toMatchObject({ action: 'fail', text: '554 5.7.1 Message rejected as spam' });
  });

  it('treats network trouble as temporary and names it for verify', () => {
    expect(classifySmtpError({ code: 'ECONNECTION', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toMatchObject({
      action: 'retry',
      code: 'connect_failed',
    });
    expect(classifySmtpError({ code: 'ETIMEDOUT', message: 'Greeting never received' })).toMatchObject({ action: 'retry', code: 'timeout' });
    expect(classifySmtpError({ code: 'ETLS', message: 'Error initiating TLS - self-signed certificate' })).toMatchObject({ code: 'tls_failed' });
    expect(classifySmtpError({ code: 'ESOCKET', message: 'unable to verify the first certificate' })).toMatchObject({ code: 'tls_failed' });
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' })).toMatchObject({ action: 'retry', code: 'connect_failed' });
    expect(classifySmtpError({})).toMatchObject({ action: 'retry' });
  });

  it('keeps reply text on one line', () => {
    expect(classifySmtpError(reply('550-5.7.1 first line\r\n550 5.7.1 second line')).text).toBe('550-5.7.1 first line 550 5.7.1 second line');
  });
});

describe('backoffMs', () => {
  it('doubles per attempt within ±25 % jitter and is capped', () => {
    expect(backoffMs(1, () => 0.5)).toBe(15_000);
    expect(backoffMs(2, () => 0.5)).toBe(30_000);
    expect(backoffMs(3, () => 0)).toBe(45_000);
    expect(backoffMs(3, () => 1)).toBe(75_000);
    expect(backoffMs(30, () => 0.5)).toBe(30 * 60_000);
  });
});

describe('explainVerifyFailure', () => {
  it('tells an Office 365 rep that a changed password breaks the channel and OAuth is the fix', () => {
    const m = explainVerifyFailure('auth_failed', 'office365', '535 5.7.3 Authentication unsuccessful');
    expect(m).toMatch(/changed your password/);
    expect(m).toMatch(/modern authentication/);
    expect(m).toContain('535 5.7.3');
  });
});
