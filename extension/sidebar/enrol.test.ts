import { describe, expect, it } from 'vitest';
import { contactsFrom } from './enrol';

describe('enrolling a compose’s recipients', () => {
  it('enrols To, gives each the Cc’s (not themselves), and leaves Bcc out', () => {
    const contacts = contactsFrom([
      { kind: 'to', name: 'Jane Doe', address: 'Jane@Acme.test' },
      { kind: 'to', name: '', address: 'bob@globex.test' },
      { kind: 'cc', name: 'Boss', address: 'boss@acme.test' },
      { kind: 'bcc', name: 'CRM', address: 'crm@example.com' },
    ]);
    expect(contacts).toEqual([
      { address: 'jane@acme.test', name: 'Jane Doe', cc: ['boss@acme.test'] },
      { address: 'bob@globex.test', cc: ['boss@acme.test'] },
    ]);
  });

  it('enrols the Cc’s when nobody is in To, and drops what is not an address', () => {
    expect(contactsFrom([{ kind: 'cc', name: 'A', address: 'a@acme.test' }, { kind: 'to', name: 'x', address: 'not-an-address' } as never])).toEqual([]);
    expect(contactsFrom([{ kind: 'cc', name: 'A', address: 'a@acme.test' }])).toEqual([{ address: 'a@acme.test', name: 'A' }]);
  });
});
