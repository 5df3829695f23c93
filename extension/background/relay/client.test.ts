import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SendwayError } from '../../../shared/messages/define';
import { startRelay, smtpChannel, waitForStatus, type RunningRelay } from '../../../test/helpers/relay';
import { TestSmtpServer } from '../../../test/helpers/smtp-server';
import { useLocale } from '../../popup/testing/i18n';
import { RelayClient } from './client';

// These talk to a real relay that delivers to a real SMTP server: allow for a busy machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

/** A raw HTTP server that answers every request with `handler` (for answers a real relay never gives). */
async function rawServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function caught(p: Promise<unknown>): Promise<SendwayError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof SendwayError) return error;
    throw error;
  }
  throw new Error('expected a SendwayError');
}

describe('relay client against the real relay', () => {
  let relay: RunningRelay;
  let smtp: TestSmtpServer;
  let client: RelayClient;
  let token: string;

  beforeAll(async () => {
    smtp = await new TestSmtpServer().start();
    relay = await startRelay();
    token = await relay.createToken('rep@example.com');
    client = new RelayClient({ baseUrl: relay.url, token });
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp?.stop();
  });
  beforeEach(async () => {
    fakeBrowser.reset();
    await useLocale('en');
  });

  it('says who the token belongs to', async () => {
    expect(await client.me()).toEqual({ email: 'rep@example.com', admin: false });
  });

  it('creates, lists, tests and deletes a channel without ever seeing the password', async () => {
    const created = await client.createChannel(smtpChannel(smtp.port) as never);
    expect(created).toMatchObject({ provider: 'smtp', host: '127.0.0.1', port: smtp.port, scope: 'personal', status: 'active' });
    expect(JSON.stringify(created)).not.toContain('correct horse');
    expect((await client.listChannels()).map((c) => c.id)).toContain(created.id);
    expect(await client.verifyChannel(created.id)).toEqual({ ok: true });
    await client.deleteChannel(created.id);
    expect((await client.listChannels()).map((c) => c.id)).not.toContain(created.id);
  });

  it('reports a wrong password as auth_failed, and takes new credentials', async () => {
    const channel = await client.createChannel(smtpChannel(smtp.port, { password: 'wrong' }) as never);
    const result = await client.verifyChannel(channel.id);
    expect(result).toMatchObject({ ok: false, code: 'auth_failed' });
    const updated = await client.updateChannel(channel.id, { password: 'correct horse' });
    expect(updated.status).toBe('active');
    expect(await client.verifyChannel(channel.id)).toEqual({ ok: true });
    await client.deleteChannel(channel.id);
  });

  it('sends once per idempotency key, then shows the send in the outbox and the limits', async () => {
    const channel = await client.createChannel(smtpChannel(smtp.port) as never);
    const body = {
      channelId: channel.id,
      from: 'rep@example.com',
      to: ['lead@example.org'],
      subject: 'Hello from the client test',
      text: 'Hi there',
    };
    const first = await client.sendMessage(body, 'client-test-key-1');
    const again = await client.sendMessage(body, 'client-test-key-1');
    expect(again.id).toBe(first.id);
    await waitForStatus(relay, token, first.id, ['sent']);
    const arrived = smtp.received.filter((r) => r.parsed.subject === 'Hello from the client test');
    expect(arrived).toHaveLength(1);

    const view = await client.getMessage(first.id);
    expect(view).toMatchObject({ id: first.id, status: 'sent', subject: 'Hello from the client test', to: ['lead@example.org'] });
    expect((await client.listMessages({ status: 'sent' })).map((m) => m.id)).toContain(first.id);
    const limits = (await client.limits()).find((l) => l.channelId === channel.id);
    expect(limits).toMatchObject({ perMinute: { used: 1 }, sent: 1, queued: 0 });
  });

  it('cancels a scheduled send and refuses to cancel a sent one, in the relay\'s words', async () => {
    const channel = await client.createChannel(smtpChannel(smtp.port, { name: 'Cancel test' }) as never);
    const base = { channelId: channel.id, from: 'rep@example.com', to: ['x@example.org'], subject: 'Later', text: 'x' };
    const later = await client.sendMessage({ ...base, sendAt: new Date(Date.now() + 3_600_000).toISOString() }, 'cancel-1');
    expect(later.status).toBe('scheduled');
    expect((await client.cancelMessage(later.id)).status).toBe('cancelled');

    const now = await client.sendMessage({ ...base, subject: 'Now' }, 'cancel-2');
    await waitForStatus(relay, token, now.id, ['sent']);
    const error = await caught(client.cancelMessage(now.id));
    expect(error.code).toBe('not_cancellable');
    expect(error.message).toMatch(/sent/);
  });

  it('passes the relay\'s field-level reasons through', async () => {
    const error = await caught(client.createChannel({ ...smtpChannel(smtp.port), scope: 'domain' } as never));
    expect(error).toMatchObject({ code: 'invalid_request', field: 'domains' });
  });

  it('turns a refused token into advice to get a new one', async () => {
    const stranger = new RelayClient({ baseUrl: relay.url, token: 'not-a-real-token-at-all' });
    const error = await caught(stranger.me());
    expect(error.code).toBe('relay_unauthorized');
    expect(error.message).toBe(`The relay at ${new URL(relay.url).host} refused your access token. Ask your admin for a new token and connect again.`);
  });
});

describe('relay client when the other end is not a working relay', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await useLocale('en');
  });

  it('says the relay cannot be reached when nothing listens', async () => {
    const gone = await rawServer(() => undefined);
    await gone.close();
    const error = await caught(new RelayClient({ baseUrl: gone.url, token: 'tok' }).me());
    expect(error.code).toBe('relay_unreachable');
    expect(error.message).toContain(new URL(gone.url).host);
  });

  it('says an ordinary website is not a relay', async () => {
    const site = await rawServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not found</body></html>');
    });
    try {
      const error = await caught(new RelayClient({ baseUrl: site.url, token: 'tok' }).me());
      expect(error.code).toBe('relay_bad_reply');
      expect(error.message).toMatch(/doesn't answer like a Sendway relay/);
    } finally {
      await site.close();
    }
  });

  it('reports a proxy error as a relay problem with its status', async () => {
    const proxy = await rawServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('Bad gateway');
    });
    try {
      const error = await caught(new RelayClient({ baseUrl: proxy.url, token: 'tok' }).listChannels());
      expect(error).toMatchObject({ code: 'relay_error' });
      expect(error.message).toContain('HTTP 502');
    } finally {
      await proxy.close();
    }
  });

  it('refuses an answer that does not match the API schema', async () => {
    const odd = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ channels: [{ id: 'x' }] }));
    });
    try {
      expect((await caught(new RelayClient({ baseUrl: odd.url, token: 'tok' }).listChannels())).code).toBe('relay_bad_reply');
    } finally {
      await odd.close();
    }
  });

  it('gives up after its timeout', async () => {
    const slow = await rawServer(() => undefined);
    try {
      const error = await caught(new RelayClient({ baseUrl: slow.url, token: 'tok', timeoutMs: 200 }).me());
      expect(error.code).toBe('relay_timeout');
    } finally {
      await slow.close();
    }
  });

  it('sends the bearer token, JSON and the idempotency key, keeping a path prefix', async () => {
    const seen: { url?: string; auth?: string; type?: string; key?: string; body?: string } = {};
    const echo = await rawServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        Object.assign(seen, {
          url: req.url,
          auth: req.headers.authorization,
          type: req.headers['content-type'],
          key: req.headers['idempotency-key'],
          body,
        });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'msg_1', status: 'queued', messageId: '<a@b.c>' }));
      });
    });
    try {
      const client = new RelayClient({ baseUrl: `${echo.url}/sendway/`, token: 'tok-123' });
      const draft = { channelId: 'ch_1', from: 'a@b.c', to: ['d@e.f'], subject: 's', text: 't' };
      expect(await client.sendMessage(draft, 'key-1')).toEqual({ id: 'msg_1', status: 'queued', messageId: '<a@b.c>' });
      expect(seen).toEqual({
        url: '/sendway/v1/messages',
        auth: 'Bearer tok-123',
        type: 'application/json',
        key: 'key-1',
        body: JSON.stringify(draft),
      });
    } finally {
      await echo.close();
    }
  });

  it('says when a relay cannot retry a send', async () => {
    // What the relay's notFound handler answers for a route it does not have.
    const old = await rawServer((req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: `no such endpoint: ${req.method} ${req.url}` } }));
    });
    try {
      const error = await caught(new RelayClient({ baseUrl: old.url, token: 'tok' }).retryMessage('msg_1'));
      expect(error.code).toBe('retry_unsupported');
    } finally {
      await old.close();
    }
  });

  it('lets the caller abort without dressing it up as a relay problem', async () => {
    const slow = await rawServer(() => undefined);
    try {
      const controller = new AbortController();
      const pending = new RelayClient({ baseUrl: slow.url, token: 'tok' }).me(controller.signal);
      controller.abort(new Error('popup closed'));
      await expect(pending).rejects.toThrow('popup closed');
    } finally {
      await slow.close();
    }
  });
});
