import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { describe, expect, it } from 'vitest';
import { extensionCors } from './cors';
import { securityHeaders } from './security-headers';

const ORIGIN = 'chrome-extension://odbmceaebecihlmjdpgmbmagceiihbmh';

/** The same app built twice: with the relay's middleware, and with hono's own (what it replaced). */
function apps() {
  const routes = (app: Hono) => {
    app.onError((err, c) => c.json({ error: err.message }, 503));
    app.notFound((c) => c.json({ error: 'not found' }, 404));
    app.get('/json', (c) => c.json({ ok: true }));
    app.post('/created', (c) => c.json({ id: 1 }, 201));
    app.get('/throws', () => {
      throw new Error('boom');
    });
    app.get('/raw', () => new Response('{}', { headers: { 'Content-Type': 'application/json' } }));
    return app;
  };
  const ours = new Hono();
  ours.use('*', ...securityHeaders());
  ours.use('*', extensionCors([ORIGIN]));
  const hono = new Hono();
  hono.use('*', secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    xContentTypeOptions: 'nosniff',
    permissionsPolicy: {},
  }));
  hono.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  hono.use('*', cors({
    origin: (o) => (o === ORIGIN ? o : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposeHeaders: ['Retry-After', 'Idempotent-Replayed', 'X-Request-Id'],
    maxAge: 600,
    credentials: false,
  }));
  return { ours: routes(ours), hono: routes(hono) };
}

const headersOf = (res: Response) => Object.fromEntries([...res.headers].sort(([a], [b]) => a.localeCompare(b)));

describe('security headers and CORS set before the handler', () => {
  const { ours, hono } = apps();

  for (const [method, path] of [['GET', '/json'], ['POST', '/created'], ['GET', '/throws'], ['GET', '/nope'], ['GET', '/raw']] as const) {
    for (const origin of [ORIGIN, 'https://evil.example', undefined]) {
      it(`${method} ${path} from ${origin ?? 'no origin'}: the same headers, status and body as hono's middleware`, async () => {
        const init: RequestInit = { method, headers: origin ? { Origin: origin } : {} };
        const [a, b] = [await ours.request(path, init), await hono.request(path, init)];
        expect(a.status).toBe(b.status);
        expect(headersOf(a)).toEqual(headersOf(b));
        expect(await a.text()).toBe(await b.text());
        expect(a.headers.get('x-frame-options')).toBe('DENY');
        expect(a.headers.get('cache-control')).toBe('no-store');
      });
    }
  }

  it('answers a preflight exactly as hono/cors does, for allowed and other origins', async () => {
    for (const origin of [ORIGIN, 'https://evil.example']) {
      const init = { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } };
      const [a, b] = [await ours.request('/json', init), await hono.request('/json', init)];
      expect(a.status).toBe(b.status);
      expect(headersOf(a)).toEqual(headersOf(b));
    }
  });
});
