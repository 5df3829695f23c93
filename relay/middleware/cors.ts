import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

const ALLOW_METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];
const ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'];
// X-Request-Id: the extension can quote it when a rep reports a problem, and the relay's log line is found by it.
const EXPOSE_HEADERS = ['Retry-After', 'Idempotent-Replayed', 'X-Request-Id'];

/** CORS for the extension's own origins only; any other origin gets no CORS headers, so browsers block it. */
export function extensionCors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const preflight = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
    credentials: false,
  });
  const expose = EXPOSE_HEADERS.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    // The headers hono/cors sets on other requests, set before the handler so the response is
    // built once with them (see security-headers.ts for why that matters).
    const origin = c.req.header('Origin');
    const allowOrigin = origin && allowed.has(origin) ? origin : null;
    if (allowOrigin) c.header('Access-Control-Allow-Origin', allowOrigin);
    c.header('Access-Control-Expose-Headers', expose);
    c.header('Vary', 'Origin', { append: true });
    await next();
    // A handler that returned its own Response (not built through the context) did not get them.
    const headers = c.res.headers;
    if (!headers.has('Access-Control-Expose-Headers')) {
      if (allowOrigin) headers.set('Access-Control-Allow-Origin', allowOrigin);
      headers.set('Access-Control-Expose-Headers', expose);
      headers.append('Vary', 'Origin');
    }
  };
}
