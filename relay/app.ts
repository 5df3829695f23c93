import { Hono } from 'hono';
import { systemClock } from './clock';
import type { RelayDb } from './db';
import { createLogger } from './log';
import { bearerAuth, type AuthEnv } from './middleware/auth';
import { extensionCors } from './middleware/cors';
import { errorHandler, notFound } from './middleware/errors';
import { jsonOnly } from './middleware/json-body';
import { noNulInPath } from './middleware/validate';
import { requestLog } from './middleware/request-id';
import { ProcessCounters } from './observability/counters';
import { Readiness } from './observability/readiness';
import { FailureLimiter } from './middleware/rate-limit';
import { securityHeaders } from './middleware/security-headers';
import { adminRoutes, meRoutes } from './routes/admin';
import { channelRoutes } from './routes/channels';
import { deliverabilityRoutes } from './routes/deliverability';
import type { RouteDeps } from './routes/deps';
import { healthRoutes } from './routes/health';
import { limitsRoutes } from './routes/limits';
import { messageRoutes } from './routes/messages';
import { messageRetryRoutes } from './routes/message-retry';
import { oauthRoutes } from './routes/oauth';
import { openApiDocument } from './routes/openapi';
import { unsubscribeApiRoutes, unsubscribePageHeaders, unsubscribePageRoutes } from './routes/unsubscribe';

export interface AppDeps {
  db: RelayDb;
  version: string;
  /** The /v1 API; without it only /healthz is served (used by the smallest tests). */
  api?: RouteDeps;
  /** Process counters and readiness, shared with the delivery worker (relay.ts); without them the app has its own, never ready. */
  observability?: { counters: ProcessCounters; readiness: Readiness };
}

/** The relay's HTTP surface. A factory so tests build it with their own deps. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AuthEnv>();
  const logger = deps.api?.logger ?? createLogger('silent');
  const observability = deps.observability ?? {
    counters: new ProcessCounters(),
    readiness: new Readiness({ db: deps.db, workerProblem: () => 'no delivery worker in this process' }),
  };
  app.onError(errorHandler(logger));
  app.notFound(notFound);
  // Outermost: the request id and access line cover every answer, errors and 404s included.
  app.use('*', requestLog(logger, observability.counters));
  // Outermost on these paths, so the unsubscribe pages' own CSP (a style hash, a form) has the last word.
  if (deps.api) app.use('/unsubscribe/*', unsubscribePageHeaders());
  app.use('*', ...securityHeaders());
  if (deps.api) app.use('*', extensionCors(deps.api.config.corsOrigins));

  app.route(
    '/',
    healthRoutes({
      db: deps.db,
      version: deps.version,
      ...observability,
      clock: deps.api?.clock ?? systemClock,
      metricsToken: deps.api?.config.metricsToken,
      logger,
    }),
  );

  if (deps.api) {
    const api = deps.api;
    const doc = openApiDocument(deps.version);
    app.get('/v1/openapi.json', (c) => c.json(doc));
    app.route('/unsubscribe', unsubscribePageRoutes(api));
    const limiter = new FailureLimiter(api.config.authFailuresPerMinute, api.clock);
    app.use('/v1/*', bearerAuth(api.db, limiter, api.config.trustProxy), noNulInPath(), ...jsonOnly(api.config.maxBody));
    app.route('/v1/channels', channelRoutes(api));
    app.route('/v1', deliverabilityRoutes(api));
    app.route('/v1/channels', oauthRoutes(api));
    app.route('/v1/messages', messageRoutes(api));
    app.route('/v1/messages', messageRetryRoutes(api));
    app.route('/v1/limits', limitsRoutes(api));
    app.route('/v1/me', meRoutes());
    app.route('/v1/admin', adminRoutes(api));
    app.route('/v1', unsubscribeApiRoutes(api));
  }
  return app;
}
