import type { Clock } from '../clock';

/**
 * Counts failed token checks per client IP in a sliding minute. Over the
 * limit the IP is refused (429) until its oldest failure ages out, whether or
 * not the next guess is right: that is what makes guessing slow.
 */
export class FailureLimiter {
  private failures = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds until this IP may try again, or 0 when it may try now. */
  retryAfter(ip: string): number {
    const list = this.recent(ip);
    if (list.length < this.perMinute) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.perMinute]! + this.windowMs - this.clock.now()) / 1000));
  }

  fail(ip: string): void {
    const list = this.recent(ip);
    list.push(this.clock.now());
    this.failures.set(ip, list);
    if (this.failures.size > 10_000) this.prune();
  }

  private recent(ip: string): number[] {
    const now = this.clock.now();
    const list = (this.failures.get(ip) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.failures.set(ip, list);
    else this.failures.delete(ip);
    return list;
  }

  private prune() {
    for (const ip of [...this.failures.keys()]) this.recent(ip);
  }
}
