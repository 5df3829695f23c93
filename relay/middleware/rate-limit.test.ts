import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit';

describe('FailureLimiter', () => {
  it('refuses an IP after N failures in a sliding minute, until the oldest ages out', () => {
    const clock = { t: 0, now() { return this.t; } };
    const l = new FailureLimiter(3, clock);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter('1.2.3.4')).toBe(0);
      l.fail('1.2.3.4');
      clock.t += 1000;
    }
    expect(l.retryAfter('1.2.3.4')).toBe(57);
    expect(l.retryAfter('5.6.7.8')).toBe(0);
    clock.t = 60_000;
    expect(l.retryAfter('1.2.3.4')).toBe(0);
  });
});
