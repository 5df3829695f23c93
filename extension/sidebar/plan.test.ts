import { describe, expect, it } from 'vitest';
import { idempotencyKey, planSend, recipientTotal } from './plan';
import type { Recipient } from '../compose/driver';

const jane: Recipient = { kind: 'to', name: 'Jane Doe', address: 'jane.doe@acme-corp.com' };
const bob: Recipient = { kind: 'cc', name: 'Bob Stone', address: 'bob@globex.io' };
const anon: Recipient = { kind: 'bcc', name: '', address: 'info@gmail.com' };

describe('planSend', () => {
  it('sends one message as written when there are no merge fields', () => {
    const plan = planSend({ recipients: [jane, bob, anon], subject: 'Pricing', body: { text: 'Hi all', html: '<div>Hi all</div>' } });
    expect(plan.mode).toBe('single');
    expect(plan.messages).toEqual([
      {
        key: 'all',
        draft: {
          to: [{ name: 'Jane Doe', address: 'jane.doe@acme-corp.com' }],
          cc: [{ name: 'Bob Stone', address: 'bob@globex.io' }],
          bcc: ['info@gmail.com'],
          subject: 'Pricing',
          text: 'Hi all',
          html: '<div>Hi all</div>',
        },
      },
    ]);
    expect(recipientTotal(plan)).toBe(3);
  });

  it('sends one personalised message per recipient when merge fields are used', () => {
    const plan = planSend({
      recipients: [jane, anon],
      subject: 'For {{ company | default: "you" }}',
      body: { text: 'Hi {{ first_name | default: "there" }}', html: '<div>Hi {{ first_name | default: "there" }}</div>' },
    });
    expect(plan.mode).toBe('perRecipient');
    expect(plan.messages.map((m) => [m.key, m.draft.to, m.draft.subject, m.draft.text, m.draft.html])).toEqual([
      ['jane.doe@acme-corp.com', [{ name: 'Jane Doe', address: 'jane.doe@acme-corp.com' }], 'For Acme Corp', 'Hi Jane', '<div>Hi Jane</div>'],
      ['info@gmail.com', ['info@gmail.com'], 'For you', 'Hi there', '<div>Hi there</div>'],
    ]);
  });

  it('blocks on unknown fields until the rep fills them in', () => {
    const snapshot = { recipients: [jane], subject: 'Hi', body: { text: 'See you {{ meeting_day }}', html: '' } };
    const blocked = planSend(snapshot);
    expect(blocked.unknown).toEqual(['meeting_day']);
    expect(blocked.messages).toEqual([]);
    const filled = planSend(snapshot, { meeting_day: 'Tuesday' });
    expect(filled.unknown).toEqual([]);
    expect(filled.messages[0]!.draft.text).toBe('See you Tuesday');
  });

  it('sends a body with broken markup as written, and says so', () => {
    const plan = planSend({ recipients: [jane], subject: 'x', body: { text: 'Use {{ like this', html: '' } });
    expect(plan.syntaxError).toBeTruthy();
    expect(plan.mode).toBe('single');
    expect(plan.messages[0]!.draft.text).toBe('Use {{ like this');
  });

  it('keeps header injection out of subjects and names', () => {
    const plan = planSend({
      recipients: [{ kind: 'to', name: 'Eve\r\nBcc: x@evil.com', address: 'eve@example.com' }],
      subject: 'Hello\r\nBcc: x@evil.com',
      body: { text: 'x', html: '' },
    });
    expect(plan.messages[0]!.draft.subject).toBe('Hello Bcc: x@evil.com');
    expect(plan.messages[0]!.draft.to).toEqual([{ name: 'Eve Bcc: x@evil.com', address: 'eve@example.com' }]);
  });

  it('names the field the schema refuses', () => {
    const plan = planSend({ recipients: [{ kind: 'to', name: '', address: 'not-an-address@' }], subject: 'x', body: { text: 'x', html: '' } });
    expect(plan.invalid).toMatch(/^to\.0/);
  });
});

describe('idempotencyKey', () => {
  it('is stable for the same content and compose, different otherwise', async () => {
    const plan = planSend({ recipients: [jane], subject: 'A', body: { text: 'B', html: '' } });
    const m = plan.messages[0]!;
    const k1 = await idempotencyKey('c1', m);
    expect(await idempotencyKey('c1', m)).toBe(k1);
    expect(await idempotencyKey('c2', m)).not.toBe(k1);
    expect(await idempotencyKey('c1', { ...m, draft: { ...m.draft, text: 'C' } })).not.toBe(k1);
    expect(k1).toMatch(/^sw-[0-9a-f]{40}$/);
  });
});
