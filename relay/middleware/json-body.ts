import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { apiError } from './errors';

/** Requests with a body must be JSON (415 otherwise) and no larger than `maxBytes` (413). */
export function jsonOnly(maxBytes: number): MiddlewareHandler[] {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => apiError(c, 413, 'payload_too_large', `request body is larger than ${maxBytes} bytes`),
  });
  return [
    async (c, next) => {
      const length = c.req.header('Content-Length');
      const hasBody = c.req.header('Transfer-Encoding') !== undefined || (length !== undefined && length !== '0');
      // A POST without a body (e.g. /verify) needs no content type; anything with a body must be JSON.
      if (hasBody && (c.req.method === 'POST' || c.req.method === 'PATCH' || c.req.method === 'PUT' || c.req.method === 'DELETE')) {
        const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') {
          return apiError(c, 415, 'unsupported_media_type', 'send the request body as application/json', 'Content-Type');
        }
      }
      if (length !== undefined && Number(length) > maxBytes) {
        // Read (and drop) a moderately oversized body before answering, so the client gets the
        // 413 instead of a connection reset mid-upload; anything far larger is simply cut off.
        if (Number(length) <= maxBytes * 8) await drain(c.req.raw.body);
        return apiError(c, 413, 'payload_too_large', `request body is larger than ${maxBytes} bytes`);
      }
      // With a Content-Length (checked above) Node's HTTP parser delivers exactly that many bytes,
      // so only a chunked body needs counting as it streams. Skipping the counter otherwise matters:
      // it turns the request into a full WHATWG Request, which costs more than the rest of a POST.
      if (!hasBody || (length !== undefined && c.req.header('Transfer-Encoding') === undefined)) return next();
      return limit(c, next);
    },
  ];
}

async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) if ((await reader.read()).done) return;
  } catch {
    // The client went away: nothing left to answer.
  }
}
