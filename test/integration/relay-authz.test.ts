import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, sendMessage, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';

// Never an open relay: every way of using someone else's channel, address or
// admin power is refused with the right status, and nothing reaches SMTP.
describe('relay authorisation matrix', () => {
  const smtp = new TestSmtpServer();
  let relay: RunningRelay;
  let alice: string, bob: string, eve: string, admin: string;
  let aliceO365: string, domainCh: string;

  beforeAll(async () => {
    await smtp.start();
    // The matrix makes many failed token checks from one IP: lift the brute-force limit here (tested on its own elsewhere).
    relay = await startRelay({ env: { RELAY_AUTH_FAILURES_PER_MINUTE: '10000' } });
    alice = await relay.createToken('alice@acme.test');
    bob = await relay.createToken('bob@acme.test');
    eve = await relay.createToken('eve@other.test');
    admin = await relay.createToken('it@acme.test', true);
    aliceO365 = await createChannel(relay, alice, { ...smtpChannel(smtp.port), provider: 'office365', name: 'Alice O365' });
    domainCh = await createChannel(relay, admin, {
      ...smtpChannel(smtp.port),
      provider: 'sparkpost',
      name: 'Acme SparkPost',
      scope: 'domain',
      domains: ['acme.test'],
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  const mail = (channelId: string, from = 'alice@acme.test') => ({ channelId, from, to: ['lead@customer.test'], subject: 's', text: 't' });

  it('401 without a token, with a wrong or malformed token, on every /v1 endpoint', async () => {
    const endpoints: [string, string, unknown?][] = [
      ['GET', '/v1/channels'],
      ['POST', '/v1/channels', smtpChannel(smtp.port)],
      ['DELETE', `/v1/channels/${aliceO365}`],
      ['POST', `/v1/channels/${aliceO365}/verify`],
      ['POST', '/v1/messages', mail(aliceO365)],
      ['GET', '/v1/messages'],
      ['GET', '/v1/limits'],
      ['GET', '/v1/me'],
      ['POST', '/v1/admin/tokens', { tokens: [{ email: 'x@acme.test' }] }],
    ];
    for (const [method, path, body] of endpoints) {
      for (const token of [null, 'swr_' + 'A'.repeat(43), 'not-a-token', alice + 'x']) {
        const res = await relay.call(token, method, path, body, { 'Idempotency-Key': 'authz' });
        expect(res.status, `${method} ${path} with ${token?.slice(0, 8)}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });

  it('401 for a revoked token', async () => {
    const temp = await relay.createToken('temp@acme.test');
    expect((await relay.call(temp, 'GET', '/v1/me')).status).toBe(200);
    const list = (await (await relay.call(admin, 'GET', '/v1/admin/tokens')).json()) as { tokens: { id: string; email: string }[] };
    const id = list.tokens.find((t) => t.email === 'temp@acme.test')!.id;
    expect((await relay.call(admin, 'DELETE', `/v1/admin/tokens/${id}`)).status).toBe(200);
    expect((await relay.call(temp, 'GET', '/v1/me')).status).toBe(401);
  });

  it("403 when rep B uses rep A's personal Office 365 channel, and B does not even see it", async () => {
    const r = await sendMessage(relay, bob, mail(aliceO365, 'bob@acme.test'));
    expect(r.status).toBe(403);
    expect(r.body.error?.message).toMatch(/personal channel/);
    expect((await relay.call(bob, 'POST', `/v1/channels/${aliceO365}/verify`)).status).toBe(403);
    expect((await relay.call(bob, 'DELETE', `/v1/channels/${aliceO365}`)).status).toBe(403);
    expect((await relay.call(bob, 'PATCH', `/v1/channels/${aliceO365}`, { password: 'mine now' })).status).toBe(403);
    const list = (await (await relay.call(bob, 'GET', '/v1/channels')).json()) as { channels: { id: string }[] };
    expect(list.channels.map((c) => c.id)).toEqual([domainCh]);
    // Admins manage but do not send through someone's personal channel.
    expect((await sendMessage(relay, admin, mail(aliceO365, 'it@acme.test'))).status).toBe(403);
  });

  it('403 for a token outside a domain channel’s domains', async () => {
    const r = await sendMessage(relay, eve, mail(domainCh, 'eve@other.test'));
    expect(r.status).toBe(403);
    expect(r.body.error?.message).toMatch(/not in this channel's domains/);
    const limits = (await (await relay.call(eve, 'GET', '/v1/limits')).json()) as { limits: unknown[] };
    expect(limits.limits).toEqual([]);
  });

  it('403 for From outside the allowed addresses', async () => {
    const own = await sendMessage(relay, alice, mail(aliceO365, 'ceo@acme.test'));
    expect(own.status).toBe(403);
    expect(own.body.error).toMatchObject({ field: 'from' });
    const dom = await sendMessage(relay, alice, mail(domainCh, 'alice@other.test'));
    expect(dom.status).toBe(403);
    expect(dom.body.error).toMatchObject({ field: 'from' });
    const homoglyph = await sendMessage(relay, alice, mail(domainCh, 'alice@acme.tеst'));
    expect(homoglyph.status).toBe(400);
    // Allowed: any address in the domain on a domain channel.
    expect((await sendMessage(relay, alice, mail(domainCh, 'sales@acme.test'))).status).toBe(202);
  });

  it('403 for non-admins on admin endpoints and for domain channels beyond their own domain', async () => {
    expect((await relay.call(alice, 'POST', '/v1/admin/tokens', { tokens: [{ email: 'x@acme.test', admin: true }] })).status).toBe(403);
    expect((await relay.call(alice, 'GET', '/v1/admin/tokens')).status).toBe(403);
    expect((await relay.call(alice, 'DELETE', '/v1/admin/tokens/tok_x')).status).toBe(403);
    const r = await relay.call(alice, 'POST', '/v1/channels', { ...smtpChannel(smtp.port), provider: 'sendgrid', scope: 'domain', domains: ['other.test'] });
    expect(r.status).toBe(403);
    const ok = await relay.call(alice, 'POST', '/v1/channels', { ...smtpChannel(smtp.port), provider: 'sendgrid', scope: 'domain', domains: ['acme.test'] });
    expect(ok.status).toBe(201);
  });

  it('an Office 365 channel is always personal', async () => {
    const r = await relay.call(admin, 'POST', '/v1/channels', { ...smtpChannel(smtp.port), provider: 'office365', scope: 'domain', domains: ['acme.test'] });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { field: string } }).error.field).toBe('scope');
  });

  it("404 for another rep's message; admins create tokens in bulk", async () => {
    const sent = await sendMessage(relay, alice, mail(aliceO365));
    expect(sent.status).toBe(202);
    expect((await relay.call(bob, 'GET', `/v1/messages/${sent.body.id}`)).status).toBe(404);
    expect((await relay.call(bob, 'DELETE', `/v1/messages/${sent.body.id}`)).status).toBe(404);
    const listed = (await (await relay.call(bob, 'GET', '/v1/messages')).json()) as { messages: unknown[] };
    expect(listed.messages).toEqual([]);

    const bulk = await relay.call(admin, 'POST', '/v1/admin/tokens', { tokens: [{ email: 'n1@acme.test' }, { email: 'N2@acme.test', admin: true }] });
    expect(bulk.status).toBe(201);
    const { tokens } = (await bulk.json()) as { tokens: { email: string; token: string; admin: boolean }[] };
    expect(tokens.map((t) => [t.email, t.admin])).toEqual([['n1@acme.test', false], ['n2@acme.test', true]]);
    expect(await (await relay.call(tokens[1]!.token, 'GET', '/v1/me')).json()).toEqual({ email: 'n2@acme.test', admin: true });
  });

  it('the owner or an admin may delete a channel; its queued mail is cancelled', async () => {
    const ch = await createChannel(relay, bob, smtpChannel(smtp.port, { name: 'Bob tmp', username: 'bob@acme.test' }));
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const queued = await sendMessage(relay, bob, { ...mail(ch, 'bob@acme.test'), sendAt });
    expect(queued.status).toBe(202);
    expect((await relay.call(admin, 'DELETE', `/v1/channels/${ch}`)).status).toBe(200);
    const m = (await (await relay.call(bob, 'GET', `/v1/messages/${queued.body.id}`)).json()) as { status: string };
    expect(m.status).toBe('cancelled');
    expect((await relay.call(bob, 'GET', `/v1/channels/${ch}`)).status).toBe(404);
  });
});
