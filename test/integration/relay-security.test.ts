import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../helpers/relay';

// Security headers on every response, CORS only for the extension's origins,
// and token brute force throttled per IP.
describe('relay HTTP security', () => {
  let relay: RunningRelay;
  let token: string;
  beforeAll(async () => {
    relay = await startRelay({ env: { RELAY_AUTH_FAILURES_PER_MINUTE: '5', RELAY_EXTENSION_ORIGINS: 'moz-extension://0b1e4f3c-1111-4aaa-9bbb-123456789abc' } });
    token = await relay.createToken('rep@example.com');
  });
  afterAll(() => relay?.stop());

  it('sends security headers on every response, errors included', async () => {
    for (const [t, path] of [[null, '/healthz'], [null, '/v1/openapi.json'], [null, '/v1/me'], [token, '/v1/channels'], [token, '/nope']] as const) {
      const res = await relay.call(t, 'GET', path);
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      await res.arrayBuffer();
    }
  });

  it('allows CORS for the Chrome extension id and configured moz-extension origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${relay.url}/v1/messages`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key' },
      });
    const chrome = await preflight('chrome-extension://odbmceaebecihlmjdpgmbmagceiihbmh');
    expect(chrome.headers.get('access-control-allow-origin')).toBe('chrome-extension://odbmceaebecihlmjdpgmbmagceiihbmh');
    expect(chrome.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    const firefox = await preflight('moz-extension://0b1e4f3c-1111-4aaa-9bbb-123456789abc');
    expect(firefox.headers.get('access-control-allow-origin')).toBe('moz-extension://0b1e4f3c-1111-4aaa-9bbb-123456789abc');
    for (const origin of ['https://evil.example', 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'null', 'moz-extension://other']) {
      const res = await preflight(origin);
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    const get = await fetch(`${relay.url}/v1/me`, { headers: { Origin: 'https://evil.example', Authorization: `Bearer ${token}` } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('throttles token guessing per IP with 429 and Retry-After, even for a then-correct token', async () => {
    const fresh = await startRelay({ env: { RELAY_AUTH_FAILURES_PER_MINUTE: '5' } });
    const good = await fresh.createToken('rep@example.com');
    expect((await fresh.call(good, 'GET', '/v1/me')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fresh.call('swr_' + String(i).padStart(43, 'x'), 'GET', '/v1/me')).status).toBe(401);
    const res = await fresh.call('swr_' + 'y'.repeat(43), 'GET', '/v1/me');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_many_attempts');
    expect((await fresh.call(good, 'GET', '/v1/me')).status).toBe(429);
    await fresh.stop();
  });
});
