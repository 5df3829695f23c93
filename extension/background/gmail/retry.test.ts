import { describe, expect, it } from 'vitest';
import { classifyGmailError, GmailApiError, parseRetryAfter } from './api';
import { decideRetry, DEFAULT_RETRY, GaveUp, retryDelay, withRetry } from './retry';

/** A clock that only moves when the code under test sleeps. */
function fakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const err = (status: number, body: object = {}, retryAfter: string | null = null, now = 0) =>
  classifyGmailError(status, JSON.stringify(body), retryAfter, now);

describe('Gmail error classification', () => {
  it('reads Retry-After as seconds, as a date, or from Gmail\'s "Retry after" message', () => {
    const now = Date.UTC(2026, 0, 5, 12, 0, 0);
    expect(parseRetryAfter('7', '', now)).toBe(7000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), '', now)).toBe(30_000);
    expect(parseRetryAfter(null, 'User-rate limit exceeded.  Retry after 2026-01-05T14:00:00.000Z (Mail sending)', now)).toBe(2 * 3600_000);
    expect(parseRetryAfter('soon', 'nothing', now)).toBeUndefined();
  });

  it('tells rate limits, sending quota, auth, scope, policy, server and message errors apart', () => {
    expect(err(401).kind).toBe('unauthorized');
    expect(err(429, { error: { message: 'Too many concurrent requests for user' } }, '3').kind).toBe('rate_limited');
    expect(err(429, { error: { message: 'User-rate limit exceeded.  Retry after 2099-01-01T00:00:00.000Z (Mail sending)' } }).kind).toBe('quota');
    expect(err(403, { error: { message: 'Daily Limit Exceeded', errors: [{ reason: 'dailyLimitExceeded' }] } }).kind).toBe('quota');
    expect(err(403, { error: { message: 'Rate Limit', errors: [{ reason: 'userRateLimitExceeded' }] } }).kind).toBe('rate_limited');
    expect(err(403, { error: { message: 'Insufficient Permission', errors: [{ reason: 'insufficientPermissions' }] } }).kind).toBe('scope');
    expect(err(403, { error: { message: 'Domain policy', errors: [{ reason: 'domainPolicy' }] } }).kind).toBe('forbidden');
    expect(err(503).kind).toBe('server');
    const bad = err(400, { error: { message: 'Invalid To header', errors: [{ reason: 'invalidArgument' }] } });
    expect([bad.kind, bad.googleMessage, bad.reason]).toEqual(['rejected', 'Invalid To header', 'invalidArgument']);
    expect(classifyGmailError(502, '<html>Bad gateway</html>', null, 0).kind).toBe('server');
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter and a cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, DEFAULT_RETRY, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(1, DEFAULT_RETRY, () => 0)).toBe(500);
    expect(retryDelay(20, DEFAULT_RETRY, () => 1)).toBe(DEFAULT_RETRY.maxDelayMs);
  });

  it('never waits less than Retry-After', () => {
    expect(retryDelay(1, DEFAULT_RETRY, () => 1, 5000)).toBe(5000);
    expect(retryDelay(4, DEFAULT_RETRY, () => 1, 2000)).toBe(2000);
  });

  it('defers instead of sleeping through long waits, and never retries message errors', () => {
    expect(decideRetry(err(429, {}, '120'), 1, DEFAULT_RETRY, () => 1)).toEqual({ retry: false, deferMs: 120_000 });
    expect(decideRetry(err(429, {}, '20'), 1, DEFAULT_RETRY, () => 1)).toEqual({ retry: true, delayMs: 20_000 });
    expect(decideRetry(err(400), 1, DEFAULT_RETRY, () => 1)).toEqual({ retry: false });
    expect(decideRetry(err(500), DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY, () => 1).retry).toBe(false);
  });

  it('retries 429 honouring Retry-After and 500 with backoff, on a fake clock', async () => {
    const clock = fakeClock();
    const answers = [err(429, {}, '2'), err(500), err(503), { id: 'm1', threadId: 't1' }];
    const calls: number[] = [];
    const result = await withRetry(
      async () => {
        calls.push(clock.now());
        const next = answers.shift()!;
        if (next instanceof GmailApiError) throw next;
        return next;
      },
      { random: () => 1, sleep: clock.sleep },
    );
    expect(result).toEqual({ id: 'm1', threadId: 't1' });
    expect(clock.sleeps).toEqual([2000, 2000, 4000]);
    expect(calls.map((t) => t - calls[0]!)).toEqual([0, 2000, 4000, 8000]);
  });

  it('gives up after the last attempt with the last error', async () => {
    const clock = fakeClock();
    const run = withRetry(async () => Promise.reject(err(500)), { random: () => 0.5, sleep: clock.sleep });
    await expect(run).rejects.toBeInstanceOf(GaveUp);
    const gaveUp = (await run.catch((e) => e)) as GaveUp;
    expect(gaveUp.attempts).toBe(DEFAULT_RETRY.maxAttempts);
    expect(clock.sleeps).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
  });

  it('spends at most the inline budget on all waits together, then defers', async () => {
    const clock = fakeClock();
    const run = withRetry(async () => Promise.reject(err(429, {}, '20')), { random: () => 1, sleep: clock.sleep });
    const gaveUp = (await run.catch((e) => e)) as GaveUp;
    expect(clock.sleeps).toEqual([20_000]);
    expect([gaveUp.attempts, gaveUp.deferMs]).toEqual([2, 20_000]);
  });

  it('passes other errors straight through', async () => {
    await expect(withRetry(async () => Promise.reject(new TypeError('x')), { random: Math.random, sleep: async () => {} })).rejects.toBeInstanceOf(TypeError);
  });
});
