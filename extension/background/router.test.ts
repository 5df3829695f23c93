import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { messages, type MessageDef, type MessageType } from '../../shared/messages';
import { createRouter, type Handlers, type SenderInfo } from './router';

/**
 * The background's front door. Content scripts run inside webmail pages we do
 * not control, so the router decides, from what the browser says about the
 * sender, whether a message comes from our own pages (trusted) or not — and
 * refuses trusted-only messages, malformed envelopes and payloads that fail
 * their schema before any handler runs.
 */
const ID = 'odbmceaebecihlmjdpgmbmagceiihbmh';
const ORIGIN = `chrome-extension://${ID}/`;

const contentScript: SenderInfo = { id: ID, url: 'https://mail.google.com/mail/u/0/#inbox?compose=new', tab: { id: 7 } };
const popup: SenderInfo = { id: ID, url: `${ORIGIN}popup.html` };
const optionsInTab: SenderInfo = { id: ID, url: `${ORIGIN}options.html#outbox`, tab: { id: 9 } };

/** Handlers that record their calls; templates.list / templates.delete answer valid responses. */
function recordingHandlers() {
  const calls: { type: string; payload: unknown; ctx: unknown }[] = [];
  const handlers = new Proxy({} as Handlers, {
    get: (_t, type: string) => async (payload: unknown, ctx: unknown) => {
      calls.push({ type, payload, ctx });
      if (type === 'templates.list') return { templates: [] };
      if (type === 'templates.delete') return { deleted: true };
      if (type === 'ping') return { version: '1' };
      if (type === 'mail.send') return { results: [] };
      throw new Error(`handler ${type} failed on purpose`);
    },
  });
  return { calls, route: createRouter(handlers, ORIGIN, ID) };
}

const isTrusted = (t: MessageType) => (messages[t] as MessageDef).trusted === true;
const trustedTypes = (Object.keys(messages) as MessageType[]).filter(isTrusted);
const untrustedTypes = (Object.keys(messages) as MessageType[]).filter((t) => !isTrusted(t));

describe('sender classification', () => {
  it('refuses every trusted-only message from a content script, before any handler runs', async () => {
    expect(trustedTypes.length).toBeGreaterThan(10);
    const { calls, route } = recordingHandlers();
    for (const type of trustedTypes) {
      const reply = await route({ type, payload: {} }, contentScript);
      expect(reply, type).toEqual({ ok: false, error: { code: 'forbidden', message: `${type} may only be sent from the extension's own pages` } });
    }
    expect(calls).toEqual([]);
  });

  it("treats the extension's own pages as trusted, also when opened in a tab", async () => {
    const { calls, route } = recordingHandlers();
    expect(await route({ type: 'templates.delete', payload: { id: 'greeting' } }, popup)).toEqual({ ok: true, data: { deleted: true } });
    expect(await route({ type: 'templates.delete', payload: { id: 'greeting' } }, optionsInTab)).toEqual({ ok: true, data: { deleted: true } });
    expect(calls.map((c) => c.ctx)).toEqual([
      { trusted: true, tabId: undefined, url: popup.url },
      { trusted: true, tabId: 9, url: optionsInTab.url },
    ]);
  });

  it('lets a content script send the messages meant for it, marked untrusted with its tab', async () => {
    const { calls, route } = recordingHandlers();
    expect(await route({ type: 'templates.list', payload: {} }, contentScript)).toEqual({ ok: true, data: { templates: [] } });
    expect(calls[0]!.ctx).toEqual({ trusted: false, tabId: 7, url: contentScript.url });
  });

  it.each([
    ['a page URL that merely contains our origin', { id: ID, url: `https://evil.example/${ORIGIN}popup.html`, tab: { id: 1 } }],
    ['another extension id as a URL prefix', { id: ID, url: `chrome-extension://${ID}x/popup.html` }],
    ['no URL at all', { id: ID }],
    ['an about:blank frame inside webmail', { id: ID, url: 'about:blank', tab: { id: 2 } }],
    ['a data: URL', { id: ID, url: `data:text/html,${ORIGIN}` }],
  ] as [string, SenderInfo][])('does not trust %s', async (_label, sender) => {
    const { calls, route } = recordingHandlers();
    expect(await route({ type: 'templates.delete', payload: { id: 'x' } }, sender)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toEqual([]);
  });

  it('refuses any message from another extension, even one that claims our page URL', async () => {
    const { calls, route } = recordingHandlers();
    for (const sender of [{ id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', url: `${ORIGIN}popup.html` }, { url: `${ORIGIN}popup.html` }]) {
      expect(await route({ type: 'ping', payload: {} }, sender)).toEqual({ ok: false, error: { code: 'forbidden', message: 'Message from another extension refused' } });
    }
    expect(calls).toEqual([]);
  });
});

describe('what a content script sends is validated before a handler sees it', () => {
  it.each([
    ['a string', 'mail.send'],
    ['null', null],
    ['an array', [{ type: 'ping' }]],
    ['no type', { payload: {} }],
    ['an empty type', { type: '', payload: {} }],
    ['a type that is not a string', { type: { toString: 'ping' }, payload: {} }],
    ['an overlong type', { type: 'p'.repeat(101), payload: {} }],
    ['an extra envelope field', { type: 'ping', payload: {}, trusted: true }],
  ])('refuses an envelope that is %s', async (_label, raw) => {
    const { calls, route } = recordingHandlers();
    const reply = await route(raw, contentScript);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(calls).toEqual([]);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'relay.token', 'Ping'])('refuses the unknown type %s', async (type) => {
    const { calls, route } = recordingHandlers();
    expect(await route({ type, payload: {} }, contentScript)).toEqual({ ok: false, error: { code: 'unknown_message', message: `Unknown message type: ${type}` } });
    expect(calls).toEqual([]);
  });

  const draft = { to: ['lead@customer.test'], subject: 'Hello', text: 'Hi' };
  const send = (patch: object) => ({ type: 'mail.send', payload: { messages: [{ idempotencyKey: 'key-12345678', draft }], ...patch } });
  it.each([
    ['messages that are not a list', send({ messages: 'all of them' }), 'messages'],
    ['no messages', send({ messages: [] }), 'messages'],
    ['too many messages', send({ messages: Array.from({ length: 501 }, (_, i) => ({ idempotencyKey: `key-${i}-123456`, draft })) }), 'messages'],
    ['a short idempotency key', send({ messages: [{ idempotencyKey: 'k', draft }] }), 'messages.0.idempotencyKey'],
    ['CRLF in the subject', send({ messages: [{ idempotencyKey: 'key-12345678', draft: { ...draft, subject: 'Hi\r\nBcc: all@corp.example' } }] }), 'messages.0.draft.subject'],
    ['NUL in a recipient name', send({ messages: [{ idempotencyKey: 'key-12345678', draft: { ...draft, to: [{ name: 'A\0B', address: 'a@b.test' }] } }] }), 'messages.0.draft.to.0'],
    ['HTML as an address', send({ messages: [{ idempotencyKey: 'key-12345678', draft: { ...draft, to: ['<img src=x onerror=alert(1)>'] } }] }), 'messages.0.draft.to.0'],
    ['an unknown field in the draft', send({ messages: [{ idempotencyKey: 'key-12345678', draft: { ...draft, envelope: { to: 'x@y.z' } } }] }), 'messages.0.draft'],
    ['an unknown top-level field', send({ relayToken: 'swr_x' }), ''],
    ['a bad date', send({ sendAt: 'tomorrow 9am' }), 'sendAt'],
    ['a non-X header', send({ messages: [{ idempotencyKey: 'key-12345678', draft: { ...draft, headers: { Bcc: 'x@y.z' } } }] }), 'messages.0.draft.headers'],
  ])('refuses mail.send with %s, naming the field', async (_label, raw, field) => {
    const { calls, route } = recordingHandlers();
    const reply = await route(raw, contentScript);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (field) expect((reply as { error: { field?: string } }).error.field ?? '').toContain(field);
    expect(calls).toEqual([]);
  });

  it('answers a failing handler with an error reply, never a throw', async () => {
    const { route } = recordingHandlers();
    const reply = await route({ type: 'templates.save', payload: { name: 'x', subject: 's', body: 'b' } }, popup);
    expect(reply).toEqual({ ok: false, error: { code: 'internal', message: 'handler templates.save failed on purpose' } });
  });

  it('validates what a handler answers, too', async () => {
    const handlers = new Proxy({} as Handlers, { get: () => async () => ({ templates: [{ secret: 'leak' }] }) });
    const route = createRouter(handlers, ORIGIN, ID);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await route({ type: 'templates.list', payload: {} }, contentScript)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('the registry', () => {
  it('marks everything that touches the relay, settings, accounts or the outbox trusted-only', () => {
    for (const type of untrustedTypes) expect(type, `${type} is open to content scripts`).not.toMatch(/^(relay|settings|gmail|office365|microsoft|outbox)\./);
    for (const type of ['relay.connect', 'relay.status', 'settings.get', 'settings.update', 'gmail.connect', 'outbox.list', 'templates.save', 'channels.setActive'] as const) {
      expect(isTrusted(type as MessageType), type).toBe(true);
    }
  });

  it('gives content scripts no field that could carry a secret in any answer', () => {
    const secretish = /token|password|secret|credential|apikey|refresh|authorization|cookie/i;
    const names = (schema: unknown): string[] => {
      const out: string[] = [];
      const walk = (node: unknown) => {
        if (!node || typeof node !== 'object') return;
        if (Array.isArray(node)) return node.forEach(walk);
        const o = node as Record<string, unknown>;
        if (o.properties && typeof o.properties === 'object') out.push(...Object.keys(o.properties));
        Object.values(o).forEach(walk);
      };
      walk(z.toJSONSchema(schema as z.ZodType, { unrepresentable: 'any', io: 'output' }));
      return out;
    };
    expect(untrustedTypes).toEqual(expect.arrayContaining(['ping', 'channels.list', 'mail.send', 'templates.list']));
    for (const type of untrustedTypes) {
      const leaky = names(messages[type].response).filter((n) => secretish.test(n));
      expect(leaky, `${type} answers a content script with ${leaky.join(', ')}`).toEqual([]);
    }
  });
});
