import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime } from '../gmail/mime';
import { renderStep } from './render';
import { TEMPLATES, twoSteps } from './test-kit';

/** A sequence follow-up as the Gmail channel writes it: threaded, with one-click unsubscribe headers. */
describe('a Gmail sequence email', () => {
  it('carries List-Unsubscribe, List-Unsubscribe-Post, In-Reply-To and the link in both bodies', async () => {
    const url = 'https://relay.example.com/unsubscribe/v1.amFuZUBhY21lLnRlc3R8ZXhhbXBsZS5jb20.c2ln';
    const draft = renderStep({
      sequence: twoSteps('gmail'),
      step: 1,
      templates: new Map(TEMPLATES.map((t) => [t.id, t])),
      contact: { address: 'jane@acme.test', name: 'Jane Doe' },
      thread: { subject: 'Quick question, Jane', messageId: '<first@example.com>', threadId: '18c0ffee' },
      unsubscribeUrl: url,
      unsubscribeLabel: 'Unsubscribe',
    });
    expect(draft.threadId).toBe('18c0ffee');
    const raw = buildMime(draft, { from: { address: 'rep@example.com' }, messageId: '<second@example.com>' });
    const head = raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(head).toContain(`List-Unsubscribe: <${url}>`);
    const mail = await simpleParser(Buffer.from(raw));
    expect(mail.subject).toBe('Re: Quick question, Jane');
    expect(mail.inReplyTo).toBe('<first@example.com>');
    expect(mail.text).toContain(`Unsubscribe: ${url}`);
    expect(mail.html).toContain(`<a href="${url}">Unsubscribe</a>`);
    expect(mail.text).toContain('Just bumping this, Jane.');
  });

  it('escapes merge values in the HTML body', () => {
    const draft = renderStep({
      sequence: twoSteps('gmail'),
      step: 0,
      templates: new Map(TEMPLATES.map((t) => [t.id, t])),
      contact: { address: 'x@acme.test', name: '<img src=x onerror=alert(1)> Doe' },
      unsubscribeLabel: 'Unsubscribe',
    });
    expect(draft.html).not.toContain('<img');
    expect(draft.html).toContain('&lt;img');
  });
});
