import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { Logger } from '../log';

/** Every error the relay answers with: `{error: {code, message, field?}}`. */
export function apiError(c: Context, status: ContentfulStatusCode, code: string, message: string, field?: string) {
  return c.json({ error: field === undefined ? { code, message } : { code, message, field } }, status);
}

/** The first zod issue as an API error naming the field. */
export function zodIssue(error: z.ZodError, prefix?: string): { message: string; field?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: 'invalid request' };
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, String(issue.keys[0])];
    message = 'unknown field';
  } else if (issue.code === 'invalid_union') {
    // Unions (an address string or {name, address}) report their own first inner issue: say what was wrong.
    const inner = issue.errors.flat()[0];
    if (inner) {
      path = [...path, ...inner.path.map(String)];
      message = inner.message;
    }
  }
  if (prefix) path = [prefix, ...path];
  const field = path.length ? path.join('.') : undefined;
  return { message: field ? `${field}: ${message}` : message, field };
}

/**
 * Nothing a client sends may produce a 500. Expected HTTP errors keep their
 * status; anything else is logged (without the request body or credentials)
 * and answered with 503, which tells a client to try again later.
 */
export function errorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    // The request's own logger (with its requestId) once the request-id middleware ran.
    const log = (c.get('log') as Logger | undefined) ?? logger;
    if (err instanceof HTTPException) {
      const status = err.status;
      if (status === 413) return apiError(c, 413, 'payload_too_large', 'request body is too large');
      const code = status === 400 && /json/i.test(err.message) ? 'malformed_json' : status === 401 ? 'unauthorized' : 'bad_request';
      return apiError(c, status as ContentfulStatusCode, code, err.message || 'bad request');
    }
    if (err instanceof SyntaxError) return apiError(c, 400, 'malformed_json', 'request body is not valid JSON');
    if (err instanceof RangeError && /call stack|nest/i.test(err.message)) return apiError(c, 400, 'bad_request', 'request is nested too deeply');
    // The request body broke off (client went away, or a malformed chunked body): the client's doing, not the relay's.
    if (err.message === 'aborted' || (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
      log.info('request_aborted', { method: c.req.method, path: c.req.path });
      return apiError(c, 400, 'bad_request', 'the request body ended early or was malformed');
    }
    log.error('unhandled_error', { method: c.req.method, path: c.req.path, error: err.message, name: err.name });
    return apiError(c, 503, 'unavailable', 'the relay could not handle this request right now; try again later');
  };
}

export const notFound: NotFoundHandler = (c) => apiError(c, 404, 'not_found', `no such endpoint: ${c.req.method} ${c.req.path}`);
