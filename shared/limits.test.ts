import { describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS, PRESET_LIMITS, checkMessageFits, nextSlot, usage, withOverrides, type LedgerEntry } from './limits';

const o365 = PRESET_LIMITS.office365;

describe('limit model', () => {
  it('counts sliding windows, messages per minute and recipients per day', () => {
    const now = 10 * DAY_MS;
    const entries: LedgerEntry[] = [
      { at: now - 10, recipients: 3 },
      { at: now - MINUTE_MS + 1, recipients: 2 },
      { at: now - MINUTE_MS, recipients: 5 }, // just left the minute
      { at: now - DAY_MS, recipients: 100 }, // just left the day
    ];
    expect(usage(entries, now, o365)).toEqual({
      perMinute: { limit: 30, used: 2 },
      perDay: { limit: 10_000, used: 10, unit: 'recipients' },
    });
  });

  it('the 31st message in a minute waits until the oldest of the 30 leaves the window', () => {
    const start = 1_000_000;
    const entries = Array.from({ length: 30 }, (_, i) => ({ at: start + i * 100, recipients: 1 }));
    const now = start + 3_000;
    expect(nextSlot(entries, now, o365, 1)).toBe(start + MINUTE_MS);
    expect(nextSlot(entries.slice(1), now, o365, 1)).toBe(now);
  });

  it('waits for enough recipients to leave the 24 h window', () => {
    const now = 5 * DAY_MS;
    const entries = [
      { at: now - 20 * 3600_000, recipients: 6_000 },
      { at: now - 10 * 3600_000, recipients: 3_900 },
    ];
    expect(nextSlot(entries, now, o365, 100)).toBe(now);
    expect(nextSlot(entries, now, o365, 101)).toBe(entries[0]!.at + DAY_MS);
  });

  it('never fits a message over the per-message limit', () => {
    expect(checkMessageFits(o365, 501)).toEqual({ code: 'too_many_recipients', limit: 500, recipients: 501 });
    expect(nextSlot([], 0, o365, 501)).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts Gmail per day in messages, whatever the recipients', () => {
    const now = DAY_MS;
    const entries = Array.from({ length: 500 }, (_, i) => ({ at: now - 1000 - i, recipients: 50 }));
    expect(usage(entries, now, PRESET_LIMITS.gmailConsumer).perDay.used).toBe(500);
    expect(nextSlot(entries, now, PRESET_LIMITS.gmailConsumer, 1)).toBe(now - 1000 - 499 + DAY_MS);
  });

  it('applies admin overrides on top of a preset', () => {
    expect(withOverrides(o365, { perMinute: 20, perDay: undefined })).toEqual({ ...o365, perMinute: 20 });
  });
});
