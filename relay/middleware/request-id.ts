import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { withFields, type Logger } from '../log';
import { randomId } from '../security/random-id';
import type { ProcessCounters } from '../observability/counters';
import type { AuthEnv } from './auth';

/** `log`: the logger stamped with this request's id, for every line its handling writes. */
export type LogEnv = { Variables: { log: Logger } };

/** An incoming id is kept only if it is short and plain, so it cannot forge log fields or headers. */
const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Probes scraped every few seconds: their successes are logged at debug so they do not drown the access log. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && INCOMING_ID.test(header) ? header : `req_${randomId(12)}`;
}

/**
 * Outermost middleware: gives every request an id (the caller's X-Request-Id
 * when sane, else a new one), echoes it in the response, hands the handlers a
 * logger stamped with it (`c.get('log')`) and writes one
 * access line: method, route pattern (never the raw path — /unsubscribe/<token>
 * is a capability — nor the query string), status, ms, tokenId when known.
 */
export function requestLog(logger: Logger, counters: ProcessCounters): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header('X-Request-Id'));
    const start = performance.now();
    c.set('log', withFields(logger, { requestId }));
    await next();
    // Errors were turned into responses by onError already: status is what the client gets.
    const status = c.res.status;
    try {
      c.res.headers.set('X-Request-Id', requestId);
    } catch {
      // Immutable headers (a proxied Response): copy it to set the id.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('X-Request-Id', requestId);
    }
    counters.request(status);
    const route = routePath(c);
    const fields = {
      method: c.req.method,
      // '*' or '/v1/*' means only middleware matched (a 404).
      route: route.endsWith('*') ? 'unmatched' : route,
      status,
      ms: Math.round((performance.now() - start) * 10) / 10,
      tokenId: c.get('token')?.id,
    };
    const log = c.get('log');
    if (PROBES.has(route) && status < 400) log.debug('http_request', fields);
    else log.info('http_request', fields);
  };
}
