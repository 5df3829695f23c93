import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { ProcessCounters } from '../observability/counters';
import type { AuthEnv } from './auth';
import { requestIdFrom, requestLog } from './request-id';

function app() {
  const lines: string[] = [];
  const logger = createLogger('debug', (l) => lines.push(l));
  const counters = new ProcessCounters();
  const a = new Hono<AuthEnv>();
  a.onError((_e, c) => c.json({ error: 'boom' }, 503));
  a.use('*', requestLog(logger, counters));
  a.get('/unsubscribe/:token', (c) => {
    c.get('log').info('inner_event');
    return c.text('ok');
  });
  a.get('/v1/things/:id', (c) => {
    c.set('token', { id: 'tok_7' } as AuthEnv['Variables']['token']);
    return c.json({ id: c.req.param('id') });
  });
  a.get('/explode', () => {
    throw new Error('kaboom');
  });
  a.get('/healthz', (c) => c.json({ ok: true }));
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { a, parsed, counters };
}

describe('request id and access log', () => {
  it('keeps a sane incoming X-Request-Id and replaces anything else', () => {
    expect(requestIdFrom('abc-123_x.y')).toBe('abc-123_x.y');
    for (const bad of ['', 'a b', 'x'.repeat(65), 'id\r\nX-Evil: 1', '"quoted"', 'ünï']) expect(requestIdFrom(bad)).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });

  it('echoes the id, stamps inner log lines with it and logs the route pattern, never the raw path or query', async () => {
    const { a, parsed } = app();
    const res = await a.request('/unsubscribe/v1.c2VjcmV0.sig?x=secretquery', { headers: { 'X-Request-Id': 'trace-42' } });
    expect(res.headers.get('X-Request-Id')).toBe('trace-42');
    const [inner, access] = parsed();
    expect(inner).toMatchObject({ event: 'inner_event', requestId: 'trace-42' });
    expect(access).toMatchObject({ event: 'http_request', requestId: 'trace-42', method: 'GET', route: '/unsubscribe/:token', status: 200 });
    expect(typeof access!.ms).toBe('number');
    expect(JSON.stringify(parsed())).not.toMatch(/c2VjcmV0|secretquery/);
  });

  it('logs tokenId when the request was authenticated, errors with their status, and counts status classes', async () => {
    const { a, parsed, counters } = app();
    const ok = await a.request('/v1/things/t1');
    const generated = ok.headers.get('X-Request-Id')!;
    expect(generated).toMatch(/^req_/);
    await a.request('/explode');
    await a.request('/nope');
    const access = parsed().filter((p) => p.event === 'http_request');
    expect(access[0]).toMatchObject({ requestId: generated, route: '/v1/things/:id', status: 200, tokenId: 'tok_7', level: 'info' });
    expect(access[1]).toMatchObject({ route: '/explode', status: 503 });
    expect(access[2]).toMatchObject({ route: 'unmatched', status: 404 });
    expect(counters.http).toMatchObject({ '2xx': 1, '4xx': 1, '5xx': 1 });
  });

  it('logs successful probes at debug level only', async () => {
    const { a, parsed } = app();
    await a.request('/healthz');
    expect(parsed()[0]).toMatchObject({ event: 'http_request', route: '/healthz', level: 'debug' });
  });
});
