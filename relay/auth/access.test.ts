import { describe, expect, it } from 'vitest';
import { channelDenial, createDenial, deleteDenial, fromDenial } from './access';

const alice = { id: 'tok_a', email: 'alice@acme.test', admin: false };
const bob = { id: 'tok_b', email: 'bob@acme.test', admin: false };
const eve = { id: 'tok_e', email: 'eve@other.test', admin: false };
const admin = { id: 'tok_admin', email: 'it@acme.test', admin: true };
const personal = { scope: 'personal' as const, ownerTokenId: 'tok_a', domains: [] };
const domain = { scope: 'domain' as const, ownerTokenId: 'tok_admin', domains: ['acme.test'] };

describe('authorisation rules', () => {
  it('a personal channel is usable only by the token that created it', () => {
    expect(channelDenial(alice, personal)).toBeNull();
    expect(channelDenial(bob, personal)).toMatch(/personal/);
    expect(channelDenial(admin, personal)).toMatch(/personal/);
  });

  it('a domain channel is usable by tokens whose email is in its domains', () => {
    expect(channelDenial(alice, domain)).toBeNull();
    expect(channelDenial(bob, domain)).toBeNull();
    expect(channelDenial(eve, domain)).toMatch(/not in this channel's domains/);
  });

  it('from must be the own address (personal) or in the domains (domain)', () => {
    expect(fromDenial(alice, personal, 'Alice@Acme.test')).toBeNull();
    expect(fromDenial(alice, personal, 'bob@acme.test')).toMatch(/own address/);
    expect(fromDenial(alice, domain, 'sales@acme.test')).toBeNull();
    expect(fromDenial(alice, domain, 'alice@other.test')).toMatch(/not in this channel's domains/);
    expect(fromDenial(alice, domain, 'alice@sub.acme.test')).not.toBeNull();
  });

  it('only admins create domain channels beyond their own domain; owners or admins delete', () => {
    expect(createDenial(alice, 'personal', [])).toBeNull();
    expect(createDenial(alice, 'domain', ['acme.test'])).toBeNull();
    expect(createDenial(alice, 'domain', ['acme.test', 'other.test'])).toMatch(/administrator/);
    expect(createDenial(admin, 'domain', ['other.test'])).toBeNull();
    expect(deleteDenial(alice, personal)).toBeNull();
    expect(deleteDenial(bob, personal)).not.toBeNull();
    expect(deleteDenial(admin, personal)).toBeNull();
  });
});
