import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { FakeClock, createChannel, getMessage, sendMessage, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';

// Idempotency, listing, cancelling and the small endpoints, against the real HTTP server.
describe('relay API', () => {
  const smtp = new TestSmtpServer();
  const clock = new FakeClock();
  let relay: RunningRelay;
  let token: string;
  let other: string;
  let channelId: string;

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay({ clock, autoWorker: false });
    token = await relay.createToken('rep@example.com');
    other = await relay.createToken('other@example.com');
    channelId = await createChannel(relay, token, smtpChannel(smtp.port));
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  const drive = async () => {
    await relay.relay.worker.tick();
    await relay.relay.worker.settle();
  };
  const mail = (subject: string, extra: Record<string, unknown> = {}) => ({ channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject, text: 'hi', ...extra });

  it('the same Idempotency-Key from the same token is the same message, sent once', async () => {
    const a = await sendMessage(relay, token, mail('idem'), 'idem-key-1');
    const b = await sendMessage(relay, token, mail('idem'), 'idem-key-1');
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body).toEqual(a.body);
    // Concurrent retries of one click: still one message.
    const burst = await Promise.all(Array.from({ length: 10 }, () => sendMessage(relay, token, mail('idem'), 'idem-key-1')));
    expect(new Set(burst.map((r) => r.body.id))).toEqual(new Set([a.body.id]));
    await drive();
    const c = await relay.call(token, 'POST', '/v1/messages', mail('idem'), { 'Idempotency-Key': 'idem-key-1' });
    expect(c.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await c.json()) as { status: string }).status).toBe('sent');
    await drive();
    expect(smtp.received.filter((r) => r.parsed.subject === 'idem')).toHaveLength(1);
  });

  it('a reused key with a different body is a 409; another token has its own key space', async () => {
    await sendMessage(relay, token, mail('first'), 'idem-key-2');
    const clash = await sendMessage(relay, token, mail('second'), 'idem-key-2');
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
    const otherCh = await createChannel(relay, other, smtpChannel(smtp.port, { username: 'other@example.com' }));
    const mine = await sendMessage(relay, other, { ...mail('first'), channelId: otherCh, from: 'other@example.com' }, 'idem-key-2');
    expect(mine.status).toBe(202);
  });

  it('requires an Idempotency-Key', async () => {
    const res = await relay.call(token, 'POST', '/v1/messages', mail('no key'));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('Idempotency-Key');
    const bad = await relay.call(token, 'POST', '/v1/messages', mail('bad key'), { 'Idempotency-Key': 'has space' });
    expect(bad.status).toBe(400);
  });

  it('lists own messages by status and cancels only what is not yet sending', async () => {
    const later = await sendMessage(relay, token, mail('later', { sendAt: new Date(clock.now() + 86_400_000).toISOString() }));
    expect(later.body.status).toBe('scheduled');
    const list = (await (await relay.call(token, 'GET', '/v1/messages?status=scheduled')).json()) as { messages: { id: string; status: string; sendAt: string }[] };
    expect(list.messages.map((m) => m.id)).toEqual([later.body.id]);
    const del = await relay.call(token, 'DELETE', `/v1/messages/${later.body.id}`);
    expect(del.status).toBe(200);
    expect(((await del.json()) as { status: string }).status).toBe('cancelled');
    expect((await relay.call(token, 'DELETE', `/v1/messages/${later.body.id}`)).status).toBe(200);
    const sent = (await (await relay.call(token, 'GET', '/v1/messages?status=sent')).json()) as { messages: { id: string; status: string }[] };
    expect(sent.messages.length).toBeGreaterThan(0);
    expect(sent.messages.every((m) => m.status === 'sent')).toBe(true);
    const conflict = await relay.call(token, 'DELETE', `/v1/messages/${sent.messages[0]!.id}`);
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('not_cancellable');
    await drive();
    expect(smtp.received.find((r) => r.parsed.subject === 'later')).toBeUndefined();
    expect((await relay.call(token, 'GET', '/v1/messages?status=bogus')).status).toBe(400);
    expect((await relay.call(token, 'GET', '/v1/messages/msg_nope')).status).toBe(404);
    expect((await getMessage(relay, token, later.body.id)).status).toBe('cancelled');
  });

  it('GET /v1/me and /v1/limits', async () => {
    expect(await (await relay.call(token, 'GET', '/v1/me')).json()).toEqual({ email: 'rep@example.com', admin: false });
    const limits = (await (await relay.call(token, 'GET', '/v1/limits')).json()) as { limits: Record<string, unknown>[] };
    expect(limits.limits[0]).toMatchObject({
      channelId,
      perMinute: { limit: null },
      perDay: { limit: null, unit: 'messages' },
      perMessage: null,
      nextSlotAt: new Date(clock.now()).toISOString(),
    });
  });

  it('channels show presets and never the password', async () => {
    const res = await relay.call(token, 'POST', '/v1/channels', { name: 'O365', provider: 'office365', password: 'pw-o365-secret', scope: 'personal' });
    expect(res.status).toBe(201);
    const ch = (await res.json()) as Record<string, unknown>;
    expect(ch).toMatchObject({
      host: 'smtp.office365.com',
      port: 587,
      security: 'starttls',
      username: 'rep@example.com',
      scope: 'personal',
      limits: { perMinute: 30, perDay: 10_000, perDayUnit: 'recipients', perMessage: 500, concurrency: 3 },
    });
    expect(JSON.stringify(ch)).not.toContain('pw-o365-secret');
    const sp = (await (await relay.call(token, 'POST', '/v1/channels', { name: 'SP', provider: 'sparkpost', password: 'k', scope: 'domain', domains: ['example.com'] })).json()) as Record<string, unknown>;
    expect(sp).toMatchObject({ host: 'smtp.sparkpostmail.com', port: 587, username: 'SMTP_Injection' });
    const sg = (await (await relay.call(token, 'POST', '/v1/channels', { name: 'SG', provider: 'sendgrid', password: 'k', scope: 'domain', domains: ['example.com'] })).json()) as Record<string, unknown>;
    expect(sg).toMatchObject({ host: 'smtp.sendgrid.net', port: 587, username: 'apikey' });
    const all = await (await relay.call(token, 'GET', '/v1/channels')).text();
    expect(all).not.toContain('pw-o365-secret');
  });

  it('publishes an OpenAPI document without auth', async () => {
    const res = await relay.call(null, 'GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/channels', '/v1/messages', '/v1/messages/{id}', '/v1/limits', '/v1/channels/{id}/verify']));
    const send = doc.paths['/v1/messages']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(send.properties)).toEqual(expect.arrayContaining(['channelId', 'from', 'to', 'subject', 'attachments', 'sendAt']));
  });
});
