import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUnsubscribe, verifyUnsubscribe } from './unsubscribe-token';

const key = crypto.randomBytes(32);

describe('unsubscribe tokens', () => {
  it('round-trips the address and sending domain, lower-cased, URL-safe', () => {
    const token = signUnsubscribe(key, { address: 'Jane.Doe+news@Acme.test', domain: 'Example.COM' });
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(verifyUnsubscribe(key, token)).toEqual({ address: 'jane.doe+news@acme.test', domain: 'example.com' });
  });

  it('keeps a "|" in the local part apart from the domain', () => {
    const token = signUnsubscribe(key, { address: 'a|b@acme.test', domain: 'example.com' });
    expect(verifyUnsubscribe(key, token)).toEqual({ address: 'a|b@acme.test', domain: 'example.com' });
  });

  it('refuses another key, an edited payload or signature, and junk', () => {
    const token = signUnsubscribe(key, { address: 'jane@acme.test', domain: 'example.com' });
    const [v, body, sig] = token.split('.') as [string, string, string];
    expect(verifyUnsubscribe(crypto.randomBytes(32), token)).toBeNull();
    const other = Buffer.from('boss@acme.test|example.com').toString('base64url');
    expect(verifyUnsubscribe(key, `${v}.${other}.${sig}`)).toBeNull();
    expect(verifyUnsubscribe(key, `${v}.${body}.${sig.slice(1)}`)).toBeNull();
    expect(verifyUnsubscribe(key, `v2.${body}.${sig}`)).toBeNull();
    for (const junk of ['', 'v1', 'v1..', `${token}.x`, 'v1.!!.??', 'x'.repeat(5000)]) expect(verifyUnsubscribe(key, junk)).toBeNull();
  });

  it('accepts only the canonical spelling of a token (the unused low bits of the last character are zero)', () => {
    const token = signUnsubscribe(key, { address: 'jane@acme.test', domain: 'example.com' });
    const [v, body, sig] = token.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // Flip the lowest bit of the last character: the 16-byte MAC (22 characters) leaves its 4 low bits unused.
    const last = sig.at(-1)!;
    const respelled = sig.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(verifyUnsubscribe(key, `${v}.${body}.${respelled}`)).toBeNull();
    expect(verifyUnsubscribe(key, token)).toEqual({ address: 'jane@acme.test', domain: 'example.com' });
  });

  it('refuses a genuine signature over a payload that is not address|domain', () => {
    // Sign something that is not a claim by going through the same MAC (a different writer of the format).
    const forge = (payload: string) => {
      const mac = crypto.createHmac('sha256', key).update(`sendway-unsubscribe:v1:${payload}`).digest().subarray(0, 16);
      return `v1.${Buffer.from(payload).toString('base64url')}.${mac.toString('base64url')}`;
    };
    expect(verifyUnsubscribe(key, forge('no-at-sign|example.com'))).toBeNull();
    expect(verifyUnsubscribe(key, forge('jane@acme.test|'))).toBeNull();
    expect(verifyUnsubscribe(key, forge('jane@acme.test\r\n|example.com'))).toBeNull();
    expect(verifyUnsubscribe(key, forge('jane@acme.test|example.com'))).toEqual({ address: 'jane@acme.test', domain: 'example.com' });
  });
});
