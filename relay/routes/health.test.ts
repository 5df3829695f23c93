import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../schema';
import { openSqlite, type RelayDb } from '../db';
import { ProcessCounters } from '../observability/counters';
import { Readiness, redactUrl } from '../observability/readiness';
import { systemClock } from '../clock';
import { createLogger } from '../log';
import { healthRoutes, tokenMatches } from './health';

const TOKEN = 'metrics-token-0123456789';

describe('health, readiness and metrics routes', () => {
  let db: RelayDb;
  let close: () => Promise<void>;
  let closed = false;
  let workerProblem: string | null;
  let readiness: Readiness;
  let lines: string[] = [];
  const logger = createLogger('debug', (l) => lines.push(l));
  const app = (...token: [string | undefined] | []) =>
    healthRoutes({ db, version: '9.9.9', readiness, counters: new ProcessCounters(), clock: systemClock, metricsToken: token.length ? token[0] : TOKEN, logger });

  beforeEach(async () => {
    const opened = await openSqlite(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-health-')));
    db = opened.db;
    close = opened.close;
    closed = false;
    workerProblem = null;
    lines = [];
    readiness = new Readiness({ db, workerProblem: () => workerProblem });
  });
  afterEach(async () => {
    if (!closed) await close();
  });

  it('is live and ready when the database answers and the worker runs', async () => {
    expect(await (await app().request('/healthz')).json()).toEqual({ status: 'ok', version: '9.9.9' });
    const res = await app().request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, checks: { database: 'ok', worker: 'ok', shutdown: 'ok' } });
  });

  it('names the failing check with 503: worker, shutdown, database', async () => {
    workerProblem = 'stopped';
    let res = await app().request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, checks: { database: 'ok', worker: 'stopped', shutdown: 'ok' } });

    workerProblem = null;
    readiness.beginShutdown();
    res = await app().request('/readyz');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: { shutdown: string } }).checks.shutdown).toBe('shutting down');

    readiness = new Readiness({ db, workerProblem: () => null });
    await close();
    closed = true;
    res = await app().request('/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; checks: { database: string; worker: string } };
    expect(body.ready).toBe(false);
    expect(body.checks.database).toBe('unavailable');
    expect(body.checks.worker).toBe('ok');
    // Liveness does not depend on the database.
    expect((await app().request('/healthz')).status).toBe(200);
    // The response stays terse (public endpoint); the reason is logged when readiness changes.
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'readiness_failed');
    expect(logged.at(-1)).toMatchObject({ level: 'warn', database: 'unavailable', worker: 'ok' });
    expect(String(logged.at(-1)!.error)).toMatch(/\w/);
  });

  it('times out a database that does not answer', async () => {
    // A real Kysely whose connection never answers (a hung pool, a black-holed database host).
    const connection = { executeQuery: () => new Promise<never>(() => undefined), streamQuery: () => (async function* () {})() };
    const stuck = new Kysely<DB>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => ({
          init: async () => undefined,
          acquireConnection: async () => connection,
          beginTransaction: async () => undefined,
          commitTransaction: async () => undefined,
          rollbackTransaction: async () => undefined,
          releaseConnection: async () => undefined,
          destroy: async () => undefined,
        }),
        createIntrospector: (k) => new SqliteIntrospector(k),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
    const r = new Readiness({ db: stuck as unknown as RelayDb, workerProblem: () => null, timeoutMs: 50 });
    const report = await r.check();
    expect(report.ready).toBe(false);
    expect(report.checks.database).toBe('timeout');
    expect(report.detail?.database).toBe('no answer to select 1 within 50 ms');
  });

  it('hides /metrics (404) unless RELAY_METRICS_TOKEN is set, then requires it as a bearer token', async () => {
    expect((await app(undefined).request('/metrics')).status).toBe(404);
    expect((await app(undefined).request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await app().request('/metrics')).status).toBe(401);
    expect((await app().request('/metrics', { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await app().request('/metrics', { headers: { Authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    const res = await app().request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('sendway_messages{status="queued"} 0');
  });

  it('compares tokens whatever their length without throwing', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('x', TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN + 'x', TOKEN)).toBe(false);
  });

  it('keeps passwords in connection strings out of check messages', () => {
    expect(redactUrl('connect ECONNREFUSED postgres://relay:s3cret@db:5432/sendway')).toBe('connect ECONNREFUSED postgres://relay:***@db:5432/sendway');
  });
});

describe('OpenAPI document', () => {
  it('lists the probes and /metrics without relay-token auth', async () => {
    const { openApiDocument } = await import('./openapi');
    const paths = openApiDocument('1.0.0').paths as Record<string, { get?: { security?: unknown[]; responses: Record<string, unknown> } }>;
    for (const p of ['/healthz', '/readyz', '/metrics']) expect(paths[p]?.get?.security, p).toEqual([]);
    expect(Object.keys(paths['/readyz']!.get!.responses).sort()).toEqual(['200', '503']);
    expect(Object.keys(paths['/metrics']!.get!.responses).sort()).toEqual(['200', '401', '404']);
  });
});
