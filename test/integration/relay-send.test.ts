import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { startRelay, type RunningRelay } from '../helpers/relay';

// The happy path end to end: token → channel → POST /v1/messages → worker →
// real SMTP server with STARTTLS + AUTH → parsed with mailparser.
describe('relay delivers through SMTP', () => {
  const smtp = new TestSmtpServer();
  let relay: RunningRelay;
  let token: string;
  let channelId: string;

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay();
    token = await relay.createToken('rep@example.com');
    const res = await relay.call(token, 'POST', '/v1/channels', {
      name: 'Test SMTP',
      provider: 'smtp',
      host: '127.0.0.1',
      port: smtp.port,
      security: 'starttls',
      username: 'rep@example.com',
      password: 'correct horse',
      scope: 'personal',
    });
    expect(res.status).toBe(201);
    const channel = (await res.json()) as { id: string; password?: string };
    expect(channel.password).toBeUndefined();
    channelId = channel.id;
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  it('lists the channel for its owner', async () => {
    const res = await relay.call(token, 'GET', '/v1/channels');
    const body = (await res.json()) as { channels: { id: string }[] };
    expect(body.channels.map((c) => c.id)).toEqual([channelId]);
  });

  it('sends a message with headers, body and an attachment, and reports it sent', async () => {
    const res = await relay.call(
      token,
      'POST',
      '/v1/messages',
      {
        channelId,
        from: { name: 'Rep Example', address: 'rep@example.com' },
        to: ['lead@customer.test'],
        cc: [{ name: 'Boss', address: 'boss@customer.test' }],
        bcc: ['archive@example.com'],
        subject: 'Grüße from Sendway',
        text: 'Hello there',
        html: '<p>Hello <b>there</b></p>',
        replyTo: 'replies@example.com',
        inReplyTo: '<prev@customer.test>',
        references: ['<prev@customer.test>'],
        headers: { 'X-Campaign': 'spring' },
        attachments: [{ filename: 'note.txt', contentType: 'text/plain', contentBase64: Buffer.from('attached!').toString('base64') }],
      },
      { 'Idempotency-Key': 'happy-1' },
    );
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; status: string; messageId: string };
    expect(accepted.status).toBe('queued');

    const [got] = await smtp.waitFor(1);
    const p = got!.parsed;
    expect(got!.secure).toBe(true);
    expect(got!.user).toBe('rep@example.com');
    expect(got!.envelope.from).toBe('rep@example.com');
    expect(got!.envelope.to.sort()).toEqual(['archive@example.com', 'boss@customer.test', 'lead@customer.test']);
    expect(p.messageId).toBe(accepted.messageId);
    expect(p.subject).toBe('Grüße from Sendway');
    expect(p.from?.value[0]).toEqual({ name: 'Rep Example', address: 'rep@example.com' });
    expect(p.text?.trim()).toBe('Hello there');
    expect(p.html).toContain('<b>there</b>');
    expect(p.headers.get('bcc')).toBeUndefined();
    expect(p.headers.get('x-campaign')).toBe('spring');
    expect(p.inReplyTo).toBe('<prev@customer.test>');
    expect((p.replyTo?.value[0])?.address).toBe('replies@example.com');
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]!.filename).toBe('note.txt');
    expect(p.attachments[0]!.content.toString()).toBe('attached!');

    // The worker records the result right after the server's 250.
    let view: { status: string; attempts: number; sentAt?: string; messageId: string } | undefined;
    for (let i = 0; i < 50; i++) {
      view = (await (await relay.call(token, 'GET', `/v1/messages/${accepted.id}`)).json()) as typeof view;
      if (view!.status === 'sent') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(view).toMatchObject({ status: 'sent', attempts: 1, messageId: accepted.messageId });
    expect(view!.sentAt).toBeDefined();
  });
});

describe('relay storage after sending', () => {
  it('drops the message content from the database once sent', async () => {
    const smtp = new TestSmtpServer();
    await smtp.start();
    const relay = await startRelay();
    try {
      const token = await relay.createToken('rep@example.com');
      const ch = await relay.call(token, 'POST', '/v1/channels', {
        name: 'T', provider: 'smtp', host: '127.0.0.1', port: smtp.port, username: 'rep@example.com', password: 'correct horse', scope: 'personal',
      });
      const channelId = ((await ch.json()) as { id: string }).id;
      const res = await relay.call(token, 'POST', '/v1/messages', { channelId, from: 'rep@example.com', to: ['x@y.test'], subject: 's', text: 'UNIQUE-BODY-MARKER' }, { 'Idempotency-Key': 'purge-1' });
      const { id } = (await res.json()) as { id: string };
      await smtp.waitFor(1);
      for (let i = 0; i < 100; i++) {
        const row = await relay.relay.db.selectFrom('messages').select('status').where('id', '=', id).executeTakeFirstOrThrow();
        if (row.status === 'sent') {
          const content = await relay.relay.db.selectFrom('message_payloads').select('payload').where('message_id', '=', id).executeTakeFirst();
          expect(content).toBeUndefined();
          // The listing still shows what was sent.
          const view = (await (await relay.call(token, 'GET', `/v1/messages/${id}`)).json()) as { status: string; subject: string };
          expect(view).toMatchObject({ status: 'sent', subject: 's' });
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('message was not marked sent');
    } finally {
      await relay.stop();
      await smtp.stop();
    }
  });
});
