import type { GmailApiError } from './api';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Waits adding up to more than this are not slept through inside one send
   * (a rep is looking at a spinner); the dispatcher defers the message instead.
   */
  maxInlineWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 32_000, maxInlineWaitMs: 30_000 };

export function isRetryable(error: GmailApiError): boolean {
  return error.kind === 'rate_limited' || error.kind === 'server' || error.kind === 'quota';
}

/**
 * Exponential backoff with jitter (delay in [½, 1] × base·2^(n-1), capped),
 * but never shorter than what Google asked for in Retry-After.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(exp / 2 + (exp / 2) * random());
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, Math.min(jittered, 1000)) : jittered;
}

export type RetryVerdict = { retry: true; delayMs: number } | { retry: false; deferMs?: number };

/** After failed attempt number `attempt`: wait and retry here, defer, or give up. */
export function decideRetry(error: GmailApiError, attempt: number, policy: RetryPolicy, random: () => number): RetryVerdict {
  if (!isRetryable(error)) return { retry: false };
  const delayMs = retryDelay(attempt, policy, random, error.retryAfterMs);
  if (error.kind === 'quota' || delayMs > policy.maxInlineWaitMs || attempt >= policy.maxAttempts) {
    return { retry: false, deferMs: delayMs };
  }
  return { retry: true, delayMs };
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** Thrown by withRetry when it stops: the last Gmail error, and how long to wait before trying again, if ever. */
export class GaveUp extends Error {
  constructor(
    readonly error: GmailApiError,
    readonly attempts: number,
    readonly deferMs?: number,
  ) {
    super(error.message);
    this.name = 'GaveUp';
  }
}

/**
 * Runs `attempt` until it succeeds, retrying 429 and 5xx answers with backoff
 * that honours Retry-After. Errors that are not GmailApiError pass through.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  o: { policy?: RetryPolicy; random: () => number; sleep: Sleep; signal?: AbortSignal; onRetry?: (e: GmailApiError, delayMs: number) => void },
): Promise<T> {
  const policy = o.policy ?? DEFAULT_RETRY;
  let waited = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'GmailApiError') throw error;
      const gmailError = error as GmailApiError;
      const verdict = decideRetry(gmailError, n, policy, o.random);
      if (!verdict.retry) throw new GaveUp(gmailError, n, verdict.deferMs);
      // The inline budget is for all waits together, not each one.
      if (waited + verdict.delayMs > policy.maxInlineWaitMs) throw new GaveUp(gmailError, n, verdict.delayMs);
      o.onRetry?.(gmailError, verdict.delayMs);
      await o.sleep(verdict.delayMs, o.signal);
      waited += verdict.delayMs;
    }
  }
}
