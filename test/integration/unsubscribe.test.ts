import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, getMessage, sendMessage, smtpChannel, startRelay, storedBytes, waitForStatus, type RunningRelay } from '../helpers/relay';

/**
 * Unsubscribe end to end against the real relay and a real SMTP server:
 * signed links, List-Unsubscribe headers on the wire, the RFC 8058 one-click
 * POST, the confirmation page, forged links, and suppression checked at send.
 */
describe('unsubscribe and suppression', () => {
  const smtp = new TestSmtpServer();
  let relay: RunningRelay;
  let token: string;
  let admin: string;
  let other: string;
  let channelId: string;

  const links = async (t: string, from: string, addresses: string[]) => {
    const res = await relay.call(t, 'POST', '/v1/unsubscribe/links', { from, addresses });
    return { status: res.status, body: (await res.json()) as { links: { address: string; url: string }[]; error?: { code: string; field?: string } } };
  };
  const pathOf = (url: string) => new URL(url).pathname;
  const oneClick = (url: string, body = 'List-Unsubscribe=One-Click', type = 'application/x-www-form-urlencoded') =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': type }, body });

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay();
    token = await relay.createToken('rep@example.com');
    admin = await relay.createToken('it@example.com', true);
    other = await relay.createToken('someone@elsewhere.test');
    channelId = await createChannel(relay, token, smtpChannel(smtp.port));
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  it('makes signed links on the relay’s own origin, only for a domain the token sends from', async () => {
    const ok = await links(token, 'rep@example.com', ['Jane@Acme.test', 'bob@acme.test', 'jane@acme.test']);
    expect(ok.status).toBe(200);
    expect(ok.body.links.map((l) => l.address)).toEqual(['jane@acme.test', 'bob@acme.test']);
    for (const l of ok.body.links) expect(l.url).toMatch(new RegExp(`^${relay.url}/unsubscribe/v1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    // Stable: the same recipient and sender domain always get the same link.
    expect((await links(token, 'rep@example.com', ['jane@acme.test'])).body.links[0]!.url).toBe(ok.body.links[0]!.url);
    const denied = await links(other, 'rep@example.com', ['jane@acme.test']);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'forbidden', field: 'from' });
    const bad = await links(token, 'rep@example.com', ['not an address']);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.field).toBe('addresses.0');
  });

  it('puts List-Unsubscribe and List-Unsubscribe-Post on the message and the link in the body', async () => {
    const { body } = await links(token, 'rep@example.com', ['lead@acme.test']);
    const url = body.links[0]!.url;
    const sent = await sendMessage(relay, token, {
      channelId,
      from: 'rep@example.com',
      to: ['lead@acme.test'],
      subject: 'Step 1',
      text: `Hello\n\nUnsubscribe: ${url}`,
      listUnsubscribe: url,
    });
    expect(sent.status).toBe(202);
    await waitForStatus(relay, token, sent.body.id, ['sent']);
    const [mail] = await smtp.waitFor(1);
    // Header lines may be folded: unfold before reading them.
    const head = mail!.raw.toString().split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(head).toMatch(new RegExp(`^List-Unsubscribe: +<${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>`, 'm'));
    expect(mail!.parsed.text).toContain(url);
  });

  it('refuses a listUnsubscribe URL with a line break or of another scheme, naming the field', async () => {
    for (const listUnsubscribe of ['https://relay.test/u/x\r\nBcc: evil@evil.test', 'javascript:alert(1)', 'https://relay.test/a b']) {
      const r = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['x@acme.test'], subject: 's', text: 't', listUnsubscribe });
      expect(r.status).toBe(400);
      expect(r.body.error?.field).toBe('listUnsubscribe');
    }
  });

  it('shows a confirmation page on GET that changes nothing, in the reader’s language', async () => {
    const { body } = await links(token, 'rep@example.com', ['reader@acme.test']);
    const res = await fetch(body.links[0]!.url, { headers: { 'Accept-Language': 'nl-NL,nl;q=0.9' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('Geen e-mails meer van example.com naar reader@acme.test?');
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(html).not.toContain('<script');
    const check = await relay.call(token, 'POST', '/v1/suppressions/check', { from: 'rep@example.com', addresses: ['reader@acme.test'] });
    expect(((await check.json()) as { suppressed: unknown[] }).suppressed).toEqual([]);
  });

  it('one-click POST suppresses the address, cancels its waiting follow-ups and refuses later sends with 422', async () => {
    const { body } = await links(token, 'rep@example.com', ['jane@acme.test']);
    const url = body.links[0]!.url;
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const followUp = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['jane@acme.test'], subject: 'Step 2', text: 'Bump', sendAt: later, listUnsubscribe: url });
    const unrelated = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['bob@acme.test'], subject: 'Step 2', text: 'Bump', sendAt: later });
    expect(followUp.body.status).toBe('scheduled');

    // What Gmail/Yahoo send for List-Unsubscribe-Post: no cookies, no referrer, just the form body.
    const res = await oneClick(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('jane@acme.test will no longer receive these emails from example.com.');

    const cancelled = await getMessage(relay, token, followUp.body.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.lastError).toBe('not sent: jane@acme.test unsubscribed');
    expect((await getMessage(relay, token, unrelated.body.id)).status).toBe('scheduled');

    const again = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['lead@acme.test'], cc: ['JANE@acme.test'], subject: 'Hi', text: 'x' });
    expect(again.status).toBe(422);
    expect(again.body.error).toMatchObject({ code: 'suppressed', field: 'cc' });
    expect(again.body.error!.message).toContain('jane@acme.test unsubscribed from mail sent from example.com');

    const check = await relay.call(token, 'POST', '/v1/suppressions/check', { from: 'rep@example.com', addresses: ['jane@acme.test', 'bob@acme.test'] });
    const checked = (await check.json()) as { suppressed: { address: string; source: string; domain: string }[] };
    expect(checked.suppressed).toEqual([expect.objectContaining({ address: 'jane@acme.test', domain: 'example.com', source: 'one_click' })]);

    // Once unsubscribed, the link's page says so (and a second POST changes nothing).
    expect(await (await fetch(url)).text()).toContain('You are unsubscribed');
    expect((await oneClick(url)).status).toBe(200);
  });

  it('the confirmation page’s button unsubscribes too', async () => {
    const { body } = await links(token, 'rep@example.com', ['page@acme.test']);
    const url = body.links[0]!.url;
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: url }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    const list = await relay.call(admin, 'GET', '/v1/suppressions?domain=example.com');
    const { suppressions } = (await list.json()) as { suppressions: { address: string; source: string }[] };
    expect(suppressions).toContainEqual(expect.objectContaining({ address: 'page@acme.test', source: 'link' }));
  });

  it('refuses forged, edited and malformed tokens and suppresses nobody', async () => {
    const { body } = await links(token, 'rep@example.com', ['victim@acme.test']);
    const genuine = body.links[0]!.url;
    const [, , payload, sig] = pathOf(genuine).split('/').pop()!.match(/^(v1)\.([^.]+)\.([^.]+)$/)!;
    const otherPayload = Buffer.from('ceo@acme.test|example.com').toString('base64url');
    const forged = [
      `${relay.url}/unsubscribe/v1.${otherPayload}.${sig}`, // someone else's address with a copied signature
      // A changed signature: its first character (six bits of the MAC) replaced. Replacing the last two with
      // "AA", as before, left it unchanged whenever the genuine one already ended in "AA" (1 run in 4,096).
      `${relay.url}/unsubscribe/v1.${payload}.${sig![0] === 'A' ? 'B' : 'A'}${sig!.slice(1)}`,
      `${relay.url}/unsubscribe/v2.${payload}.${sig}`,
      `${relay.url}/unsubscribe/${payload}`,
      `${relay.url}/unsubscribe/v1..`,
      `${relay.url}/unsubscribe/${'a'.repeat(2000)}`,
    ];
    for (const url of forged) {
      const get = await fetch(url);
      expect(get.status, url).toBe(400);
      expect(await get.text()).toContain('This link is not valid');
      expect((await oneClick(url)).status, url).toBe(400);
    }
    const check = await relay.call(token, 'POST', '/v1/suppressions/check', { from: 'rep@example.com', addresses: ['victim@acme.test', 'ceo@acme.test'] });
    expect(((await check.json()) as { suppressed: unknown[] }).suppressed).toEqual([]);
  });

  it('needs the RFC 8058 body on POST', async () => {
    const { body } = await links(token, 'rep@example.com', ['nobody@acme.test']);
    const url = body.links[0]!.url;
    expect((await oneClick(url, '')).status).toBe(400);
    expect((await oneClick(url, 'List-Unsubscribe=Yes')).status).toBe(400);
    expect((await oneClick(url, '{"List-Unsubscribe":"One-Click"}', 'application/json')).status).toBe(400);
    expect((await oneClick(url, `List-Unsubscribe=One-Click&x=${'y'.repeat(10_000)}`)).status).toBe(413);
  });

  it('scopes suppression to the sending domain, and lets an administrator lift it', async () => {
    const teamChannel = await createChannel(relay, admin, smtpChannel(smtp.port, { name: 'Team', scope: 'domain', domains: ['example.com', 'other.example'], username: 'team' }));
    const fromOther = await sendMessage(relay, token, { channelId: teamChannel, from: 'rep@other.example', to: ['jane@acme.test'], subject: 'Other brand', text: 'x' });
    expect(fromOther.status).toBe(202);

    expect((await relay.call(token, 'GET', '/v1/suppressions')).status).toBe(403);
    const lift = await relay.call(admin, 'DELETE', '/v1/suppressions', { domain: 'example.com', addresses: ['jane@acme.test'] });
    expect(await lift.json()).toEqual({ removed: 1 });
    const resend = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['jane@acme.test'], subject: 'Allowed again', text: 'x' });
    expect(resend.status).toBe(202);

    const add = await relay.call(admin, 'POST', '/v1/suppressions', { domain: 'Example.com', addresses: ['blocked@acme.test'] });
    expect(add.status).toBe(201);
    const refused = await sendMessage(relay, token, { channelId, from: 'rep@example.com', to: ['blocked@acme.test'], subject: 'No', text: 'x' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'suppressed', field: 'to' });
  });

  it('keeps the link-signing key sealed in the database, never in the clear', async () => {
    const row = await relay.relay.db.selectFrom('meta').select('value').where('key', '=', 'unsubscribe_key').executeTakeFirstOrThrow();
    const key = relay.relay.deps.box.open(row.value, 'meta:unsubscribe_key');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const bytes = await storedBytes(relay);
    // The sealed key is there (the dump is not empty), the key itself is not.
    expect(bytes.includes(Buffer.from(row.value))).toBe(true);
    expect(bytes.includes(Buffer.from(key))).toBe(false);
    expect(bytes.includes(Buffer.from(key, 'hex'))).toBe(false);
  });
});
