import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../shared/messages';
import { launchWithExtension, EXTENSION_ID, type ExtensionBrowser } from '../helpers/chromium';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { storageDump } from './popup.kit';
import { connectRelayInPopup, inContentScript } from './security-kit';
import { GMAIL_URL, serveWebmail, waitReady } from './sidebar-helpers';

/**
 * The background's door, tried from where an attacker sits: inside a webmail
 * page. Playwright evaluates in the page's main world, but Chromium's
 * DevTools protocol lists every execution context of the page, including the
 * isolated world our content script runs in (auxData.type "isolated", named
 * after the extension). Code evaluated there is, to the browser, our content
 * script: same chrome.runtime, same chrome.storage, same sender URL. From
 * there: trusted-only messages and malformed payloads are refused, storage
 * holds the relay token only as ciphertext, storage.session is closed, and no
 * answer a content script can get carries the token. The page's own scripts
 * cannot reach chrome.runtime at all.
 */
let browser: ExtensionBrowser;
let relay: RunningRelay;
let token: string;
const smtp = new TestSmtpServer();

type Reply = { ok: boolean; data?: unknown; error?: { code: string; message: string; field?: string } };

beforeAll(async () => {
  await smtp.start();
  relay = await startRelay();
  token = await relay.createToken('rep@example.com');
  await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Acme SMTP' }));
  browser = await launchWithExtension();
  await connectRelayInPopup(browser, relay.url, token, 'Acme SMTP');
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await smtp.stop();
});

describe('from inside a Gmail page', () => {
  let page: Page;
  let cs: Awaited<ReturnType<typeof inContentScript>>;
  const send = (type: string, payload: unknown) => cs.run<Reply>(`chrome.runtime.sendMessage(${JSON.stringify({ type, payload })})`);

  beforeAll(async () => {
    await serveWebmail(browser.context, 'gmail', 'current.html');
    page = await browser.context.newPage();
    await page.goto(GMAIL_URL);
    await waitReady(page, 'c2');
    cs = await inContentScript(page);
  });

  it('runs the probe in the content script itself: the extension API is there, the page URL is the sender', async () => {
    expect(await cs.run<string>('chrome.runtime.id')).toBe(EXTENSION_ID);
    expect(await cs.run<string>('location.origin')).toBe('https://mail.google.com');
    expect(await send('ping', {})).toMatchObject({ ok: true, data: { version: expect.any(String) } });
  });

  it("the page's own scripts cannot reach the extension at all", async () => {
    const reach = await page.evaluate((id) => {
      const c = (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome;
      if (!c?.runtime?.sendMessage) return 'no chrome.runtime.sendMessage';
      try {
        (c.runtime.sendMessage as (id: string, m: unknown) => void)(id, { type: 'relay.status', payload: {} });
        return 'sent';
      } catch (e) {
        return `threw: ${(e as Error).message}`;
      }
    }, EXTENSION_ID);
    expect(reach).toBe('no chrome.runtime.sendMessage'); // no externally_connectable: Chromium gives the page no door
  });

  it('every trusted-only message is refused from the content script', async () => {
    const trusted = Object.entries(messages).filter(([, d]) => (d as { trusted?: boolean }).trusted).map(([t]) => t);
    expect(trusted).toEqual(expect.arrayContaining(['relay.status', 'relay.connect', 'relay.channels.list', 'settings.get', 'settings.update', 'outbox.list', 'gmail.connect', 'templates.save']));
    for (const type of trusted) {
      const reply = await send(type, {});
      expect(reply, type).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // The token did not go anywhere: relay.connect with an attacker's relay was refused before any request.
    expect(await send('relay.connect', { relayUrl: 'https://attacker.example', token: 'swr_attacker_token_123' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('malformed messages and payloads are refused with the field named', async () => {
    expect(await cs.run<Reply>(`chrome.runtime.sendMessage('ping')`)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await cs.run<Reply>(`chrome.runtime.sendMessage({ type: 'ping', payload: {}, trusted: true })`)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await send('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_message' } });
    expect(await send('ping', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const draft = { to: ['lead@customer.test'], subject: 'x', text: 'y' };
    for (const [payload, field] of [
      [{ messages: 'all' }, 'messages'],
      [{ messages: [{ idempotencyKey: 'key-1234567', draft: { ...draft, subject: 'x\r\nBcc: everyone@corp.example' } }] }, 'messages.0.draft.subject'],
      [{ messages: [{ idempotencyKey: 'key-1234567', draft: { ...draft, to: ['<img src=x onerror=alert(1)>'] } }] }, 'messages.0.draft.to.0'],
      [{ messages: [{ idempotencyKey: 'key-1234567', draft: { ...draft, headers: { Bcc: 'a@b.test' } } }] }, 'messages.0.draft.headers'],
      [{ messages: [{ idempotencyKey: 'key-1234567', draft }], relayUrl: 'https://attacker.example' }, ''],
    ] as const) {
      const reply = await send('mail.send', payload);
      expect(reply, JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      if (field) expect(reply.error?.field ?? '').toContain(field);
    }
    expect(smtp.received).toHaveLength(0);
  });

  it('storage the content script can read holds the relay token only as ciphertext; storage.session is closed to it', async () => {
    const local = await cs.run<Record<string, unknown>>('chrome.storage.local.get(null)');
    const dump = JSON.stringify(local);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(4)); // not even without its prefix
    expect(dump).not.toContain(Buffer.from(token).toString('base64').slice(0, 24)); // nor merely base64-encoded
    const sealed = local['secret:relayToken'] as { iv: string; data: string } | undefined;
    expect(sealed).toMatchObject({ iv: expect.any(String), data: expect.any(String) });
    expect(Buffer.from(sealed!.data, 'base64').length).toBe(token.length + 16); // AES-GCM: ciphertext + tag
    expect(JSON.stringify(await cs.run('chrome.storage.sync.get(null)'))).not.toContain(token.slice(4));
    const session = await cs.run<string>(`chrome.storage.session.get(null).then(() => 'readable', (e) => 'refused: ' + e.message)`);
    expect(session).toMatch(/^refused: .*(not allowed|access)/i);
    // The background's view, for comparison: the same ciphertext; the token itself lives nowhere in storage.
    const all = await storageDump(browser);
    expect(all).not.toContain(token.slice(4));
  });

  it('no answer a content script can get carries the token', async () => {
    const untrusted = Object.entries(messages).filter(([, d]) => !(d as { trusted?: boolean }).trusted).map(([t]) => t);
    const replies: Reply[] = [];
    replies.push(await send('ping', {}));
    const list = await send('channels.list', {});
    expect(list).toMatchObject({ ok: true });
    expect(JSON.stringify(list)).toContain('Acme SMTP'); // the relay was really asked, with the token
    replies.push(list);
    replies.push(await send('templates.list', {}));
    const sent = await send('mail.send', { messages: [{ idempotencyKey: `sec-msg-${Date.now()}`, draft: { to: ['lead@customer.test'], subject: 'From the content script', text: 'hi' } }] });
    expect(sent).toMatchObject({ ok: true, data: { results: [{ ok: true }] } });
    replies.push(sent);
    // Failure answers too: a relay error relayed to the page must not echo the Authorization header.
    replies.push(await send('mail.send', { channelId: 'relay:ch_doesnotexist', messages: [{ idempotencyKey: `sec-msg-x-${Date.now()}`, draft: { to: ['lead@customer.test'], subject: 's', text: 't' } }] }));
    for (const type of untrusted) if (!['ping', 'channels.list', 'templates.list', 'mail.send'].includes(type)) replies.push(await send(type, {}));
    for (const r of replies) {
      expect(JSON.stringify(r)).not.toContain(token.slice(4));
      expect(JSON.stringify(r)).not.toMatch(/Bearer|swr_/);
    }
    await smtp.waitFor(1);
    expect(smtp.received[0]!.parsed.subject).toBe('From the content script');
  });
});
