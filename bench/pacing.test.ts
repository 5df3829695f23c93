import { describe, expect, it } from 'vitest';
import { MINUTE_MS, DAY_MS, NO_LIMITS, PRESET_LIMITS, type LimitSpec } from '../shared/limits';
import { measurePacing, theoreticalMinimumMs } from './pacing';

const o365 = PRESET_LIMITS.office365;

describe('theoreticalMinimumMs (the denominator of pacingMakespanRatio)', () => {
  it('is (ceil(n / perMinute) − 1) minutes when the day limit is out of reach', () => {
    expect(theoreticalMinimumMs(2000, 1, o365)).toBe(66 * MINUTE_MS);
    expect(theoreticalMinimumMs(30, 1, o365)).toBe(0);
    expect(theoreticalMinimumMs(31, 1, o365)).toBe(MINUTE_MS);
    expect(theoreticalMinimumMs(1, 1, o365)).toBe(0);
    expect(theoreticalMinimumMs(0, 1, o365)).toBe(0);
  });

  it('waits whole days once the 24-hour limit binds', () => {
    const spec: LimitSpec = { ...NO_LIMITS, perMinute: 30, perDay: 100, perDayUnit: 'messages' };
    // Sends 0-99 on day one, 100-199 a day after the first, 200-249 two days after: the last 49 need one more minute.
    expect(theoreticalMinimumMs(250, 1, spec)).toBe(2 * DAY_MS + MINUTE_MS);
  });

  it('counts recipients where the day limit is in recipients, and never fits a message larger than a day', () => {
    const spec: LimitSpec = { ...NO_LIMITS, perMinute: null, perDay: 100, perDayUnit: 'recipients' };
    expect(theoreticalMinimumMs(3, 50, spec)).toBe(DAY_MS); // two fit in a day, the third waits for the first to age out
    expect(theoreticalMinimumMs(1, 101, spec)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('measurePacing', () => {
  it('keeps every run’s values next to the medians, and finds no violations in the planner’s schedule', () => {
    const f = measurePacing({ contacts: 100, runs: 3 });
    expect(f.pacingViolations).toBe(0);
    expect(f.runValues.violations).toEqual([0, 0, 0]);
    expect(f.runValues.makespanRatio).toHaveLength(3);
    expect(f.runValues.plannerMs).toHaveLength(3);
    expect(f.pacingMakespanRatio).toBeGreaterThanOrEqual(1);
    expect(f.pacingMakespanRatio).toBeLessThanOrEqual(1.01);
  });
});
