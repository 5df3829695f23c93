import type { MiddlewareHandler } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { z } from 'zod';
import { apiError, zodIssue } from './errors';

/**
 * Where a NUL character sits in a parsed request, as a field path ("to.0"), or null. No field of
 * the API can hold one (mail may not carry NUL at all), and PostgreSQL refuses it in text: caught
 * here, a NUL is a 400 naming the field on every store, never a failed query.
 */
export function nulField(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || '(body)' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulField(value[i], [...path, String(i)]);
      if (found !== null) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nulField(v, [...path, k]);
      if (found !== null) return found;
    }
  }
  return null;
}

const nulError = (field: string) => `${field} contains a NUL character`;

/** zod-validated JSON body / query; failures become 400 `{error: {code: 'invalid_request', message, field}}`. */
export const validJson = <S extends z.ZodType>(schema: S) =>
  zValidator('json', schema, (result, c) => {
    if (!result.success) {
      const { message, field } = zodIssue(result.error as unknown as z.ZodError);
      return apiError(c, 400, 'invalid_request', message, field);
    }
    const nul = nulField(result.data);
    if (nul !== null) return apiError(c, 400, 'invalid_request', nulError(nul), nul);
  });

export const validQuery = <S extends z.ZodType>(schema: S) =>
  zValidator('query', schema, (result, c) => {
    if (!result.success) {
      const { message, field } = zodIssue(result.error as unknown as z.ZodError);
      return apiError(c, 400, 'invalid_request', message, field);
    }
    const nul = nulField(result.data);
    if (nul !== null) return apiError(c, 400, 'invalid_request', nulError(nul), nul);
  });

/** A path with an encoded NUL (…/%00) names nothing here: 404 like any unknown id, before a route hands it to the database. */
export function noNulInPath(): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.url.slice(c.req.url.indexOf('/', c.req.url.indexOf('//') + 2)).split('?')[0]!;
    if (/%00/.test(raw)) return apiError(c, 404, 'not_found', 'no such resource: the path contains a NUL character', 'id');
    await next();
  };
}
