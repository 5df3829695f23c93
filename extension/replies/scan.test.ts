// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../compose/testing/jsdom';
import { concerning, parseShownDate, scanGmail, scanOutlook, timeFromGmailId } from './scan';

const NOW = Date.parse('2030-01-08T12:00:00Z');
const DAY = 86_400_000;

type InboxFixture = {
  addRow(o: object): void;
  openThread(o: object): void;
};

describe('reading replies in Gmail', () => {
  const load = (hash = '#inbox') => {
    const dom = loadFixture('gmail/inbox.html', `https://mail.google.com/mail/u/0/?empty=1${hash}`);
    return { dom, fixture: (dom.window as unknown as { inboxFixture: InboxFixture }).inboxFixture };
  };

  it('reads inbox rows: senders, arrival time from the message id, unread', () => {
    const { dom, fixture } = load();
    const at = Date.parse('2030-01-08T09:41:00Z');
    fixture.addRow({ from: [{ name: 'Jane Doe', address: 'Jane.Doe@Acme-Corp.com' }, { name: 'me', address: 'rep@example.com' }], subject: 'Re: Quick question', unread: true, at });
    const rows = scanGmail(dom.window.document, '#inbox', NOW).filter((s) => s.kind === 'row');
    expect(rows[0]).toEqual({ webmail: 'gmail', kind: 'row', from: ['jane.doe@acme-corp.com', 'rep@example.com'], at, unread: true });
    // The fixture's older rows are read, with their times.
    expect(rows.slice(1).map((r) => [r.from[0], r.unread])).toEqual([
      ['ada@analytical-engines.co.uk', false],
      ['news@vendor.example', false],
    ]);
    expect(rows.every((r) => typeof r.at === 'number')).toBe(true);
  });

  it('ignores rows of the rep’s own folders (Sent, Drafts, Scheduled)', () => {
    const { dom, fixture } = load('#sent');
    fixture.addRow({ from: [{ name: 'To: Jane', address: 'jane.doe@acme-corp.com' }], unread: false, at: NOW - DAY });
    for (const hash of ['#sent', '#drafts', '#scheduled', '#sent/FMfcgz']) {
      expect(scanGmail(dom.window.document, hash, NOW).filter((s) => s.kind === 'row')).toEqual([]);
    }
    expect(scanGmail(dom.window.document, '#label/Customers', NOW).filter((s) => s.kind === 'row')).not.toEqual([]);
  });

  it('reads an opened conversation message by message, with the people on each', () => {
    const { dom, fixture } = load();
    const t1 = Date.parse('2030-01-07T08:00:00Z');
    const t2 = Date.parse('2030-01-08T10:15:00Z');
    fixture.openThread({
      subject: 'Quick question, Bob',
      messages: [
        { from: { name: 'Rep', address: 'rep@example.com' }, to: [{ name: 'Bob', address: 'bob@globex.test' }], at: t1 },
        { from: { name: 'Carol', address: 'carol@globex.test' }, to: [{ name: 'Rep', address: 'rep@example.com' }, { name: 'Bob', address: 'bob@globex.test' }], at: t2 },
      ],
    });
    const thread = scanGmail(dom.window.document, '#inbox/FMfcgz', NOW).filter((s) => s.kind === 'thread');
    expect(thread).toEqual([
      { webmail: 'gmail', kind: 'thread', from: ['rep@example.com'], others: ['bob@globex.test'], at: t1 },
      { webmail: 'gmail', kind: 'thread', from: ['carol@globex.test'], others: ['rep@example.com', 'bob@globex.test'], at: t2 },
    ]);
  });

  it('reads the compose fixture’s thread without a time (so it can never stop anyone by itself)', () => {
    const dom = loadFixture('gmail/current.html', 'https://mail.google.com/mail/u/0/#inbox/abc');
    const thread = scanGmail(dom.window.document, '#inbox/abc', NOW).filter((s) => s.kind === 'thread');
    expect(thread).toEqual([{ webmail: 'gmail', kind: 'thread', from: ['jane.doe@acme-corp.com'], others: ['rep@example.com', 'bob@acme-corp.com'] }]);
  });
});

describe('reading replies in Outlook on the web', () => {
  const dom = loadFixture('outlook/inbox.html', 'https://outlook.office.com/mail/inbox');
  it('reads list rows with their sender, date and unread state (English and Dutch labels)', () => {
    const rows = scanOutlook(dom.window.document, '/mail/inbox', NOW).filter((s) => s.kind === 'row');
    expect(rows.map((r) => [r.from, r.unread, r.at !== undefined])).toEqual([
      [['jane.doe@acme-corp.com'], true, true],
      [['news@vendor.example'], false, true],
      [['kim@initech.test'], true, false],
    ]);
    expect(new Date(rows[0]!.at!).getMinutes()).toBe(41);
  });

  it('reads the conversation in the reading pane', () => {
    const thread = scanOutlook(dom.window.document, '/mail/inbox/id/AAQkAD1', NOW).filter((s) => s.kind === 'thread');
    expect(thread.map((t) => [t.from, t.others])).toEqual([
      [['rep@example.com'], ['bob@globex.test']],
      [['bob@globex.test'], ['rep@example.com', 'carol@globex.test']],
    ]);
    expect(thread.every((t) => t.at !== undefined)).toBe(true);
  });

  it('skips the rows of Sent Items and Drafts', () => {
    expect(scanOutlook(dom.window.document, '/mail/sentitems', NOW).filter((s) => s.kind === 'row')).toEqual([]);
    expect(scanOutlook(dom.window.document, '/mail/0/drafts', NOW).filter((s) => s.kind === 'row')).toEqual([]);
  });
});

describe('helpers', () => {
  it('reads the arrival time out of a Gmail message id and refuses nonsense', () => {
    const at = Date.parse('2030-01-08T09:41:12.345Z');
    const id = ((BigInt(at) << 20n) | 0xabcden).toString(16);
    expect(timeFromGmailId(id, NOW)).toBe(at);
    expect(timeFromGmailId('zz', NOW)).toBeUndefined();
    expect(timeFromGmailId('1', NOW)).toBeUndefined();
    expect(timeFromGmailId((BigInt(NOW + 30 * DAY) << 20n).toString(16), NOW)).toBeUndefined();
  });

  it('parses dates as webmails show them, and nothing else', () => {
    expect(parseShownDate('Tue, Jan 8, 2030, 9:41 AM', NOW)).toBe(new Date(2030, 0, 8, 9, 41).getTime());
    expect(parseShownDate('Tue 1/8/2030 9:41 AM', NOW)).toBe(new Date(2030, 0, 8, 9, 41).getTime());
    expect(parseShownDate('Jane Doe', NOW)).toBeUndefined();
    expect(parseShownDate('', NOW)).toBeUndefined();
  });

  it('keeps only sightings of watched people', () => {
    const s = [
      { webmail: 'gmail' as const, kind: 'row' as const, from: ['ceo@acme-corp.com'] },
      { webmail: 'gmail' as const, kind: 'row' as const, from: ['news@vendor.example'] },
      { webmail: 'gmail' as const, kind: 'row' as const, from: ['sam@gmail.com'] },
    ];
    expect(concerning(s, { addresses: new Set(['sam@gmail.com']), domains: new Set(['acme-corp.com']) }).map((x) => x.from[0])).toEqual(['ceo@acme-corp.com', 'sam@gmail.com']);
  });
});
