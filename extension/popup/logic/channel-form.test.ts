import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { useLocale } from '../testing/i18n';
import { buildCreateRequest, initialForm, parseDomains, toFormField, withSecurity } from './channel-form';

beforeEach(async () => {
  fakeBrowser.reset();
  await useLocale('en');
});

describe('channel form', () => {
  it('turns Office 365 details into a personal channel for the mailbox', () => {
    const form = { ...initialForm('office365', 'Rep@Example.com'), password: 'secret pass' };
    expect(buildCreateRequest(form)).toEqual({
      ok: true,
      request: {
        name: 'Office 365 (rep@example.com)',
        provider: 'office365',
        username: 'rep@example.com',
        password: 'secret pass',
        scope: 'personal',
      },
    });
  });

  it('names every missing field', () => {
    const result = buildCreateRequest({ ...initialForm('office365'), email: '' });
    expect(result).toEqual({
      ok: false,
      errors: { email: 'Your work email address is needed.', password: 'Your Microsoft password is needed.' },
    });
  });

  it('refuses an email address that is not one', () => {
    const result = buildCreateRequest({ ...initialForm('office365'), email: 'rep at example', password: 'x' });
    expect(result).toMatchObject({ ok: false, errors: { email: 'Enter an email address like name@example.com.' } });
  });

  it('shares a SparkPost key with the rep\'s domain by default and uses the EU host when asked', () => {
    const form = { ...initialForm('sparkpost', 'rep@acme.io'), password: ' key-123 ', region: 'eu' as const };
    expect(buildCreateRequest(form)).toEqual({
      ok: true,
      request: {
        name: 'SparkPost (acme.io)',
        provider: 'sparkpost',
        host: 'smtp.eu.sparkpostmail.com',
        password: 'key-123',
        scope: 'domain',
        domains: ['acme.io'],
      },
    });
  });

  it('asks for a domain when sharing, and names a bad one', () => {
    expect(buildCreateRequest({ ...initialForm('sendgrid'), password: 'k', domains: ' ' })).toMatchObject({
      ok: false,
      errors: { domains: 'Enter at least one domain to share with.' },
    });
    const bad = buildCreateRequest({ ...initialForm('sendgrid'), password: 'k', domains: 'acme.io, not a domain!' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.domains).toMatch(/^Check the domains: domains\.\d: must be a domain like example\.com$/);
  });

  it('keeps a SendGrid key personal when not shared', () => {
    const result = buildCreateRequest({ ...initialForm('sendgrid', 'rep@acme.io'), password: 'k', share: false });
    expect(result).toEqual({ ok: true, request: { name: 'SendGrid', provider: 'sendgrid', password: 'k', scope: 'personal' } });
  });

  it('builds a custom SMTP channel and checks host and port', () => {
    const form = {
      ...initialForm('smtp', 'rep@acme.io'),
      host: 'mail.acme.io',
      port: '465',
      security: 'tls' as const,
      password: 'pw',
    };
    expect(buildCreateRequest(form)).toEqual({
      ok: true,
      request: {
        name: 'mail.acme.io',
        provider: 'smtp',
        host: 'mail.acme.io',
        port: 465,
        security: 'tls',
        username: 'rep@acme.io',
        password: 'pw',
        scope: 'personal',
      },
    });
    const bad = buildCreateRequest({ ...form, host: 'mail acme', port: '70000' });
    expect(bad).toEqual({
      ok: false,
      errors: { host: 'Enter a server name like smtp.example.com.', port: 'Enter a port between 1 and 65535.' },
    });
  });

  it('refuses line breaks in a name before they reach a header', () => {
    const result = buildCreateRequest({ ...initialForm('smtp', 'a@b.io'), host: 'h.io', password: 'p', name: 'x\r\nBcc: y' });
    expect(result).toMatchObject({ ok: false, errors: { name: expect.stringContaining('line breaks') } });
  });

  it('moves the port along with the security mode unless the rep chose their own', () => {
    const form = initialForm('smtp');
    expect(withSecurity(form, 'tls').port).toBe('465');
    expect(withSecurity({ ...form, port: '2525' }, 'tls').port).toBe('2525');
  });

  it('reads domains however they are separated', () => {
    expect(parseDomains('Acme.io, @acme.nl;acme.io  example.com')).toEqual(['acme.io', 'acme.nl', 'example.com']);
  });

  it('maps relay field names to the form\'s inputs', () => {
    expect(toFormField('username', 'office365')).toBe('email');
    expect(toFormField('username', 'smtp')).toBe('username');
    expect(toFormField('domains.0', 'sparkpost')).toBe('domains');
    expect(toFormField(undefined, 'sendgrid')).toBe('password');
  });
});
