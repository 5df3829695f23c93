import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../shared/limits';
import { countViolations } from './relay-pacing';

describe('countViolations (the independent check of the relay queue’s recorded send times)', () => {
  const t0 = Date.UTC(2030, 0, 1, 9);

  it('allows 30 sends in any sliding minute, and counts each one over', () => {
    const thirty = Array.from({ length: 30 }, (_, i) => t0 + i * 1_000);
    expect(countViolations(thirty)).toBe(0);
    expect(countViolations([...thirty, t0 + MINUTE_MS - 1])).toBe(1);
    expect(countViolations([...thirty, t0 + MINUTE_MS - 1, t0 + MINUTE_MS - 1])).toBe(2);
  });

  it('lets the first send age out exactly one minute later, whatever order the times come in', () => {
    const thirty = Array.from({ length: 30 }, (_, i) => t0 + i * 1_000);
    expect(countViolations([t0 + MINUTE_MS, ...thirty.reverse()])).toBe(0);
  });
});
