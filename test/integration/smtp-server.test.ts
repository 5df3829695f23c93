import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer, TEST_TLS_CERT } from '../helpers/smtp-server';

// The test SMTP server is itself a test dependency: prove it really does
// STARTTLS, AUTH and scripted faults before other suites lean on it.
describe('test SMTP server', () => {
  const smtp = new TestSmtpServer();
  beforeAll(() => smtp.start());
  afterAll(() => smtp.stop());

  const transport = () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTLS: true,
      tls: { ca: TEST_TLS_CERT(), servername: 'localhost' },
      auth: { user: 'rep@example.com', pass: 'correct horse' },
    });

  it('accepts mail over STARTTLS with AUTH and parses it', async () => {
    await transport().sendMail({ from: 'rep@example.com', to: 'lead@customer.test', subject: 'Grüße', text: 'hi' });
    const [got] = await smtp.waitFor(1);
    expect(got!.secure).toBe(true);
    expect(got!.user).toBe('rep@example.com');
    expect(got!.parsed.subject).toBe('Grüße');
    expect(got!.envelope.to).toEqual(['lead@customer.test']);
  });

  it('refuses a wrong password with 535', async () => {
    const t = nodemailer.createTransport({
      host: '127.0.0.1', port: smtp.port, requireTLS: true,
      tls: { ca: TEST_TLS_CERT(), servername: 'localhost' },
      auth: { user: 'rep@example.com', pass: 'wrong' },
    });
    await expect(t.verify()).rejects.toMatchObject({ responseCode: 535 });
  });

  it('answers a scripted temporary failure once', async () => {
    smtp.fail({ stage: 'data', code: 451, message: '4.3.0 Try again later' });
    await expect(
      transport().sendMail({ from: 'rep@example.com', to: 'a@b.test', subject: 's', text: 't' }),
    ).rejects.toMatchObject({ responseCode: 451 });
    await transport().sendMail({ from: 'rep@example.com', to: 'a@b.test', subject: 's2', text: 't' });
    expect(smtp.received.at(-1)!.parsed.subject).toBe('s2');
  });
});
