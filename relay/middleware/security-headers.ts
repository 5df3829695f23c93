import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The relay only ever answers JSON: nothing may be framed, sniffed, cached or
 * run as a page. Strict-Transport-Security is sent too, for deployments behind TLS.
 */
export function securityHeaders(): MiddlewareHandler[] {
  return [
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
      xFrameOptions: 'DENY',
      referrerPolicy: 'no-referrer',
      crossOriginResourcePolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
      strictTransportSecurity: 'max-age=31536000; includeSubDomains',
      xContentTypeOptions: 'nosniff',
      permissionsPolicy: {},
    }),
    async (c, next) => {
      await next();
      c.header('Cache-Control', 'no-store');
    },
  ];
}
