import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { signedInText } from './Office365';

describe('test results for a Microsoft sign-in channel', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    fakeBrowser.i18n.getMessage = ((key: string, subs?: string[]) => [key, ...(subs ?? [])].join('|')) as typeof fakeBrowser.i18n.getMessage;
  });

  it('never talks about a password', () => {
    expect(signedInText({ ok: true }, 'rep@example.com')).toEqual({ ok: true, title: 'office365_setup_connected|rep@example.com' });
    expect(signedInText({ ok: false, code: 'needs_reconnect', message: 'Microsoft no longer accepts…' })).toEqual({ ok: false, title: 'office365_status_needsReconnect', detail: 'Microsoft no longer accepts…' });
    expect(signedInText({ ok: false, code: 'auth_failed', message: 'token refused' })).toEqual({ ok: false, title: 'office365_setup_testFailed', detail: 'token refused' });
    // SMTP AUTH switched off for the mailbox applies to OAuth too: the usual advice.
    expect(signedInText({ ok: false, code: 'smtp_auth_disabled', message: '535 5.7.139' }).title).toBe('popup_test_codes_smtp_auth_disabled_title');
  });
});
