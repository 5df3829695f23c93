import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { installMessages } from '../../sidebar/testing/i18n-stub';
import { sequenceEngine } from '.';
import { refuseSuppressed } from './suppression';

describe('the extension’s own suppression check on every send', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await installMessages();
    sequenceEngine().deps.store.reset();
  });

  it('refuses messages to anyone who unsubscribed (To, Cc or Bcc), naming them, and lets the rest through', async () => {
    await sequenceEngine().deps.store.addSuppressed(['Jane@Acme.test']);
    const result = await refuseSuppressed([
      { to: ['bob@globex.test'], subject: 's', text: 't' },
      { to: [{ name: 'Jane', address: 'jane@acme.test' }], subject: 's', text: 't' },
      { to: ['bob@globex.test'], bcc: ['jane@acme.test'], subject: 's', text: 't' },
    ]);
    expect(result).toEqual([
      null,
      { ok: false, code: 'suppressed', message: 'Not sent: jane@acme.test unsubscribed from your emails.' },
      { ok: false, code: 'suppressed', message: 'Not sent: jane@acme.test unsubscribed from your emails.' },
    ]);
  });

  it('checks nothing while nobody unsubscribed', async () => {
    expect(await refuseSuppressed([{ to: ['a@b.test'], subject: 's', text: 't' }])).toEqual([null]);
  });
});
