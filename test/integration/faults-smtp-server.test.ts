import net from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer, TEST_TLS_CERT } from '../helpers/smtp-server';
import { SmtpServerProcess } from '../helpers/smtp-server-process';

// The misbehaving SMTP server is what the fault and crash suites stand on:
// prove that each misbehaviour is real on the wire before trusting them.
const transport = (port: number, socketTimeout = 10_000) =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    requireTLS: true,
    tls: { ca: TEST_TLS_CERT(), servername: 'localhost' },
    auth: { user: 'rep@example.com', pass: 'correct horse' },
    socketTimeout,
    greetingTimeout: socketTimeout,
  });
const mail = (subject: string) => ({ from: 'rep@example.com', to: 'lead@customer.test', subject, text: 'body' });

describe('TestSmtpServer cuts a connection inside DATA', () => {
  const smtp = new TestSmtpServer();
  beforeAll(() => smtp.start());
  afterAll(() => smtp.stop());

  it('discard: the client sees the connection close with DATA unanswered, and nothing is kept', async () => {
    smtp.clear();
    smtp.dropInData(1);
    const started = Date.now();
    const error = (await transport(smtp.port).sendMail(mail('cut')).catch((e: unknown) => e)) as { code?: string; message: string; responseCode?: number };
    // Closed by the server at once — not the client's 10 s socket timeout, and no SMTP reply code.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.responseCode).toBeUndefined();
    expect(error.message).toMatch(/closed|ended|ECONNRESET/i);
    expect(smtp.cuts).toBe(1);
    expect(smtp.received).toHaveLength(0);
    await transport(smtp.port).sendMail(mail('next'));
    expect(smtp.received.map((r) => r.parsed.subject)).toEqual(['next']);
  });

  it('keep: the server keeps the message but the 250 never leaves it', async () => {
    smtp.clear();
    smtp.dropInData(1, 'keep');
    const error = (await transport(smtp.port).sendMail(mail('kept')).catch((e: unknown) => e)) as { responseCode?: number };
    expect(error).toBeInstanceOf(Error);
    expect(error.responseCode).toBeUndefined();
    expect(smtp.cuts).toBe(1);
    expect(smtp.received.map((r) => r.parsed.subject)).toEqual(['kept']);
  });

  it('answers the connection with 421 instead of a greeting, and can hold the greeting past a timeout', async () => {
    smtp.clear();
    smtp.fail({ stage: 'connect', code: 421, message: '4.3.2 Service not available, closing transmission channel' });
    await expect(transport(smtp.port).sendMail(mail('refused'))).rejects.toMatchObject({ responseCode: 421 });
    smtp.setDelay(1_500, ['connect']);
    await expect(transport(smtp.port, 500).sendMail(mail('slow'))).rejects.toMatchObject({ code: expect.stringMatching(/ETIMEDOUT|ETIMEOUT/) });
    smtp.setDelay(0);
    expect(smtp.received).toHaveLength(0);
  });
});

describe('SmtpServerProcess: the same server in its own process', () => {
  let smtp: SmtpServerProcess;
  beforeAll(async () => {
    smtp = await SmtpServerProcess.start();
  });
  afterAll(() => smtp?.stop());

  it('receives over STARTTLS + AUTH and reports what arrived', async () => {
    const info = await transport(smtp.port).sendMail({ ...mail('über'), cc: 'c@customer.test' });
    const [got] = await smtp.waitFor(1);
    expect(got).toMatchObject({ subject: 'über', messageId: info.messageId, to: ['lead@customer.test'], cc: ['c@customer.test'], secure: true, user: 'rep@example.com' });
    expect(got!.headerNames).toContain('message-id');
    expect(got!.bareLineBreaks).toBe(false);
  });

  it('fails and cuts on command', async () => {
    await smtp.clear();
    await smtp.fail({ stage: 'rcpt', code: 550, message: '5.1.1 User unknown' });
    await expect(transport(smtp.port).sendMail(mail('x'))).rejects.toMatchObject({ responseCode: 550 });
    await smtp.dropInData(1);
    await expect(transport(smtp.port).sendMail(mail('y'))).rejects.toThrow();
    expect(await smtp.received()).toMatchObject({ received: [], cuts: 1, total: 0 });
  });

  it('killed, its port refuses connections; restarted, the same port works again', async () => {
    const port = smtp.port;
    await smtp.kill();
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve('connected'));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await smtp.restart();
    expect(smtp.port).toBe(port);
    await transport(smtp.port).sendMail(mail('back'));
    expect((await smtp.waitFor(1)).map((r) => r.subject)).toEqual(['back']);
  });
});
