import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SendwayError, describeZodError } from '../../../shared/messages/define';
import { messages } from '../../../shared/messages';
import { startRelay, waitForStatus, type RunningRelay } from '../../../test/helpers/relay';
import { TestSmtpServer } from '../../../test/helpers/smtp-server';
import { useLocale } from '../../popup/testing/i18n';
import type { HandlerContext } from '../router';
import { relayHandlers } from './relay';

// These talk to a real relay that delivers to a real SMTP server: allow for a busy machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const secrets = new Map<string, string>();
vi.mock('../vault', () => ({
  setSecret: async (name: string, value: string) => void secrets.set(name, value),
  getSecret: async (name: string) => secrets.get(name),
  deleteSecret: async (name: string) => void secrets.delete(name),
}));

const ctx: HandlerContext = { trusted: true };

/** Calls a handler the way the router does: payload parsed with the message's schema first. */
async function call<K extends keyof typeof relayHandlers>(type: K, payload: unknown) {
  const parsed = messages[type].request.parse(payload);
  const answer = await (relayHandlers[type] as (p: unknown, c: HandlerContext) => Promise<unknown>)(parsed, ctx);
  return messages[type].response.parse(answer) as Awaited<ReturnType<(typeof relayHandlers)[K]>>;
}

async function rejection(p: Promise<unknown>): Promise<SendwayError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof SendwayError) return error;
    throw error;
  }
  throw new Error('expected a SendwayError');
}

describe('relay handlers', () => {
  let relay: RunningRelay;
  let smtp: TestSmtpServer;
  let token: string;
  let granted: string[];

  beforeAll(async () => {
    smtp = await new TestSmtpServer().start();
    relay = await startRelay();
    token = await relay.createToken('rep@example.com');
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp?.stop();
  });
  beforeEach(async () => {
    fakeBrowser.reset();
    secrets.clear();
    await useLocale('en');
    granted = [`${relay.url}/*`];
    fakeBrowser.permissions.contains = async ({ origins }) => (origins ?? []).every((o) => granted.includes(o));
  });

  const connect = () => call('relay.connect', { relayUrl: relay.url, token });
  const smtpForm = (password = 'correct horse') => ({
    name: 'Test SMTP',
    provider: 'smtp',
    host: '127.0.0.1',
    port: smtp.port,
    security: 'starttls',
    username: 'rep@example.com',
    password,
    scope: 'personal',
  });

  it('reports no relay before one is set up', async () => {
    expect(await call('relay.status', {})).toEqual({
      relayUrl: null,
      urlManaged: false,
      hasToken: false,
      connected: false,
      permission: false,
      canRetry: false,
    });
  });

  it('connects: checks the token with the relay, then keeps it in the vault and the URL in settings', async () => {
    const status = await connect();
    expect(status).toEqual({
      relayUrl: relay.url,
      urlManaged: false,
      hasToken: true,
      connected: true,
      permission: true,
      account: { email: 'rep@example.com', admin: false },
      // Read from the relay's OpenAPI document: this relay publishes its retry endpoint, so the outbox offers Retry.
      canRetry: true,
    });
    expect(secrets.get('relayToken')).toBe(token);
    // The token is never in plain storage, and nothing goes to storage.sync.
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain(token);
    expect(await fakeBrowser.storage.sync.get(null)).toEqual({});
    expect((await fakeBrowser.storage.local.get('settings')).settings).toEqual({ relayUrl: relay.url });
  });

  it('keeps nothing when the relay refuses the token, and points at the token field', async () => {
    const error = await rejection(call('relay.connect', { relayUrl: relay.url, token: 'wrong-token-123' }));
    expect(error).toMatchObject({ code: 'relay_unauthorized', field: 'token' });
    expect(secrets.size).toBe(0);
    expect((await fakeBrowser.storage.local.get('settings')).settings).toBeUndefined();
  });

  it('refuses to connect before the browser granted the relay origin', async () => {
    granted = [];
    const error = await rejection(connect());
    expect(error).toMatchObject({ code: 'permission_needed', field: 'relayUrl' });
    expect(error.message).toContain(new URL(relay.url).host);
  });

  it('refuses a relay address that is not a web address, naming the field', () => {
    const parsed = messages['relay.connect'].request.safeParse({ relayUrl: 'ftp://example.com', token });
    expect(parsed.success).toBe(false);
    expect(parsed.error && describeZodError(parsed.error)).toMatchObject({ field: 'relayUrl' });
  });

  it('refuses plain http to another computer, before the token goes anywhere', async () => {
    granted = ['http://relay.example.com/*'];
    const error = await rejection(call('relay.connect', { relayUrl: 'http://relay.example.com', token }));
    expect(error).toMatchObject({ code: 'insecure_url', field: 'relayUrl' });
    expect(secrets.size).toBe(0);
  });

  it('uses the organisation\'s relay URL and refuses another one', async () => {
    await fakeBrowser.storage.managed.set({ relayUrl: relay.url, lockSettings: true });
    const status = await call('relay.connect', { token });
    expect(status).toMatchObject({ relayUrl: relay.url, urlManaged: true, connected: true });
    // The organisation's URL is not copied into the rep's own settings.
    expect((await fakeBrowser.storage.local.get('settings')).settings).toBeUndefined();
    const error = await rejection(call('relay.connect', { relayUrl: 'https://elsewhere.example.com', token }));
    expect(error).toMatchObject({ code: 'locked', field: 'relayUrl' });
  });

  it('disconnects by forgetting the token but keeping the URL', async () => {
    await connect();
    expect(await call('relay.disconnect', {})).toMatchObject({ relayUrl: relay.url, hasToken: false, connected: false });
    expect(secrets.has('relayToken')).toBe(false);
  });

  it('creates and tests a channel in one go', async () => {
    await connect();
    const { channelId, result } = await call('relay.channels.create', { channel: smtpForm() });
    expect(result).toEqual({ ok: true });
    expect(channelId).toMatch(/^relay:/);
    const { channels } = await call('relay.channels.list', {});
    expect(channels.find((c) => c.id === channelId)).toMatchObject({ name: 'Test SMTP', canDelete: true, ownerEmail: 'rep@example.com' });
    expect(await call('relay.channels.verify', { channelId: channelId! })).toEqual({ ok: true });
    expect(await call('relay.channels.delete', { channelId: channelId! })).toEqual({ deleted: true });
  });

  it('removes a channel whose first test fails, so the rep can fix the form and try again', async () => {
    await connect();
    const before = (await call('relay.channels.list', {})).channels.length;
    const { channelId, result } = await call('relay.channels.create', { channel: smtpForm('wrong password') });
    expect(channelId).toBeNull();
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    expect((await call('relay.channels.list', {})).channels.length).toBe(before);
  });

  it('applies the organisation\'s limits for that kind of channel', async () => {
    await fakeBrowser.storage.managed.set({ limits: { smtp: { perMinute: 5, perDay: 200 } } });
    await connect();
    const { channelId } = await call('relay.channels.create', { channel: { ...smtpForm(), limits: { perMinute: 50 } } });
    const channel = (await call('relay.channels.list', {})).channels.find((c) => c.id === channelId);
    expect(channel?.limits).toMatchObject({ perMinute: 5, perDay: 200 });
    await call('relay.channels.delete', { channelId: channelId! });
  });

  it('refuses a kind of channel the organisation does not allow', async () => {
    await fakeBrowser.storage.managed.set({ allowedChannels: ['office365'] });
    await connect();
    expect(await rejection(call('relay.channels.create', { channel: smtpForm() }))).toMatchObject({ code: 'not_allowed', field: 'provider' });
  });

  it('takes a new password for a channel and tests it again', async () => {
    await connect();
    const id = (await relay.call(token, 'POST', '/v1/channels', smtpForm('old password')).then((r) => r.json())) as { id: string };
    const channelId = `relay:${id.id}`;
    expect(await call('relay.channels.verify', { channelId })).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await call('relay.channels.update', { channelId, changes: { password: 'correct horse' } })).toEqual({ result: { ok: true } });
    await call('relay.channels.delete', { channelId });
  });

  it('lists the outbox newest first and cancels a scheduled send', async () => {
    await connect();
    const { channelId } = await call('relay.channels.create', { channel: smtpForm() });
    const relayId = channelId!.slice('relay:'.length);
    const post = (key: string, body: Record<string, unknown>) =>
      relay.call(token, 'POST', '/v1/messages', { channelId: relayId, from: 'rep@example.com', to: ['a@example.org'], text: 'x', ...body }, { 'Idempotency-Key': key }).then((r) => r.json() as Promise<{ id: string }>);
    const sent = await post('outbox-1', { subject: 'First' });
    await waitForStatus(relay, token, sent.id, ['sent']);
    const later = await post('outbox-2', { subject: 'Second', sendAt: new Date(Date.now() + 3_600_000).toISOString() });

    const { messages: list } = await call('outbox.list', { limit: 2 });
    expect(list.map((m) => m.subject)).toEqual(['Second', 'First']);
    expect(list[0]).toMatchObject({ status: 'scheduled', channelId });

    expect((await call('outbox.cancel', { id: later.id })).message.status).toBe('cancelled');
    const error = await rejection(call('outbox.cancel', { id: sent.id }));
    expect(error.code).toBe('not_cancellable');

    // Retry brings the cancelled send back and it goes out; a sent one cannot be retried.
    expect(['queued', 'sending', 'sent']).toContain((await call('outbox.retry', { id: later.id })).message.status);
    await waitForStatus(relay, token, later.id, ['sent']);
    expect((await rejection(call('outbox.retry', { id: sent.id }))).code).toBe('not_retryable');
  });

  it('asks the rep to connect first', async () => {
    const error = await rejection(call('outbox.list', {}));
    expect(error.code).toBe('relay_not_connected');
    expect(error.message).toMatch(/Connect to your company's relay first/);
  });
});
