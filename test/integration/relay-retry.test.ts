import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, sendMessage, smtpChannel, startRelay, waitForStatus, type RunningRelay } from '../helpers/relay';

// The popup's "Retry" on a failed message: POST /v1/messages/:id/retry.
describe('retrying a failed message', () => {
  const smtp = new TestSmtpServer();
  let relay: RunningRelay;
  let token: string;
  let channelId: string;
  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay();
    token = await relay.createToken('rep@example.com');
    channelId = await createChannel(relay, token, smtpChannel(smtp.port));
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  const message = { from: 'rep@example.com', to: ['lead@customer.test'], subject: 'Pricing', text: 'Here it is.' };

  it('queues a failed message again and delivers it once, with the same Message-ID', async () => {
    smtp.fail({ stage: 'data', code: 550, message: '5.7.1 Message refused by policy' });
    const sent = await sendMessage(relay, token, { channelId, ...message });
    const failed = await waitForStatus(relay, token, sent.body.id, ['failed']);
    expect(failed.lastError).toContain('5.7.1 Message refused by policy');
    const before = smtp.received.length;

    const res = await relay.call(token, 'POST', `/v1/messages/${sent.body.id}/retry`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: sent.body.id, status: expect.stringMatching(/queued|sending|sent/) });
    await waitForStatus(relay, token, sent.body.id, ['sent']);
    const [got] = (await smtp.waitFor(before + 1)).slice(before);
    expect(got!.parsed.messageId).toBe(sent.body.messageId);
    expect(smtp.received.length).toBe(before + 1);
  });

  it('refuses to retry a message that did not fail, or someone else’s', async () => {
    const sent = await sendMessage(relay, token, { channelId, ...message, subject: 'Delivered' });
    await waitForStatus(relay, token, sent.body.id, ['sent']);
    const again = await relay.call(token, 'POST', `/v1/messages/${sent.body.id}/retry`);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'not_retryable' } });
    const other = await relay.createToken('other@example.com');
    expect((await relay.call(other, 'POST', `/v1/messages/${sent.body.id}/retry`)).status).toBe(404);
    expect((await relay.call(token, 'POST', '/v1/messages/msg_nope/retry')).status).toBe(404);
  });

  it('sends a message the rep cancelled after all', async () => {
    const sent = await sendMessage(relay, token, { channelId, ...message, subject: 'Later', sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await relay.call(token, 'DELETE', `/v1/messages/${sent.body.id}`)).status).toBe(200);
    const res = await relay.call(token, 'POST', `/v1/messages/${sent.body.id}/retry`);
    expect(res.status).toBe(200);
    await waitForStatus(relay, token, sent.body.id, ['sent']);
    expect(smtp.received.at(-1)!.parsed.subject).toBe('Later');
  });

  it('is listed in the OpenAPI document, so the popup offers Retry', async () => {
    const doc = (await (await relay.call(null, 'GET', '/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/v1/messages/{id}/retry');
  });
});
