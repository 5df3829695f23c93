import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, smtpChannel, startRelay, waitForStatus, type RunningRelay } from '../helpers/relay';
import { freePort } from '../helpers/free-port';

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';
const SMTP_PASSWORD = 'correct horse';
const SUBJECT = 'Confidential pricing for Q3 zebra-omega';
const BODY = 'The secret body text mango-quartz';

type Line = Record<string, unknown> & { event: string; level: string };

// A real send through the relay (HTTP → outbox → worker → SMTP with one
// temporary failure), then a look at everything it logged and what /metrics says.
describe('relay observability: logs, readiness and metrics around a real send', () => {
  const smtp = new TestSmtpServer();
  let relay: RunningRelay;
  let token: string;
  let channelId: string;
  let accepted: { id: string; requestId: string };

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay({ env: { RELAY_METRICS_TOKEN: METRICS_TOKEN }, backoff: () => 50 });
    token = await relay.createToken('rep@example.com');
    channelId = await createChannel(relay, token, smtpChannel(smtp.port, { password: SMTP_PASSWORD }));
    smtp.fail({ stage: 'data', code: 451, message: '4.3.0 try again later' });
    const res = await relay.call(
      token,
      'POST',
      '/v1/messages',
      { channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject: SUBJECT, text: BODY, html: `<p>${BODY}</p>` },
      { 'Idempotency-Key': 'obs-1', 'X-Request-Id': 'client-trace.7' },
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('X-Request-Id')).toBe('client-trace.7');
    accepted = { id: ((await res.json()) as { id: string }).id, requestId: 'client-trace.7' };
    await smtp.waitFor(1);
    await waitForStatus(relay, token, accepted.id, ['sent']);
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  const lines = () => relay.logs.map((l) => JSON.parse(l) as Line);

  it('writes only JSON lines, and none carries the SMTP password, the bearer token, the subject, the body or a database password', () => {
    expect(relay.logs.length).toBeGreaterThan(5);
    // In the "postgres" project the relay runs on DATABASE_URL, whose password must not leak either.
    const dbUrl = relay.relay.deps.config.databaseUrl;
    const secrets = [SMTP_PASSWORD, token, token.slice(4, 24), SUBJECT, 'zebra-omega', BODY, 'mango-quartz', ...(dbUrl ? [new URL(dbUrl).password] : [])];
    for (const l of relay.logs) {
      expect(() => JSON.parse(l), l).not.toThrow();
      for (const secret of secrets) expect(l).not.toContain(secret);
    }
  });

  it('links the access line, the response header and the message event by request id', () => {
    const all = lines();
    const access = all.filter((l) => l.event === 'http_request' && l.requestId === accepted.requestId);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: 'POST', route: '/v1/messages', status: 202 });
    expect(typeof access[0]!.ms).toBe('number');
    expect(access[0]!.tokenId).toMatch(/\w/);
    const acceptedLine = all.find((l) => l.event === 'message_accepted');
    expect(acceptedLine).toMatchObject({ requestId: accepted.requestId, messageId: accepted.id, channelId, tokenId: access[0]!.tokenId });
    // Every request got an access line with a request id, and ids are unique per request.
    const ids = all.filter((l) => l.event === 'http_request').map((l) => l.requestId);
    expect(ids.every((id) => typeof id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // GET /v1/messages/:id is logged by its route, not with the message id in a raw path.
    expect(all.some((l) => l.event === 'http_request' && l.route === '/v1/messages/:id')).toBe(true);
  });

  it('gives delivery events the message id and channel id (and no request id: they are not part of any request)', () => {
    const delivery = lines().filter((l) => l.event === 'message_retrying' || l.event === 'message_sent');
    expect(delivery.map((l) => l.event)).toEqual(['message_retrying', 'message_sent']);
    for (const l of delivery) {
      expect(l).toMatchObject({ messageId: accepted.id, channelId });
      expect(l.requestId).toBeUndefined();
    }
  });

  it('is ready, and /metrics reports the send from the database and this replica', async () => {
    const ready = await relay.call(null, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', worker: 'ok', shutdown: 'ok' } });
    expect((await relay.call(null, 'GET', '/metrics')).status).toBe(401);
    expect((await relay.call(token, 'GET', '/metrics')).status).toBe(401); // a relay token is not the metrics token
    const res = await relay.call(null, 'GET', '/metrics', undefined, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('sendway_messages{status="sent"} 1');
    expect(text).toContain('sendway_messages{status="queued"} 0');
    expect(text).toContain('sendway_deliveries_total{outcome="sent"} 1');
    expect(text).toContain('sendway_deliveries_total{outcome="retried"} 1');
    expect(text).toContain(`sendway_channel_window_used{channel="${channelId}",window="minute",unit="messages"} 1`);
    expect(text).toMatch(/sendway_http_requests_total\{code="2xx"\} [1-9]/);
    expect(text).toMatch(/process_resident_memory_bytes [1-9]\d+/);
    for (const secret of ['rep@example.com', 'lead@customer.test', SUBJECT, 'Test SMTP']) expect(text).not.toContain(secret);
  });

  it('turns unready as soon as shutdown begins, while still answering', async () => {
    const closing = relay.relay.close(5_000);
    const res = await relay.call(null, 'GET', '/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks.shutdown).toBe('shutting down');
    await closing;
    expect(((await (await relay.call(null, 'GET', '/readyz')).json()) as { checks: Record<string, string> }).checks.worker).toBe('stopped');
  });
});

// The process as deployed (npm run relay's entry): SIGTERM makes /readyz answer 503 during
// RELAY_SHUTDOWN_DELAY_MS while the listener is still open, then the relay exits cleanly.
describe('relay process shutdown order', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('answers /readyz 503 after SIGTERM before it stops listening, and logs start and stop as JSON', async () => {
    const port = await freePort();
    const out: string[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
      env: {
        PATH: process.env.PATH,
        RELAY_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-obs-')),
        RELAY_PORT: String(port),
        RELAY_LOG_LEVEL: 'warn',
        RELAY_SHUTDOWN_DELAY_MS: '1500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.join('').includes('listening on')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`relay did not start: ${out.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = `http://127.0.0.1:${port}`;
    // The loop has made its first pass once start() resolved; ready right away.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const during = await fetch(`${url}/readyz`);
    expect(during.status).toBe(503);
    expect(((await during.json()) as { checks: Record<string, string> }).checks.shutdown).toBe('shutting down');
    expect(await exited).toBe(0);
    const events = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Line).event);
    expect(events).toEqual(['relay_listening', 'relay_stopping', 'relay_stopped']);
  });

  it('refuses to start without its database with one JSON line naming it, and no password', async () => {
    const port = await freePort(); // nothing listens there
    const p = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
      env: {
        PATH: process.env.PATH,
        RELAY_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-obs-')),
        RELAY_PORT: '0',
        DATABASE_URL: `postgres://relay:pw-not-for-logs@127.0.0.1:${port}/sendway`,
        RELAY_SECRET: 'shared-relay-secret-0123456789abcdef',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    expect(await new Promise((r) => p.once('exit', (code) => r(code)))).toBe(1);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', event: 'database_unavailable' });
    expect(out).toMatch(/DATABASE_URL/);
    expect(out).not.toContain('pw-not-for-logs');
  });
});
