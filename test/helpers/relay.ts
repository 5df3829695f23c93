import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Clock } from '../../relay/clock';
import { loadConfig } from '../../relay/config';
import { createLogger } from '../../relay/log';
import { createRelay, type Relay } from '../../relay/relay';
import type { Lookup } from '../../relay/security/egress';
import { createToken } from '../../relay/store/tokens';

/** A clock tests move by hand: pacing and backoff without waiting. */
export class FakeClock implements Clock {
  constructor(public t = Date.parse('2030-01-01T09:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface StartRelayOptions {
  /** RELAY_* variables on top of the test defaults (process.env is not read). */
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
  /** Fake clock for pacing tests; the system clock otherwise. */
  clock?: Clock;
  /** false: do not run the worker loop; drive it with `relay.worker.tick()` / `settle()`. Default true. */
  autoWorker?: boolean;
  /** DNS answers for SMTP hosts (egress tests). */
  lookup?: Lookup;
  /** Retry delay per attempt (default: the real exponential backoff). */
  backoff?: (attempt: number, random: () => number) => number;
}

export interface RunningRelay {
  /** http://127.0.0.1:<port> */
  url: string;
  dataDir: string;
  /** A new bearer token for `email` (stored hashed, like the CLI does). */
  createToken(email: string, admin?: boolean): Promise<string>;
  /** fetch against the relay with the token as Bearer and `body` as JSON. */
  call(token: string | null, method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Every log line the relay wrote (JSON lines). */
  logs: string[];
  relay: Relay;
  stop(): Promise<void>;
}

export const TEST_CA_FILE = path.resolve('test/fixtures/tls/cert.pem');

/**
 * Runs the real relay in-process: database, delivery worker and HTTP server
 * on 127.0.0.1:0, allowed to reach the loopback SMTP test server and trusting
 * its certificate (create channels with host 127.0.0.1 or localhost).
 */
export async function startRelay(opts: StartRelayOptions = {}): Promise<RunningRelay> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-relay-'));
  const config = loadConfig({
    ...(await postgresEnv(dataDir)),
    RELAY_HOST: '127.0.0.1',
    RELAY_PORT: '0',
    RELAY_DATA_DIR: dataDir,
    RELAY_SMTP_ALLOWLIST: '127.0.0.1',
    RELAY_SMTP_CA_FILE: TEST_CA_FILE,
    RELAY_SMTP_TIMEOUT_MS: '5000',
    RELAY_LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const logs: string[] = [];
  const relay = await createRelay({
    config,
    version: 'test',
    clock: opts.clock,
    lookup: opts.lookup,
    backoff: opts.backoff,
    logger: createLogger(config.logLevel, (line) => logs.push(line)),
  });
  if (opts.autoWorker === false) await relay.worker.recover();
  else await relay.worker.start();
  const server = serve({ fetch: relay.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped = false;
  return {
    url,
    dataDir,
    logs,
    relay,
    async createToken(email, admin = false) {
      return (await createToken(relay.db, email, admin, Date.now())).token;
    },
    call(token, method, urlPath, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (token !== null) h.Authorization = `Bearer ${token}`;
      if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
      return fetch(url + urlPath, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // fetch keeps connections alive; do not wait for them to time out.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await relay.close(5_000);
    },
  };
}

/**
 * In the "postgres" test project (SENDWAY_TEST_STORE=postgres; SENDWAY_TEST_PG_URL set by its globalSetup) every relay
 * keeps its store in PostgreSQL instead: a database per data dir, so a restart on the same
 * data dir finds its mail again, exactly like the SQLite file would.
 */
async function postgresEnv(dataDir: string): Promise<Record<string, string>> {
  if (process.env.SENDWAY_TEST_STORE !== 'postgres') return {};
  const { projectDatabase } = await import('./postgres');
  const url = await projectDatabase(`relay_${crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  return { DATABASE_URL: url, RELAY_SECRET: 'test secret for the postgres project' };
}

/**
 * Everything the relay's store holds, as raw bytes, for "no secret in the clear" checks: the SQLite
 * database and its write-ahead log, or a pg_dump of the PostgreSQL database (the postgres project).
 */
export async function storedBytes(relay: RunningRelay): Promise<Buffer> {
  const url = relay.relay.deps.config.databaseUrl;
  if (url) {
    const { postgresBinDir } = await import('./postgres');
    const { execFileSync } = await import('node:child_process');
    return execFileSync(path.join(postgresBinDir()!, 'pg_dump'), ['--data-only', url], { maxBuffer: 256 * 1024 * 1024 });
  }
  // Reading through SQLite first makes sure the log file exists in its current state.
  await relay.relay.db.selectFrom('meta').selectAll().execute();
  const files = fs.readdirSync(relay.dataDir).filter((f) => f.startsWith('relay.sqlite'));
  return Buffer.concat(files.map((f) => fs.readFileSync(path.join(relay.dataDir, f))));
}

/** Body of POST /v1/channels for a custom SMTP channel on the loopback test server. */
export function smtpChannel(port: number, overrides: Record<string, unknown> = {}) {
  return {
    name: 'Test SMTP',
    provider: 'smtp',
    host: '127.0.0.1',
    port,
    security: 'starttls',
    username: 'rep@example.com',
    password: 'correct horse',
    scope: 'personal',
    ...overrides,
  };
}

/** Creates a channel and returns its id (throws with the API error otherwise). */
export async function createChannel(relay: RunningRelay, token: string, body: Record<string, unknown>): Promise<string> {
  const res = await relay.call(token, 'POST', '/v1/channels', body);
  const json = (await res.json()) as { id?: string };
  if (res.status !== 201 || !json.id) throw new Error(`channel create failed: ${res.status} ${JSON.stringify(json)}`);
  return json.id;
}

let keySeq = 0;
/** POST /v1/messages with a fresh Idempotency-Key unless one is given. */
export async function sendMessage(relay: RunningRelay, token: string, body: Record<string, unknown>, key = `k-${Date.now()}-${++keySeq}`) {
  const res = await relay.call(token, 'POST', '/v1/messages', body, { 'Idempotency-Key': key });
  return { status: res.status, body: (await res.json()) as { id: string; status: string; messageId: string; error?: { code: string; message: string; field?: string } } };
}

export async function getMessage(relay: RunningRelay, token: string, id: string) {
  return (await (await relay.call(token, 'GET', `/v1/messages/${id}`)).json()) as {
    id: string;
    status: string;
    attempts: number;
    lastError?: string;
    messageId: string;
    sentAt?: string;
    nextAttemptAt?: string;
  };
}

/** Polls until the message reaches one of `statuses` (for tests with the real worker loop). */
export async function waitForStatus(relay: RunningRelay, token: string, id: string, statuses: string[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await getMessage(relay, token, id);
    if (statuses.includes(m.status)) return m;
    if (Date.now() > deadline) throw new Error(`message ${id} is ${m.status} (${m.lastError ?? ''}), wanted ${statuses.join('/')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
