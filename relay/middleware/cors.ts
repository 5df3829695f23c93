import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** CORS for the extension's own origins only; any other origin gets no CORS headers, so browsers block it. */
export function extensionCors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposeHeaders: ['Retry-After', 'Idempotent-Replayed'],
    maxAge: 600,
    credentials: false,
  });
}
