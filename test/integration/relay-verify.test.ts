import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lookup } from '../../relay/security/egress';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, sendMessage, smtpChannel, startRelay, waitForStatus, type RunningRelay } from '../helpers/relay';

// POST /v1/channels/:id/verify against real servers, and egress control at
// create, verify and send time (with DNS answers the test controls).
describe('channel verify and egress control', () => {
  const smtp = new TestSmtpServer();
  const dns: Record<string, string[]> = {};
  const lookup: Lookup = async (host) => {
    const list = dns[host];
    if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  let relay: RunningRelay;
  let token: string;
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  let silentPort = 0;
  let closedPort = 0;

  beforeAll(async () => {
    await smtp.start();
    // Accepts TCP and never says hello: a timeout.
    silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as net.AddressInfo).port;
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    relay = await startRelay({ lookup, env: { RELAY_SMTP_TIMEOUT_MS: '700', RELAY_SMTP_ALLOWLIST: '127.0.0.1,smtp.allowed.test' } });
    token = await relay.createToken('rep@example.com');
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  const verify = async (body: Record<string, unknown>) => {
    const id = await createChannel(relay, token, body);
    const res = await relay.call(token, 'POST', `/v1/channels/${id}/verify`);
    expect(res.status).toBe(200);
    return { id, result: (await res.json()) as { ok: boolean; code?: string; message?: string } };
  };

  it('ok with the right password, over STARTTLS, without sending', async () => {
    const before = smtp.received.length;
    expect((await verify(smtpChannel(smtp.port))).result).toEqual({ ok: true });
    expect(smtp.authAttempts.at(-1)).toMatchObject({ user: 'rep@example.com', ok: true });
    expect(smtp.received.length).toBe(before);
  });

  it('auth_failed for a wrong password, with Office 365 advice, and the channel needs reconnecting', async () => {
    const { id, result } = await verify({ ...smtpChannel(smtp.port, { password: 'wrong' }), provider: 'office365' });
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(result.message).toMatch(/changed your password/);
    expect(result.message).toMatch(/modern authentication/);
    const ch = (await (await relay.call(token, 'GET', `/v1/channels/${id}`)).json()) as { status: string };
    expect(ch.status).toBe('needs_reconnect');
  });

  it('smtp_auth_disabled for 535 5.7.139 and basic_auth_unsupported for 550 5.7.30', async () => {
    smtp.fail({ stage: 'auth', code: 535, message: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' });
    const disabled = await verify({ ...smtpChannel(smtp.port), provider: 'office365' });
    expect(disabled.result).toMatchObject({ ok: false, code: 'smtp_auth_disabled' });
    expect(disabled.result.message).toMatch(/administrator/);
    smtp.fail({ stage: 'auth', code: 535, message: '5.7.139 Authentication unsuccessful, user is locked by your organization\'s security defaults policy.' });
    expect((await verify({ ...smtpChannel(smtp.port), provider: 'office365' })).result).toMatchObject({ code: 'smtp_auth_disabled' });
    smtp.fail({ stage: 'auth', code: 550, message: '5.7.30 Basic authentication is not supported for Client Submission.' });
    expect((await verify({ ...smtpChannel(smtp.port), provider: 'office365' })).result).toMatchObject({ ok: false, code: 'basic_auth_unsupported' });
  });

  it('tls_failed, connect_failed and timeout', async () => {
    // Implicit TLS against a STARTTLS port: the handshake cannot succeed.
    expect((await verify(smtpChannel(smtp.port, { security: 'tls' }))).result).toMatchObject({ ok: false, code: 'tls_failed' });
    expect((await verify(smtpChannel(closedPort))).result).toMatchObject({ ok: false, code: 'connect_failed' });
    expect((await verify(smtpChannel(silentPort))).result).toMatchObject({ ok: false, code: 'timeout' });
  });

  it('refuses metadata, link-local and private hosts at create', async () => {
    dns['metadata.evil.test'] = ['169.254.169.254'];
    dns['internal.evil.test'] = ['10.0.0.5'];
    for (const host of ['169.254.169.254', 'metadata.evil.test', 'internal.evil.test', '10.1.1.1', '::1', 'fd00:ec2::254']) {
      const res = await relay.call(token, 'POST', '/v1/channels', smtpChannel(25, { host }));
      expect(res.status, host).toBe(422);
      const body = (await res.json()) as { error: { code: string; field: string; message: string } };
      expect(body.error).toMatchObject({ code: 'egress_denied', field: 'host' });
    }
    // An admin-allowlisted host name may be private.
    dns['smtp.allowed.test'] = ['10.0.0.9'];
    expect((await relay.call(token, 'POST', '/v1/channels', smtpChannel(25, { host: 'smtp.allowed.test' }))).status).toBe(201);
  });

  it('re-checks at verify and send time (DNS rebinding to the metadata address)', async () => {
    dns['rebind.test'] = ['127.0.0.1'];
    const id = await createChannel(relay, token, smtpChannel(smtp.port, { host: 'rebind.test' }));
    dns['rebind.test'] = ['169.254.169.254'];
    const res = await relay.call(token, 'POST', `/v1/channels/${id}/verify`);
    expect(await res.json()).toMatchObject({ ok: false, code: 'egress_denied' });
    const before = smtp.received.length;
    const sent = await sendMessage(relay, token, { channelId: id, from: 'rep@example.com', to: ['x@y.test'], subject: 'rebind', text: 't' });
    const m = await waitForStatus(relay, token, sent.body.id, ['failed']);
    expect(m.lastError).toMatch(/169\.254\.169\.254/);
    expect(smtp.received.length).toBe(before);
  });
});
