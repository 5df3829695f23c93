import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { FakeClock, createChannel, getMessage, sendMessage, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';

// Each SMTP fault, scripted on a real SMTP server, ends in the right state.
// Fake clock + a fixed 10 s backoff keep it fast and exact.
describe('relay under SMTP faults', () => {
  const smtp = new TestSmtpServer();
  const clock = new FakeClock();
  let relay: RunningRelay;
  let token: string;

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay({ clock, autoWorker: false, backoff: () => 10_000, env: { RELAY_MAX_ATTEMPTS: '3', RELAY_SMTP_TIMEOUT_MS: '1000' } });
    token = await relay.createToken('rep@example.com');
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  const drive = async () => {
    const n = await relay.relay.worker.tick();
    await relay.relay.worker.settle();
    return n;
  };
  const send = async (channelId: string, subject: string) => {
    const r = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject, text: 'body' });
    expect(r.status).toBe(202);
    return r.body;
  };

  for (const [stage, code, text] of [
    ['data', 451, '4.3.0 Mail server temporarily rejected message'],
    ['mail', 421, '4.7.0 Try again later, closing connection'],
    ['rcpt', 452, '4.5.3 Too many recipients'],
  ] as const) {
    it(`retries a ${code} at ${stage} with backoff and then delivers once, same Message-ID`, async () => {
      const channelId = await createChannel(relay, token, smtpChannel(smtp.port));
      smtp.fail({ stage, code, message: text });
      const m = await send(channelId, `retry ${code}`);
      expect(await drive()).toBe(1);
      let view = await getMessage(relay, token, m.id);
      expect(view).toMatchObject({ status: 'retrying', attempts: 1, nextAttemptAt: new Date(clock.now() + 10_000).toISOString() });
      expect(view.lastError).toContain(String(code));
      expect(smtp.received).toHaveLength(0);
      clock.advance(9_999);
      expect(await drive()).toBe(0);
      clock.advance(1);
      expect(await drive()).toBe(1);
      view = await getMessage(relay, token, m.id);
      expect(view).toMatchObject({ status: 'sent', attempts: 2 });
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]!.parsed.messageId).toBe(m.messageId);
    });
  }

  it('retries a server that answers slower than the timeout; the retry keeps the Message-ID', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port));
    smtp.setDelay(2_500); // past the 2 s socket timeout (RELAY_SMTP_TIMEOUT_MS 1000 × 2)
    const m = await send(channelId, 'slow server');
    await drive();
    smtp.setDelay(0);
    const view = await getMessage(relay, token, m.id);
    expect(view.status).toBe('retrying');
    expect(view.lastError).toMatch(/timeout/i);
    clock.advance(10_000);
    await drive();
    expect((await getMessage(relay, token, m.id)).status).toBe('sent');
    // The slow server may have kept the first copy: every copy carries the same Message-ID.
    expect(new Set(smtp.received.map((r) => r.parsed.messageId))).toEqual(new Set([m.messageId]));
  });

  it('fails a 550 at once with the server text', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port));
    smtp.fail({ stage: 'rcpt', code: 550, message: '5.1.1 <lead@customer.test>: Recipient address rejected: User unknown' });
    const m = await send(channelId, 'perm');
    await drive();
    const view = await getMessage(relay, token, m.id);
    expect(view.status).toBe('failed');
    expect(view.lastError).toMatch(/550 5\.1\.1 .*User unknown/);
    clock.advance(3_600_000);
    expect(await drive()).toBe(0);
    expect(smtp.received).toHaveLength(0);
  });

  it('gives up after RELAY_MAX_ATTEMPTS temporary failures', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port));
    smtp.fail({ stage: 'data', code: 451, message: '4.3.0 busy', times: 3 });
    const m = await send(channelId, 'flaky');
    for (let i = 0; i < 3; i++) {
      await drive();
      clock.advance(10_000);
    }
    const view = await getMessage(relay, token, m.id);
    expect(view).toMatchObject({ status: 'failed', attempts: 3 });
    expect(view.lastError).toMatch(/gave up after 3 attempts: 451 4\.3\.0 busy/);
  });

  it('retries a connection dropped inside DATA', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port));
    smtp.dropInData(1);
    const m = await send(channelId, 'dropped');
    await drive();
    expect((await getMessage(relay, token, m.id)).status).toBe('retrying');
    clock.advance(10_000);
    await drive();
    expect((await getMessage(relay, token, m.id)).status).toBe('sent');
    expect(smtp.received.map((r) => r.parsed.messageId)).toEqual([m.messageId]);
  });

  it('slows down on Office 365 "432 4.3.2 sender thread limit exceeded" and still delivers', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { limits: { concurrency: 3 } }));
    smtp.fail({ stage: 'mail', code: 432, message: '4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded' });
    const ms = [await send(channelId, 'a'), await send(channelId, 'b'), await send(channelId, 'c')];
    expect(await drive()).toBe(3);
    expect(relay.logs.some((l) => l.includes('"channel_slow_down"') && l.includes('"concurrency":2'))).toBe(true);
    clock.advance(10_000);
    // At most 2 connections now: the retried one and the rest go out, never 3 at once.
    await drive();
    for (const m of ms) expect((await getMessage(relay, token, m.id)).status).toBe('sent');
    expect(smtp.received).toHaveLength(3);
  });

  it('holds the channel on "554 5.2.0 SubmissionQuotaExceededException" without failing the mail', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { limits: { concurrency: 1 } }));
    // One successful send earlier today: the window frees 24 h after it, the relay probes at most hourly.
    const early = await send(channelId, 'early');
    await drive();
    expect((await getMessage(relay, token, early.id)).status).toBe('sent');
    clock.advance(600_000);
    smtp.fail({ stage: 'data', code: 554, message: '5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception' });
    const a = await send(channelId, 'quota a');
    const b = await send(channelId, 'quota b');
    // One connection: a starts; on its own queue (SQLite) the relay claims b behind it and hands it to the
    // SMTP thread, where it waits for the connection (a's reply held back meanwhile). Relays sharing a queue
    // (PostgreSQL) claim one per connection.
    smtp.setDelay(300, ['data']);
    try {
      expect(await relay.relay.worker.tick()).toBe(process.env.SENDWAY_TEST_STORE === 'postgres' ? 1 : 2);
      expect((await getMessage(relay, token, b.id)).status).toBe(process.env.SENDWAY_TEST_STORE === 'postgres' ? 'queued' : 'sending');
      await relay.relay.worker.settle();
    } finally {
      smtp.setDelay(0);
    }
    const va = await getMessage(relay, token, a.id);
    expect(va.status).toBe('queued');
    expect(va.attempts).toBe(0);
    expect(va.lastError).toMatch(/SubmissionQuotaExceeded/);
    // b never reached the server: the hold put it back unsent.
    expect(await getMessage(relay, token, b.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(smtp.received.map((r) => r.parsed.subject)).toEqual(['early']);
    const limits = (await (await relay.call(token, 'GET', '/v1/limits')).json()) as { limits: { channelId: string; held?: { until: string; reason: string }; queued: number }[] };
    const held = limits.limits.find((l) => l.channelId === channelId)!;
    expect(held.held?.reason).toMatch(/SubmissionQuotaExceeded/);
    expect(Date.parse(held.held!.until)).toBe(clock.now() + 3_600_000);
    expect(held.queued).toBe(2);
    clock.advance(3_599_000);
    expect(await drive()).toBe(0);
    clock.advance(1_000);
    await drive();
    await drive();
    expect((await getMessage(relay, token, a.id)).status).toBe('sent');
    expect((await getMessage(relay, token, b.id)).status).toBe('sent');
  });

  it('claims three messages per connection ahead of their sends, and sends every one once', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { limits: { concurrency: 2 } }));
    const ms = [];
    for (let i = 0; i < 9; i++) ms.push(await send(channelId, `backlog ${i}`));
    smtp.setDelay(200, ['data']);
    try {
      // Two connections start; on its own queue (SQLite) the relay claims four more behind them, all six
      // handed to the SMTP thread at once (the four wait there for a connection).
      const shared = process.env.SENDWAY_TEST_STORE === 'postgres';
      expect(await relay.relay.worker.tick()).toBe(shared ? 2 : 6);
      const statuses = await Promise.all(ms.map(async (m) => (await getMessage(relay, token, m.id)).status));
      expect(statuses.filter((s) => s === 'sending')).toHaveLength(shared ? 2 : 6);
      expect(statuses.slice(0, shared ? 2 : 6).every((s) => s === 'sending')).toBe(true);
      await relay.relay.worker.settle();
    } finally {
      smtp.setDelay(0);
    }
    while (await drive());
    for (const m of ms) expect((await getMessage(relay, token, m.id)).status).toBe('sent');
    expect(smtp.received.map((r) => r.parsed.subject).sort()).toEqual(ms.map((_, i) => `backlog ${i}`).sort());
  });

  it('marks the channel needs_reconnect on 535 and keeps its mail queued until the password is fixed', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { password: 'old password' }));
    const m = await send(channelId, 'after password change');
    await drive();
    expect((await getMessage(relay, token, m.id)).status).toBe('queued');
    const ch = (await (await relay.call(token, 'GET', `/v1/channels/${channelId}`)).json()) as { status: string };
    expect(ch.status).toBe('needs_reconnect');
    clock.advance(60_000);
    expect(await drive()).toBe(0);
    const patched = await relay.call(token, 'PATCH', `/v1/channels/${channelId}`, { password: 'correct horse' });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { status: string }).status).toBe('active');
    await drive();
    expect((await getMessage(relay, token, m.id)).status).toBe('sent');
  });
});
