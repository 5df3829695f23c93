import type { MiddlewareHandler } from 'hono';

/**
 * The relay only ever answers JSON: nothing may be framed, sniffed, cached or
 * run as a page. Strict-Transport-Security is sent too, for deployments behind TLS.
 * The same set hono/secure-headers produces for these options (the test checks
 * that), plus Cache-Control: no-store.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
  ['Cache-Control', 'no-store'],
];

/**
 * Set before the handler runs, so the response is built once with them.
 * Adding headers to a finished response (as hono/secure-headers does after
 * `next()`) makes @hono/node-server turn its lightweight response into a full
 * WHATWG Response, a copy per request that showed up in the relay's profile.
 */
export function securityHeaders(): MiddlewareHandler[] {
  return [
    async (c, next) => {
      for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
      await next();
      // A handler that returned its own Response (not built through the context) did not get them.
      if (!c.res.headers.has('X-Content-Type-Options')) for (const [name, value] of SECURITY_HEADERS) c.res.headers.set(name, value);
    },
  ];
}
