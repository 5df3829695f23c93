import { describe, expect, it } from 'vitest';
import { identityFrom, mailboxFor } from './identity';

const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const now = Date.parse('2030-01-01T00:00:00Z');
const exp = now / 1000 + 3600;

describe('who signed in (id_token)', () => {
  it('reads tenant, account and every address the token names', () => {
    const id = identityFrom(jwt({ aud: 'cid', exp, tid: 'tenant-1', oid: 'oid-1', email: 'Rep@Example.com', preferred_username: 'rep@corp.onmicrosoft.com' }), 'cid', now);
    expect(id).toEqual({ tenantId: 'tenant-1', subject: 'oid-1', addresses: ['rep@example.com', 'rep@corp.onmicrosoft.com'] });
    expect(mailboxFor(id, 'REP@example.com')).toBe('rep@example.com');
    expect(mailboxFor(id, 'boss@example.com')).toBeNull();
  });
  it('matches the relay address against the UPN when there is no email claim', () => {
    const id = identityFrom(jwt({ aud: 'cid', exp, sub: 's', upn: 'rep@example.com' }), 'cid', now);
    expect(mailboxFor(id, 'rep@example.com')).toBe('rep@example.com');
  });
  it('refuses tokens for another app, expired, without an account, or malformed', () => {
    expect(() => identityFrom(jwt({ aud: 'other', exp, oid: 'o' }), 'cid', now)).toThrow(/another application/);
    expect(() => identityFrom(jwt({ aud: 'cid', exp: now / 1000 - 3600, oid: 'o' }), 'cid', now)).toThrow(/expired/);
    expect(() => identityFrom(jwt({ aud: 'cid', exp }), 'cid', now)).toThrow(/names no account/);
    expect(() => identityFrom('garbage', 'cid', now)).toThrow(/malformed/);
    expect(() => identityFrom(undefined, 'cid', now)).toThrow(/no id_token/);
  });
});
