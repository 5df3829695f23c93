import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TLS_CERT, TestSmtpServer } from '../../test/helpers/smtp-server';
import { SmtpThread, TakenBack } from './smtp-thread';

class TokenRefused extends Error {
  readonly kind = 'revoked';
}

describe('SmtpThread (nodemailer pools on a worker thread)', () => {
  let smtp: TestSmtpServer;
  let thread: SmtpThread;
  beforeAll(async () => {
    smtp = await new TestSmtpServer({ acceptToken: (_user, token) => token === 'fresh-token' }).start();
  });
  afterAll(() => smtp.stop());
  afterEach(async () => {
    await thread?.stop();
    smtp.clear();
  });

  const options = (auth: SMTPPool.Options['auth']): SMTPPool.Options => ({
    host: '127.0.0.1',
    port: smtp.port,
    requireTLS: true,
    auth,
    tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, servername: 'localhost' },
    pool: true,
    maxConnections: 2,
    maxMessages: 100,
    connectionTimeout: 5000,
  });

  it('sends through a pooled connection on the thread, attachments included', async () => {
    thread = new SmtpThread();
    const t = thread.createTransport(options({ user: 'rep@example.com', pass: 'correct horse' }), TEST_TLS_CERT());
    const info = await t.sendMail({
      messageId: '<thread-1@example.com>',
      from: 'rep@example.com',
      to: ['lead@customer.test'],
      subject: 'Hello from the thread',
      text: 'body',
      attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('attached') }],
    });
    expect(info.accepted).toEqual(['lead@customer.test']);
    expect(info.messageId).toBe('<thread-1@example.com>');
    const got = smtp.received[0]!;
    expect(got.parsed.subject).toBe('Hello from the thread');
    expect(got.parsed.messageId).toBe('<thread-1@example.com>');
    expect(got.parsed.attachments[0]!.content.toString()).toBe('attached');
    expect(got.secure).toBe(true);
    t.close();
  });

  it('fails a send with the fields the worker classifies by (responseCode, response, command)', async () => {
    thread = new SmtpThread();
    const t = thread.createTransport(options({ user: 'rep@example.com', pass: 'correct horse' }), TEST_TLS_CERT());
    smtp.fail({ stage: 'data', code: 550, message: '5.7.1 Message rejected as spam' });
    const error = (await t.sendMail({ from: 'rep@example.com', to: ['lead@customer.test'], subject: 's', text: 'b' }).catch((e: unknown) => e)) as Record<string, unknown>;
    expect(error).toBeInstanceOf(Error);
    expect(error.responseCode).toBe(550);
    expect(String(error.response)).toMatch(/Message rejected as spam/);
    expect(error.code).toBe('EMESSAGE');
    // After a failure the transport starts nothing more until what waits is taken back.
    await t.takeBack!();
    // The connection is still good for the next message.
    await expect(t.sendMail({ from: 'rep@example.com', to: ['lead@customer.test'], subject: 's2', text: 'b' })).resolves.toBeTruthy();
    t.close();
  });

  it('queues sends beyond its connections on the thread, holds them after a failure, and gives them back unsent', async () => {
    thread = new SmtpThread();
    const t = thread.createTransport({ ...options({ user: 'rep@example.com', pass: 'correct horse' }), maxConnections: 1 }, TEST_TLS_CERT());
    const mail = (subject: string) => ({ from: 'rep@example.com', to: ['lead@customer.test'], subject, text: 'b' });
    // One connection: the first three go out one after another without the main thread in between.
    const sent = await Promise.all(['q1', 'q2', 'q3'].map((s) => t.sendMail(mail(s))));
    expect(sent.map((i) => i.response)).toEqual([expect.stringMatching(/^250/), expect.stringMatching(/^250/), expect.stringMatching(/^250/)]);
    expect(smtp.received.map((r) => r.parsed.subject)).toEqual(['q1', 'q2', 'q3']);
    // A quota refusal on the first: the two queued behind it must not go out.
    smtp.fail({ stage: 'data', code: 554, message: '5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException' });
    const first = t.sendMail(mail('refused')).catch((e: unknown) => e);
    const queued = ['held 1', 'held 2'].map((s) => t.sendMail(mail(s)).catch((e: unknown) => e));
    expect(((await first) as Record<string, unknown>).responseCode).toBe(554);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.map((r) => r.parsed.subject)).toEqual(['q1', 'q2', 'q3']);
    await t.takeBack!();
    for (const q of queued) expect(await q).toBeInstanceOf(TakenBack);
    // Taken back, the transport goes on.
    await expect(t.sendMail(mail('after'))).resolves.toBeTruthy();
    expect(smtp.received.map((r) => r.parsed.subject)).toEqual(['q1', 'q2', 'q3', 'after']);
    t.close();
  });

  it('asks the main thread for OAuth tokens, and hands back the very error a token failure raised', async () => {
    thread = new SmtpThread();
    const asked: boolean[] = [];
    let refuse = false;
    const refusal = new TokenRefused('invalid_grant');
    const oauth = (user: string) =>
      ({
        type: 'OAuth2',
        user,
        accessToken: 'stale-token',
        expires: Date.now() - 1000, // already expired: nodemailer asks for a new one before logging in
        provisionCallback: (_u: string, renew: boolean, cb: (err: Error | null, token?: string, expires?: number) => void) => {
          asked.push(renew);
          if (refuse) cb(refusal);
          else cb(null, 'fresh-token', Date.now() + 3_600_000);
        },
      }) as unknown as SMTPPool.Options['auth'];
    const t = thread.createTransport(options(oauth('rep@example.com')), TEST_TLS_CERT());
    await t.sendMail({ from: 'rep@example.com', to: ['lead@customer.test'], subject: 'oauth', text: 'b' });
    expect(asked.length).toBeGreaterThan(0);
    expect(smtp.authAttempts.at(-1)).toMatchObject({ method: 'XOAUTH2', ok: true, token: 'fresh-token' });
    t.close();

    refuse = true;
    const t2 = thread.createTransport(options(oauth('rep@example.com')), TEST_TLS_CERT());
    const error = await t2.sendMail({ from: 'rep@example.com', to: ['lead@customer.test'], subject: 'oauth', text: 'b' }).catch((e: unknown) => e);
    expect(error).toBe(refusal);
    t2.close();
  });

  it('fails pending sends as connection errors when the thread stops, and starts a new thread for the next transport', async () => {
    thread = new SmtpThread();
    smtp.setDelay(2000, ['data']);
    const t = thread.createTransport(options({ user: 'rep@example.com', pass: 'correct horse' }), TEST_TLS_CERT());
    const pending = t.sendMail({ from: 'rep@example.com', to: ['lead@customer.test'], subject: 'slow', text: 'b' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await thread.stop(100);
    expect(await pending).toMatchObject({ code: 'ECONNECTION' });
    expect(t.isOpen!()).toBe(false);
    smtp.setDelay(0);
    const t2 = thread.createTransport(options({ user: 'rep@example.com', pass: 'correct horse' }), TEST_TLS_CERT());
    await expect(t2.sendMail({ from: 'rep@example.com', to: ['lead@customer.test'], subject: 'after', text: 'b' })).resolves.toBeTruthy();
    t2.close();
  });
});
