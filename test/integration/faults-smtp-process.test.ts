import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpServerProcess, type ReceivedSummary } from '../helpers/smtp-server-process';
import type { Fault } from '../helpers/smtp-server';
import { FakeClock, createChannel, getMessage, sendMessage, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';

/**
 * SMTP faults from a real SMTP server in its own process — killed for
 * "connection refused", told to cut DATA, to answer 4xx/5xx and Office 365's
 * throttling replies, or to answer too slowly. The relay runs with a fake
 * clock and a fixed 10 s backoff so every retry is exact. Each scenario has
 * its own channel; after each, the outbox as the API shows it (/v1/limits
 * counts, /v1/messages per status) must agree with what the server holds.
 */
const BACKOFF = 10_000;
const MAX_ATTEMPTS = 4;

describe('relay against a misbehaving SMTP server process', () => {
  const clock = new FakeClock();
  let smtp: SmtpServerProcess;
  let relay: RunningRelay;
  let token: string;
  /** Everything the server process accepted over the whole file (it forgets on restart). */
  const arrived: ReceivedSummary[] = [];
  /** Every message this file posted: id → channel and Message-ID. */
  const posted = new Map<string, { channelId: string; messageId: string }>();

  beforeAll(async () => {
    smtp = await SmtpServerProcess.start();
    relay = await startRelay({ clock, autoWorker: false, backoff: () => BACKOFF, env: { RELAY_MAX_ATTEMPTS: String(MAX_ATTEMPTS), RELAY_SMTP_TIMEOUT_MS: '1000' } });
    token = await relay.createToken('rep@example.com');
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp?.stop();
  });

  /** Moves what the server holds into `arrived` and clears it. */
  const collect = async () => {
    if (!smtp.running) return;
    const { received } = await smtp.received();
    arrived.push(...received);
    await smtp.clear();
  };
  const copiesOf = (messageId: string) => arrived.filter((r) => r.messageId === messageId).length;
  const drive = async () => {
    const n = await relay.relay.worker.tick();
    await relay.relay.worker.settle();
    return n;
  };
  const channel = (overrides: Record<string, unknown> = {}) => createChannel(relay, token, smtpChannel(smtp.port, overrides));
  const send = async (channelId: string, subject: string, extra: Record<string, unknown> = {}) => {
    const r = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject, text: 'body', ...extra });
    expect(r.status).toBe(202);
    posted.set(r.body.id, { channelId, messageId: r.body.messageId });
    return r.body;
  };
  const limitsOf = async (channelId: string) => {
    const body = (await (await relay.call(token, 'GET', '/v1/limits')).json()) as {
      limits: { channelId: string; queued: number; sent: number; failed: number; held?: { until: string; reason: string } }[];
    };
    return body.limits.find((l) => l.channelId === channelId)!;
  };
  /** The API's two views of one channel's outbox agree with each other and with `expected`. */
  const expectOutbox = async (channelId: string, expected: { queued: number; sent: number; failed: number }) => {
    const limits = await limitsOf(channelId);
    expect({ queued: limits.queued, sent: limits.sent, failed: limits.failed }).toEqual(expected);
    const list = (await (await relay.call(token, 'GET', '/v1/messages?limit=500')).json()) as { messages: { channelId: string; status: string }[] };
    const mine = list.messages.filter((m) => m.channelId === channelId);
    const by = (...s: string[]) => mine.filter((m) => s.includes(m.status)).length;
    expect({ queued: by('scheduled', 'queued', 'retrying', 'sending'), sent: by('sent'), failed: by('failed') }).toEqual(expected);
    expect(by('sending')).toBe(0); // nothing is left half-way once the worker settled
  };

  it('connection refused (server process killed): retried, verify says connect_failed, delivered once after the server is back', async () => {
    const channelId = await channel();
    await smtp.kill();
    const m = await send(channelId, 'refused');
    expect(await drive()).toBe(1);
    let view = await getMessage(relay, token, m.id);
    expect(view).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(view.lastError).toMatch(/ECONNREFUSED|connect/i);
    const verify = (await (await relay.call(token, 'POST', `/v1/channels/${channelId}/verify`)).json()) as { ok: boolean; code?: string };
    expect(verify).toMatchObject({ ok: false, code: 'connect_failed' });
    await expectOutbox(channelId, { queued: 1, sent: 0, failed: 0 });
    // Still down at the first retry: the second attempt is refused too.
    clock.advance(BACKOFF);
    expect(await drive()).toBe(1);
    expect(await getMessage(relay, token, m.id)).toMatchObject({ status: 'retrying', attempts: 2 });
    await smtp.restart();
    clock.advance(BACKOFF);
    expect(await drive()).toBe(1);
    view = await getMessage(relay, token, m.id);
    expect(view).toMatchObject({ status: 'sent', attempts: 3 });
    await collect();
    expect(copiesOf(m.messageId)).toBe(1);
    await expectOutbox(channelId, { queued: 0, sent: 1, failed: 0 });
  });

  it('connection cut inside DATA: retried with the same Message-ID; one copy if the server dropped it, at most two if it kept it', async () => {
    const channelId = await channel({ limits: { concurrency: 1 } });
    await smtp.dropInData(1, 'discard');
    const discarded = await send(channelId, 'cut, discarded');
    await drive();
    expect(await getMessage(relay, token, discarded.id)).toMatchObject({ status: 'retrying', attempts: 1 });
    await smtp.dropInData(1, 'keep');
    const kept = await send(channelId, 'cut, kept');
    clock.advance(BACKOFF);
    await drive(); // the retry of the first goes out; the second is cut after the server kept it
    await drive();
    expect(await getMessage(relay, token, discarded.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await getMessage(relay, token, kept.id)).toMatchObject({ status: 'retrying', attempts: 1 });
    await expectOutbox(channelId, { queued: 1, sent: 1, failed: 0 });
    clock.advance(BACKOFF);
    await drive();
    expect(await getMessage(relay, token, kept.id)).toMatchObject({ status: 'sent', attempts: 2 });
    const { cuts } = await smtp.received();
    expect(cuts).toBe(2);
    await collect();
    expect(copiesOf(discarded.messageId)).toBe(1);
    expect(copiesOf(kept.messageId)).toBe(2);
    await expectOutbox(channelId, { queued: 0, sent: 2, failed: 0 });
  });

  const temporary: [string, Fault][] = [
    ['421 instead of a greeting', { stage: 'connect', code: 421, message: '4.3.2 Service not available, closing transmission channel' }],
    ['421 at MAIL FROM', { stage: 'mail', code: 421, message: '4.7.0 Try again later, closing connection' }],
    ['452 at RCPT TO', { stage: 'rcpt', code: 452, message: '4.5.3 Too many recipients' }],
    ['451 at DATA', { stage: 'data', code: 451, message: '4.3.0 Mail server temporarily rejected message' }],
    ['452 at DATA (storage)', { stage: 'data', code: 452, message: '4.3.1 Insufficient system storage' }],
  ];
  it.each(temporary)('temporary %s: retried after the backoff and delivered once', async (_label, fault) => {
    const channelId = await channel();
    await smtp.fail(fault);
    const m = await send(channelId, `temporary ${fault.code} ${fault.stage}`);
    await drive();
    const view = await getMessage(relay, token, m.id);
    expect(view).toMatchObject({ status: 'retrying', attempts: 1, nextAttemptAt: new Date(clock.now() + BACKOFF).toISOString() });
    expect(view.lastError).toContain(String(fault.code));
    await expectOutbox(channelId, { queued: 1, sent: 0, failed: 0 });
    clock.advance(BACKOFF - 1);
    expect(await drive()).toBe(0);
    clock.advance(1);
    expect(await drive()).toBe(1);
    expect(await getMessage(relay, token, m.id)).toMatchObject({ status: 'sent', attempts: 2 });
    await collect();
    expect(copiesOf(m.messageId)).toBe(1);
    await expectOutbox(channelId, { queued: 0, sent: 1, failed: 0 });
  });

  const permanent: [string, Fault, RegExp][] = [
    ['550 at RCPT TO', { stage: 'rcpt', code: 550, message: '5.1.1 <lead@customer.test>: Recipient address rejected: User unknown' }, /^550 5\.1\.1 .*User unknown/],
    ['550 at MAIL FROM', { stage: 'mail', code: 550, message: '5.7.60 SMTP; Client does not have permissions to send as this sender' }, /^550 5\.7\.60 .*send as this sender/],
    ['554 at DATA', { stage: 'data', code: 554, message: '5.7.1 Message rejected as spam by Content Filtering' }, /^554 5\.7\.1 .*rejected as spam/],
    ['554 at DATA (transaction failed)', { stage: 'data', code: 554, message: '5.6.0 Corrupt message content' }, /^554 5\.6\.0 Corrupt/],
  ];
  it.each(permanent)('permanent %s: failed at once with the server text, never retried', async (_label, fault, text) => {
    const channelId = await channel();
    await smtp.fail(fault);
    const m = await send(channelId, `permanent ${fault.code} ${fault.stage}`);
    await drive();
    const view = await getMessage(relay, token, m.id);
    expect(view).toMatchObject({ status: 'failed', attempts: 1 });
    expect(view.lastError).toMatch(text);
    clock.advance(3_600_000);
    expect(await drive()).toBe(0);
    await collect();
    expect(copiesOf(m.messageId)).toBe(0);
    await expectOutbox(channelId, { queued: 0, sent: 0, failed: 1 });
    // The refused send does not count against the channel's limits.
    const limits = await limitsOf(channelId);
    expect(limits).toMatchObject({ queued: 0 });
  });

  it('a server that keeps answering 451: gives up after RELAY_MAX_ATTEMPTS with the last reply', async () => {
    const channelId = await channel();
    await smtp.fail({ stage: 'data', code: 451, message: '4.4.5 Server busy', times: MAX_ATTEMPTS });
    const m = await send(channelId, 'always busy');
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect(await drive()).toBe(1);
      clock.advance(BACKOFF);
    }
    expect(await drive()).toBe(0);
    const view = await getMessage(relay, token, m.id);
    expect(view).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(view.lastError).toBe(`gave up after ${MAX_ATTEMPTS} attempts: 451 4.4.5 Server busy`);
    await collect();
    await expectOutbox(channelId, { queued: 0, sent: 0, failed: 1 });
  });

  it('Office 365 "432 4.3.2 sender thread limit exceeded": paced down to fewer connections, everything delivered once', async () => {
    const channelId = await channel({ limits: { concurrency: 3 } });
    await smtp.fail({ stage: 'mail', code: 432, message: '4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=AM0PR01MB1234]', times: 2 });
    const ms = await Promise.all(Array.from({ length: 6 }, (_, i) => send(channelId, `o365 threads ${i}`)));
    expect(await drive()).toBeGreaterThanOrEqual(3); // every connection busy (the worker may also queue one behind each)
    const logs = relay.logs.filter((l) => l.includes('"channel_slow_down"') && l.includes(channelId));
    expect(logs.length).toBeGreaterThanOrEqual(1);
    expect(logs.at(-1)).toMatch(/"concurrency":1/); // two 432s: 3 → 2 → 1
    const after = await limitsOf(channelId);
    expect(after.failed).toBe(0);
    expect(after.queued + after.sent).toBe(6);
    expect(after.queued).toBeGreaterThanOrEqual(2); // the two refused ones wait for their retry
    for (let i = 0; i < 20 && (await limitsOf(channelId)).queued > 0; i++) {
      if ((await drive()) === 0) clock.advance(BACKOFF);
    }
    for (const m of ms) expect((await getMessage(relay, token, m.id)).status).toBe('sent');
    await collect();
    for (const m of ms) expect(copiesOf(m.messageId)).toBe(1);
    await expectOutbox(channelId, { queued: 0, sent: 6, failed: 0 });
  });

  it('Office 365 "554 5.2.0 SubmissionQuotaExceededException": the channel is held, its mail stays queued, and goes out after the hold', async () => {
    const channelId = await channel({ limits: { concurrency: 1 } });
    // Like Office 365 with the daily quota spent: every submission is refused until the quota frees.
    await smtp.fail({ stage: 'data', code: 554, message: '5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]', times: 100 });
    const ms = await Promise.all(Array.from({ length: 3 }, (_, i) => send(channelId, `o365 quota ${i}`)));
    expect(await drive()).toBeGreaterThanOrEqual(1);
    const limits = await limitsOf(channelId);
    expect(limits.held?.reason).toMatch(/SubmissionQuotaExceeded/);
    const until = Date.parse(limits.held!.until);
    expect(until).toBeGreaterThan(clock.now());
    for (const m of ms) {
      const v = await getMessage(relay, token, m.id);
      expect(v.status).toBe('queued');
      expect(v.attempts).toBe(0); // not the message's fault
    }
    await expectOutbox(channelId, { queued: 3, sent: 0, failed: 0 });
    clock.advance(until - clock.now() - 1);
    expect(await drive()).toBe(0);
    await collect();
    await smtp.clear(); // the quota frees
    clock.advance(1);
    for (let i = 0; i < 5; i++) await drive();
    for (const m of ms) expect((await getMessage(relay, token, m.id)).status).toBe('sent');
    await collect();
    for (const m of ms) expect(copiesOf(m.messageId)).toBe(1);
    await expectOutbox(channelId, { queued: 0, sent: 3, failed: 0 });
  });

  it('a greeting slower than the connect timeout: retried with a timeout error, then delivered', async () => {
    const channelId = await channel();
    await smtp.setDelay(1_600, ['connect']); // past RELAY_SMTP_TIMEOUT_MS (1000)
    const m = await send(channelId, 'slow greeting');
    await drive();
    await smtp.setDelay(0);
    const view = await getMessage(relay, token, m.id);
    expect(view.status).toBe('retrying');
    expect(view.lastError).toMatch(/greeting never received|timeout|timed out/i); // nodemailer's ETIMEDOUT text
    await expectOutbox(channelId, { queued: 1, sent: 0, failed: 0 });
    clock.advance(BACKOFF);
    await drive();
    expect(await getMessage(relay, token, m.id)).toMatchObject({ status: 'sent', attempts: 2 });
    await collect();
    expect(copiesOf(m.messageId)).toBe(1);
  });

  it('a DATA reply slower than the socket timeout: retried; the server may hold two copies, both with the same Message-ID', async () => {
    const channelId = await channel();
    await smtp.setDelay(2_600, ['data']); // past the 2 s socket timeout (2 × RELAY_SMTP_TIMEOUT_MS)
    const m = await send(channelId, 'slow DATA reply');
    await drive();
    await smtp.setDelay(0);
    const view = await getMessage(relay, token, m.id);
    expect(view.status).toBe('retrying');
    expect(view.lastError).toMatch(/timeout|timed out/i);
    clock.advance(BACKOFF);
    await drive();
    expect(await getMessage(relay, token, m.id)).toMatchObject({ status: 'sent', attempts: 2 });
    await new Promise((r) => setTimeout(r, 1_000)); // let the late first copy land
    await collect();
    expect(copiesOf(m.messageId)).toBeGreaterThanOrEqual(1);
    expect(copiesOf(m.messageId)).toBeLessThanOrEqual(2);
    await expectOutbox(channelId, { queued: 0, sent: 1, failed: 0 });
  });

  it('across every scenario: each sent message reached the server, no failed one did, nothing more than twice, and nothing else arrived', async () => {
    await collect();
    const list = (await (await relay.call(token, 'GET', '/v1/messages?limit=500')).json()) as { messages: { id: string; status: string; messageId: string }[] };
    expect(list.messages.length).toBe(posted.size);
    const known = new Set([...posted.values()].map((p) => p.messageId));
    for (const r of arrived) expect(known.has(r.messageId), `unexpected message ${r.messageId}`).toBe(true);
    for (const m of list.messages) {
      const copies = copiesOf(m.messageId);
      if (m.status === 'sent') expect(copies, m.id).toBeGreaterThanOrEqual(1);
      else expect(copies, `${m.id} is ${m.status}`).toBe(0);
      expect(copies).toBeLessThanOrEqual(2);
    }
    // Every copy went over STARTTLS, authenticated, well-formed.
    for (const r of arrived) expect(r).toMatchObject({ secure: true, user: 'rep@example.com', bareLineBreaks: false });
  });
});
