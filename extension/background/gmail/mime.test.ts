import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { OutgoingDraft } from '../../../shared/messages/channels';
import { buildMime, newMessageId, textFromHtml } from './mime';
import { encodeWords, quotedPrintable } from './mime-encode';

const FROM = { address: 'rep@example.com', name: 'Renée van Dijk' };
const parse = (raw: string) => simpleParser(Buffer.from(raw, 'utf8'));
const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => ({ name: v.name, address: v.address })));

function build(draft: Partial<OutgoingDraft>) {
  return buildMime(
    { to: ['ana@example.org'], subject: 'Hello', text: 'Hi', ...draft } as OutgoingDraft,
    { from: FROM, messageId: '<m1@example.com>', date: new Date(Date.UTC(2026, 0, 5, 9, 30)) },
  );
}

describe('MIME builder (round trip through mailparser)', () => {
  it('encodes a non-ASCII subject and names so they come back intact', async () => {
    const subject = 'Offerte voor Zoë — één prijs 💶 ' + 'ä'.repeat(120);
    const raw = build({
      subject,
      to: [{ name: 'Jürgen Müller', address: 'jurgen@example.de' }, 'plain@example.org'],
      cc: [{ name: 'Quote "Q" Person', address: 'q@example.org' }],
    });
    expect(raw).toMatch(/^[\x00-\x7f]*$/); // 7-bit clean
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const mail = await parse(raw);
    expect(mail.subject).toBe(subject);
    expect(addresses(mail.from)).toEqual([{ name: 'Renée van Dijk', address: 'rep@example.com' }]);
    expect(addresses(mail.to)).toEqual([
      { name: 'Jürgen Müller', address: 'jurgen@example.de' },
      { name: '', address: 'plain@example.org' },
    ]);
    expect(addresses(mail.cc)).toEqual([{ name: 'Quote "Q" Person', address: 'q@example.org' }]);
    expect(mail.messageId).toBe('<m1@example.com>');
    expect(mail.date?.toISOString()).toBe('2026-01-05T09:30:00.000Z');
  });

  it('keeps every encoded-word within 75 characters', () => {
    for (const word of encodeWords('€'.repeat(200)).split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
  });

  it('sends HTML with a text alternative derived from it', async () => {
    const mail = await parse(build({ text: undefined, html: '<p>Hallo <b>wereld</b> — één</p><p><a href="https://x.example/a">link</a></p>' }));
    expect(mail.html).toContain('<b>wereld</b> — één');
    expect(mail.text).toContain('Hallo wereld — één');
    expect(mail.text).toContain('link [https://x.example/a]');
    expect(textFromHtml('<ul><li>one</li><li>two</li></ul>')).toMatch(/one\n.*two/);
  });

  it('keeps the rep\'s own text alternative when given', async () => {
    const mail = await parse(build({ text: 'Eigen tekst', html: '<p>HTML</p>' }));
    expect(mail.text?.trim()).toBe('Eigen tekst');
    expect(mail.html).toContain('<p>HTML</p>');
  });

  it('carries attachments, non-ASCII filenames included', async () => {
    const pdf = Buffer.from('%PDF-1.4 fake but binary \x00\x01\xff', 'latin1');
    const mail = await parse(
      build({
        text: undefined,
        html: '<p>Zie bijlage</p>',
        attachments: [
          { filename: 'prijslijst €.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') },
          { filename: 'notes "v2".txt', contentType: 'text/plain', contentBase64: Buffer.from('a'.repeat(500)).toString('base64') },
        ],
      }),
    );
    expect(mail.attachments.map((a) => a.filename)).toEqual(['prijslijst €.pdf', 'notes "v2".txt']);
    expect(mail.attachments[0]!.content.equals(pdf)).toBe(true);
    expect(mail.attachments[0]!.contentType).toBe('application/pdf');
    expect(mail.attachments[1]!.content.toString()).toBe('a'.repeat(500));
    expect(mail.text?.trim()).toBe('Zie bijlage');
  });

  it('threads follow-ups with In-Reply-To and References, and passes X- headers', async () => {
    const mail = await parse(
      build({
        inReplyTo: '<first@example.com>',
        references: ['<root@example.com>', '<first@example.com>'],
        headers: { 'X-Sendway-Sequence': 'seq-1' },
        replyTo: { name: 'Sales', address: 'sales@example.com' },
        bcc: ['hidden@example.org'],
      }),
    );
    expect(mail.inReplyTo).toBe('<first@example.com>');
    expect(mail.references).toEqual(['<root@example.com>', '<first@example.com>']);
    expect(mail.headers.get('x-sendway-sequence')).toBe('seq-1');
    expect(addresses(mail.replyTo)).toEqual([{ name: 'Sales', address: 'sales@example.com' }]);
    // Gmail takes Bcc from the raw headers and strips it before delivery.
    expect(addresses(mail.bcc)).toEqual([{ name: '', address: 'hidden@example.org' }]);
  });

  it('defaults References to the message replied to', async () => {
    const mail = await parse(build({ inReplyTo: '<first@example.com>' }));
    expect(mail.references).toBe('<first@example.com>');
  });

  it('quoted-printable keeps long and non-ASCII lines within 76 and round-trips', async () => {
    const body = 'Één regel met ' + 'lange tekst én accenten '.repeat(20) + '\nTweede regel eindigt op spatie \nklaar=';
    const encoded = quotedPrintable(body);
    for (const line of encoded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    const mail = await parse(build({ text: body }));
    expect(mail.text).toBe(body.replace(/\n/g, '\n'));
  });

  it('makes Message-IDs in the sender\'s domain', () => {
    expect(newMessageId('rep@example.com', 'abc')).toBe('<abc@example.com>');
  });
});
