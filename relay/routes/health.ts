import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Clock } from '../clock';
import type { RelayDb } from '../db';
import type { Logger } from '../log';
import { apiError } from '../middleware/errors';
import type { ProcessCounters } from '../observability/counters';
import { databaseGauges, renderMetrics } from '../observability/metrics';
import type { Readiness } from '../observability/readiness';

export interface HealthDeps {
  db: RelayDb;
  version: string;
  readiness: Readiness;
  counters: ProcessCounters;
  clock: Clock;
  /** RELAY_METRICS_TOKEN: /metrics is served only when set. */
  metricsToken: string | undefined;
  logger: Logger;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Same-length digests compared in constant time: neither the token nor its length leaks through timing. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Probes and metrics: outside /v1, without relay tokens. */
export function healthRoutes(d: HealthDeps) {
  const app = new Hono();

  // Liveness: the process answers. No database round trip, so a database outage makes replicas
  // unready (readyz) rather than getting every one of them restarted.
  app.get('/healthz', (c) => c.json({ status: 'ok', version: d.version }));

  // Probes come every few seconds: log readiness when it changes, not on every probe.
  let last = 'ok';
  app.get('/readyz', async (c) => {
    const { ready, checks, detail } = await d.readiness.check();
    const state = ready ? 'ok' : JSON.stringify(checks);
    // During shutdown unreadiness is the plan (relay_stopping says so), not news.
    if (state !== last && !d.readiness.shuttingDown) {
      if (ready) d.logger.info('readiness_restored', {});
      else d.logger.warn('readiness_failed', { database: checks.database, worker: checks.worker, shutdown: checks.shutdown, error: detail?.database });
      last = state;
    }
    c.header('Cache-Control', 'no-store');
    return c.json({ ready, checks }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    // Secure by default: without a configured token the endpoint does not exist.
    if (d.metricsToken === undefined) return apiError(c, 404, 'not_found', `no such endpoint: ${c.req.method} ${c.req.path}`);
    const m = /^Bearer (\S+)$/i.exec((c.req.header('Authorization') ?? '').trim());
    if (!m || !tokenMatches(m[1]!, d.metricsToken)) {
      c.header('WWW-Authenticate', 'Bearer realm="sendway-metrics"');
      return apiError(c, 401, 'unauthorized', 'GET /metrics needs Authorization: Bearer <RELAY_METRICS_TOKEN>');
    }
    const gauges = await databaseGauges(d.db, d.clock.now());
    const body = renderMetrics({ gauges, counters: d.counters, version: d.version, rssBytes: process.memoryUsage.rss() });
    c.header('Cache-Control', 'no-store');
    return c.body(body, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
