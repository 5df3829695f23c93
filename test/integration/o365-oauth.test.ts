import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadGrant } from '../../relay/oauth/grants';
import { EXTENSION_REDIRECT, FakeMicrosoft, SMTP_SEND_SCOPE } from '../helpers/fake-microsoft';
import { FakeClock, getMessage, sendMessage, startRelay, storedBytes, type RunningRelay } from '../helpers/relay';
import { TestSmtpServer } from '../helpers/smtp-server';

/**
 * Office 365 with modern authentication, relay side, end to end: a fake
 * Microsoft identity platform (codes, PKCE, rotating refresh tokens,
 * revocation) and the real SMTP test server accepting AUTH XOAUTH2 only with
 * a live token from that fake. The relay runs on a fake clock and its worker
 * is driven by hand, so "an hour later" takes no time.
 */
const verifier = () => crypto.randomBytes(48).toString('base64url');
const HOUR = 3600_000;

describe('Office 365 OAuth channels on the relay', () => {
  const ms = new FakeMicrosoft();
  const smtp = new TestSmtpServer({ acceptToken: (user, token) => ms.isValidAccessToken(user, token) });
  const clock = new FakeClock();
  let relay: RunningRelay;
  let token: string;
  let channelId: string;

  const drive = async () => {
    let total = 0;
    for (;;) {
      const n = await relay.relay.worker.tick();
      await relay.relay.worker.settle();
      total += n;
      if (n === 0) return total;
    }
  };
  const connect = async (body: Record<string, unknown> = {}, path = '/v1/channels/office365/oauth') => {
    const v = verifier();
    const code = await ms.authorizeCode({ verifier: v });
    return relay.call(token, 'POST', path, { code, codeVerifier: v, redirectUri: EXTENSION_REDIRECT, ...body });
  };
  const mail = (subject: string) => ({ channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject, text: 'Hello from Office 365' });
  const channel = async () => ((await (await relay.call(token, 'GET', `/v1/channels/${channelId}`)).json()) as { status: string; auth: string });
  const xoauth = () => smtp.authAttempts.filter((a) => a.method === 'XOAUTH2');

  beforeAll(async () => {
    await ms.start();
    await smtp.start();
    relay = await startRelay({
      clock,
      autoWorker: false,
      backoff: () => 1000,
      env: {
        RELAY_MS_CLIENT_ID: ms.clientId,
        RELAY_MS_AUTHORITY: ms.authority,
        RELAY_MS_SMTP_HOST: '127.0.0.1',
        RELAY_MS_SMTP_PORT: String(smtp.port),
      },
    });
    token = await relay.createToken('rep@example.com');
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
    await ms.close();
  });
  beforeEach(() => smtp.clear());

  it('tells the extension how it is set up for Microsoft sign-in', async () => {
    const res = await relay.call(token, 'GET', '/v1/channels/office365/oauth');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      configured: true,
      clientId: ms.clientId,
      tenant: 'common',
      authorizeUrl: `${ms.authority}/common/oauth2/v2.0/authorize`,
      scopes: [SMTP_SEND_SCOPE, 'offline_access', 'openid', 'email'],
    });
  });

  it('refuses bad requests with a 4xx naming the field', async () => {
    const v = verifier();
    const cases: [Record<string, unknown>, string][] = [
      [{ codeVerifier: v, redirectUri: EXTENSION_REDIRECT }, 'code'],
      [{ code: 'abc', codeVerifier: 'short', redirectUri: EXTENSION_REDIRECT }, 'codeVerifier'],
      [{ code: 'abc', codeVerifier: v, redirectUri: 'http://evil.test/' }, 'redirectUri'],
      [{ code: 'a\r\nb', codeVerifier: v, redirectUri: EXTENSION_REDIRECT }, 'code'],
      [{ code: 'abc', codeVerifier: v, redirectUri: EXTENSION_REDIRECT, refreshToken: 'x' }, 'refreshToken'],
      [{ code: 'abc', codeVerifier: v, redirectUri: EXTENSION_REDIRECT, name: 'a\nb' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await relay.call(token, 'POST', '/v1/channels/office365/oauth', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    }
    expect((await relay.call(null, 'POST', '/v1/channels/office365/oauth', {})).status).toBe(401);
  });

  it('refuses a code redeemed with the wrong PKCE verifier, and a code used twice', async () => {
    const code = await ms.authorizeCode({ verifier: verifier() });
    const wrong = await relay.call(token, 'POST', '/v1/channels/office365/oauth', { code, codeVerifier: verifier(), redirectUri: EXTENSION_REDIRECT });
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as { error: { code: string; field: string; message: string } };
    expect(body.error).toMatchObject({ code: 'invalid_grant', field: 'code' });
    expect(body.error.message).toContain('AADSTS501481');
    expect(body.error.message).not.toMatch(/Trace ID/);
    const again = await relay.call(token, 'POST', '/v1/channels/office365/oauth', { code, codeVerifier: verifier(), redirectUri: EXTENSION_REDIRECT });
    expect(again.status).toBe(400);
  });

  it('refuses a Microsoft account that is not the relay token\'s own address', async () => {
    const v = verifier();
    const code = await ms.authorizeCode({ verifier: v, email: 'someone.else@example.com' });
    const res = await relay.call(token, 'POST', '/v1/channels/office365/oauth', { code, codeVerifier: v, redirectUri: EXTENSION_REDIRECT });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'account_mismatch' } });
    const list = (await (await relay.call(token, 'GET', '/v1/channels')).json()) as { channels: unknown[] };
    expect(list.channels).toHaveLength(0);
  });

  it('redeems the code: a personal Office 365 channel with auth oauth2, tokens sealed at rest', async () => {
    const res = await connect({ name: 'My Outlook' });
    if (res.status !== 201) console.log(await res.clone().text());
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ name: 'My Outlook', provider: 'office365', auth: 'oauth2', scope: 'personal', username: 'rep@example.com', host: '127.0.0.1', status: 'active' });
    expect(created.limits).toMatchObject({ perMinute: 30, perDay: 10_000, perMessage: 500 });
    expect(JSON.stringify(created)).not.toMatch(/fake-(access|refresh)/);
    channelId = created.id as string;

    const redeem = ms.tokenRequests.filter((r) => r.grantType === 'authorization_code').at(-1)!;
    expect(redeem.status).toBe(200);
    // The stored grant opens to the tokens Microsoft issued; the database file holds neither in the clear.
    const grant = await loadGrant(relay.relay.db, relay.relay.deps.box, channelId);
    expect(grant).toMatchObject({ refreshToken: ms.latestRefreshToken(), accessToken: ms.latestAccessToken(), tenantId: ms.tenantId });
    const bytes = (await storedBytes(relay)).toString('latin1');
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes).not.toContain(ms.latestRefreshToken()!);
    expect(bytes).not.toContain(ms.latestAccessToken()!);
  });

  it('connecting the same mailbox again signs the existing channel in rather than adding one', async () => {
    const res = await connect();
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(channelId);
    const list = (await (await relay.call(token, 'GET', '/v1/channels')).json()) as { channels: { id: string }[] };
    expect(list.channels.map((c) => c.id)).toEqual([channelId]);
  });

  it('sends with XOAUTH2 and the current access token', async () => {
    const sent = await sendMessage(relay, token, mail('via OAuth'));
    expect(sent.status).toBe(202);
    expect(await drive()).toBe(1);
    const [got] = await smtp.waitFor(1);
    expect(got!.parsed.subject).toBe('via OAuth');
    expect(got!.secure).toBe(true);
    expect(xoauth()).toEqual([{ method: 'XOAUTH2', user: 'rep@example.com', ok: true, token: ms.latestAccessToken() }]);
    expect(smtp.authAttempts.filter((a) => a.method !== 'XOAUTH2')).toEqual([]);
    expect((await getMessage(relay, token, sent.body.id)).status).toBe('sent');
  });

  it('verify logs in with the token', async () => {
    expect(await (await relay.call(token, 'POST', `/v1/channels/${channelId}/verify`)).json()).toEqual({ ok: true });
  });

  it('refreshes before the token expires, and saves the rotated refresh token', async () => {
    const oldRefresh = ms.latestRefreshToken()!;
    const oldAccess = ms.latestAccessToken()!;
    const before = ms.refreshCount();
    clock.advance(HOUR - 4 * 60_000); // inside the last five minutes of the hour-long token
    const sent = await sendMessage(relay, token, mail('after refresh'));
    expect(await drive()).toBe(1);
    await smtp.waitFor(1);
    expect(ms.refreshCount()).toBe(before + 1);
    // Refreshed ahead of time: the old token was still good at Microsoft.
    expect(ms.isValidAccessToken('rep@example.com', oldAccess)).toBe(true);
    const current = ms.latestAccessToken()!;
    expect(current).not.toBe(oldAccess);
    expect(xoauth().at(-1)).toMatchObject({ ok: true, token: current });
    // Rotation: the spent refresh token is gone, the new one is what the relay holds.
    expect(ms.refreshTokenState(oldRefresh)?.used).toBe(true);
    expect((await loadGrant(relay.relay.db, relay.relay.deps.box, channelId))?.refreshToken).toBe(ms.latestRefreshToken());
    expect((await getMessage(relay, token, sent.body.id)).status).toBe('sent');
  });

  it('concurrent sends refresh once and all use the new token', async () => {
    const before = ms.refreshCount();
    const requests = ms.tokenRequests.length;
    clock.advance(HOUR);
    ms.tokenDelayMs = 300;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await sendMessage(relay, token, mail(`together ${i}`))).body.id);
      expect(await relay.relay.worker.tick()).toBe(3); // three connections at once (Office 365 allows 3)
      await relay.relay.worker.settle();
      await drive();
      await smtp.waitFor(3);
      expect(ms.tokenRequests.length - requests).toBe(1);
      expect(ms.refreshCount()).toBe(before + 1);
      const current = ms.latestAccessToken();
      expect(new Set(xoauth().map((a) => a.token))).toEqual(new Set([current]));
      for (const id of ids) expect((await getMessage(relay, token, id)).status).toBe('sent');
    } finally {
      ms.tokenDelayMs = 0;
    }
  });

  it('when SMTP refuses a token Microsoft expired early, the relay renews it once and the send goes', async () => {
    clock.advance(10 * 60_000); // the relay still believes its token is good for ~50 minutes
    ms.expireAccessTokens();
    relay.relay.deps.invalidateChannel(channelId); // a new connection must log in (the idle sweep would do this after 30 s)
    const before = ms.refreshCount();
    const sent = await sendMessage(relay, token, mail('after early expiry'));
    await drive();
    await smtp.waitFor(1);
    expect(ms.refreshCount()).toBe(before + 1);
    expect(xoauth().map((a) => a.ok)).toEqual([false, true]);
    expect(xoauth().at(-1)!.token).toBe(ms.latestAccessToken());
    expect((await getMessage(relay, token, sent.body.id)).status).toBe('sent');
  });

  it('a Microsoft outage while refreshing is retried, not a reconnect', async () => {
    clock.advance(HOUR);
    ms.failNextToken(503, { error: 'temporarily_unavailable', error_description: 'AADSTS50196: The server terminated an operation.' });
    const sent = await sendMessage(relay, token, mail('after outage'));
    await drive();
    const m = await getMessage(relay, token, sent.body.id);
    expect(m.status).toBe('retrying');
    expect(m.lastError).toContain('temporarily_unavailable');
    expect((await channel()).status).toBe('active');
    clock.advance(1000);
    await drive();
    await smtp.waitFor(1);
    expect((await getMessage(relay, token, sent.body.id)).status).toBe('sent');
  });

  it('revoked consent: the channel needs reconnecting, mail waits, and goes once reconnected', async () => {
    ms.revoke('rep@example.com');
    clock.advance(HOUR);
    const first = await sendMessage(relay, token, mail('held 1'));
    await drive();
    expect((await channel()).status).toBe('needs_reconnect');
    const m = await getMessage(relay, token, first.body.id);
    expect(m.status).toBe('queued');
    expect(m.lastError).toMatch(/Reconnect Office 365/);
    expect(m.lastError).toContain('invalid_grant');
    // Mail sent meanwhile is accepted and waits too.
    const second = await sendMessage(relay, token, mail('held 2'));
    expect(second.status).toBe(202);
    clock.advance(60_000);
    await drive();
    expect(smtp.received).toHaveLength(0);
    expect((await getMessage(relay, token, second.body.id)).status).toBe('queued');
    expect(await (await relay.call(token, 'POST', `/v1/channels/${channelId}/verify`)).json()).toMatchObject({ ok: false, code: 'needs_reconnect' });
    const limits = (await (await relay.call(token, 'GET', '/v1/limits')).json()) as { limits: { channelId: string; queued: number }[] };
    expect(limits.limits.find((l) => l.channelId === channelId)?.queued).toBe(2);

    // Reconnect: a new sign-in through the same route the popup's Reconnect button uses.
    const res = await connect({}, `/v1/channels/${channelId}/oauth`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: channelId, status: 'active', auth: 'oauth2' });
    await drive();
    const got = await smtp.waitFor(2);
    expect(got.map((g) => g.parsed.subject).sort()).toEqual(['held 1', 'held 2']);
    for (const a of xoauth().filter((x) => x.ok)) expect(a.token).toBe(ms.latestAccessToken());
    for (const id of [first.body.id, second.body.id]) expect((await getMessage(relay, token, id)).status).toBe('sent');
  });

  it('only the owner can reconnect a channel, and only an Office 365 one', async () => {
    const other = await relay.createToken('other@example.com');
    const v = verifier();
    const code = await ms.authorizeCode({ verifier: v, email: 'other@example.com' });
    const res = await relay.call(other, 'POST', `/v1/channels/${channelId}/oauth`, { code, codeVerifier: v, redirectUri: EXTENSION_REDIRECT });
    expect(res.status).toBe(403);
    const missing = await relay.call(token, 'POST', '/v1/channels/ch_nope/oauth', { code, codeVerifier: v, redirectUri: EXTENSION_REDIRECT });
    expect(missing.status).toBe(404);
  });

  it('switches a password Office 365 channel to OAuth, keeping its id and its queue', async () => {
    const created = await relay.call(token, 'POST', '/v1/channels', {
      name: 'Old password channel',
      provider: 'office365',
      host: '127.0.0.1',
      port: smtp.port,
      password: 'hunter2',
      scope: 'personal',
    });
    expect(created.status).toBe(201);
    const old = (await created.json()) as { id: string; auth: string };
    expect(old.auth).toBe('password');
    // Basic auth is off at this tenant: the password is refused, the channel needs reconnecting, mail waits.
    smtp.fail({ stage: 'auth', code: 550, message: '5.7.30 Basic authentication is not supported for Client Submission', times: 1 });
    const sent = await sendMessage(relay, token, { ...mail('basic auth is off'), channelId: old.id });
    await drive();
    expect((await getMessage(relay, token, sent.body.id)).status).toBe('queued');
    const res = await connect({}, `/v1/channels/${old.id}/oauth`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: old.id, auth: 'oauth2', status: 'active', username: 'rep@example.com' });
    await drive();
    await smtp.waitFor(1);
    expect(xoauth().at(-1)).toMatchObject({ ok: true, token: ms.latestAccessToken() });
    expect((await getMessage(relay, token, sent.body.id)).status).toBe('sent');
    const row = await relay.relay.db.selectFrom('channels').select(['password_enc', 'auth']).where('id', '=', old.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ password_enc: '', auth: 'oauth2' });
  });

  it('deleting the channel wipes its grant', async () => {
    expect((await relay.call(token, 'DELETE', `/v1/channels/${channelId}`)).status).toBe(200);
    expect(await loadGrant(relay.relay.db, relay.relay.deps.box, channelId)).toBeUndefined();
  });
});

describe('Office 365 OAuth on a relay without a Microsoft client id', () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay({ autoWorker: false });
  });
  afterAll(async () => relay?.stop());

  it('says it is not configured, and refuses codes with a clear 422', async () => {
    const token = await relay.createToken('rep@example.com');
    expect(await (await relay.call(token, 'GET', '/v1/channels/office365/oauth')).json()).toMatchObject({ configured: false, tenant: 'common' });
    const res = await relay.call(token, 'POST', '/v1/channels/office365/oauth', { code: 'abc', codeVerifier: verifier(), redirectUri: EXTENSION_REDIRECT });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'oauth_not_configured' } });
  });
});
