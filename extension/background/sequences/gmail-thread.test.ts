import { describe, expect, it } from 'vitest';
import { addressIn, threadReplier } from './gmail-thread';

const thread = (messages: object[]) => async (url: string | URL | Request, init?: RequestInit) => {
  expect(String(url)).toBe('https://api.test/gmail/v1/users/me/threads/t%2F1?format=metadata&metadataHeaders=From');
  expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  return new Response(JSON.stringify({ id: 't/1', messages }), { status: 200 });
};
const msg = (from: string, internalDate: number, labelIds = ['INBOX']) => ({ internalDate: String(internalDate), labelIds, payload: { headers: [{ name: 'From', value: from }] } });
const base = { apiBase: 'https://api.test', accessToken: 'tok', threadId: 't/1', self: 'Rep@example.com', since: 1000 };

describe('Gmail metadata reply check', () => {
  it('finds the first other sender after the enrolment', async () => {
    const f = thread([msg('Rep <rep@example.com>', 1500, ['SENT']), msg('"Doe, Jane" <Jane@Acme.test>', 2000)]);
    expect(await threadReplier({ ...base, fetch: f as typeof fetch })).toBe('jane@acme.test');
  });

  it('ignores the rep’s own messages, drafts and anything older than the enrolment', async () => {
    const f = thread([msg('rep@example.com', 1500), msg('jane@acme.test', 500), msg('jane@acme.test', 3000, ['DRAFT'])]);
    expect(await threadReplier({ ...base, fetch: f as typeof fetch })).toBeNull();
  });

  it('throws on an HTTP error so the caller can decide', async () => {
    const f = (async () => new Response('{}', { status: 403 })) as typeof fetch;
    await expect(threadReplier({ ...base, fetch: f })).rejects.toThrow(/403/);
  });

  it('reads addresses out of From headers', () => {
    expect(addressIn('Jane <jane@acme.test>')).toBe('jane@acme.test');
    expect(addressIn('jane@acme.test')).toBe('jane@acme.test');
    expect(addressIn('Nobody')).toBeNull();
  });
});
