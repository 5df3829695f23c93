import type { Context, MiddlewareHandler } from 'hono';
import type { RelayDb } from '../db';
import { looksLikeToken } from '../security/tokens';
import { findToken, type TokenRecord } from '../store/tokens';
import { apiError } from './errors';
import type { FailureLimiter } from './rate-limit';
import type { LogEnv } from './request-id';

/** `token`: the authenticated caller (under /v1), beside the request's logger. */
export type AuthEnv = { Variables: LogEnv['Variables'] & { token: TokenRecord } };

/** The client's IP: the socket's address, or the first X-Forwarded-For hop when the relay is told to trust its proxy. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (xff) return xff;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Bearer token auth for /v1; failures are counted per IP and throttled. */
export function bearerAuth(db: RelayDb, limiter: FailureLimiter, trustProxy: boolean): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const ip = clientIp(c, trustProxy);
    const wait = limiter.retryAfter(ip);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return apiError(c, 429, 'too_many_attempts', `too many failed token attempts from this address; try again in ${wait} s`);
    }
    const header = c.req.header('Authorization') ?? '';
    const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
    const token = m ? m[1]! : '';
    const record = token && looksLikeToken(token) ? await findToken(db, token) : undefined;
    if (!record) {
      limiter.fail(ip);
      c.header('WWW-Authenticate', 'Bearer realm="sendway-relay"');
      return apiError(c, 401, 'unauthorized', header ? 'the token is not valid (unknown, malformed or revoked)' : 'an Authorization: Bearer <token> header is required');
    }
    c.set('token', record);
    await next();
  };
}

export function requireAdmin(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!c.get('token').admin) return apiError(c, 403, 'forbidden', 'this endpoint is for administrators');
    await next();
  };
}
