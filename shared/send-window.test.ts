import { describe, expect, it } from 'vitest';
import {
  SendWindowError,
  SendWindowSpec,
  addDelay,
  isInSendWindow,
  isTimeZone,
  localDateTime,
  nextSendTime,
  resolveTimeZone,
} from './send-window';

const utc = (s: string) => Date.parse(s);
const iso = (t: number) => new Date(t).toISOString();
const AMS = 'Europe/Amsterdam';
const NYC = 'America/New_York';
const office = (timeZone: string, extra: Partial<SendWindowSpec> = {}): SendWindowSpec => ({
  timeZone,
  start: '09:00',
  end: '17:00',
  ...extra,
});

/** Independent of the module: read the local wall clock straight from Intl. */
const clocks = new Map<string, Intl.DateTimeFormat>();
function wallClock(t: number, timeZone: string) {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clocks.set(timeZone, f);
  }
  const parts = Object.fromEntries(
    f
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return { weekday: parts.weekday as string, hhmm: `${parts.hour}:${parts.minute}` };
}

describe('nextSendTime: DST in Europe/Amsterdam (2026-03-29 and 2026-10-25)', () => {
  it('keeps 09:00 local on both sides of spring-forward', () => {
    // Saturday evening → Saturday had 09:00 CET (08:00Z) and Sunday has 09:00 CEST (07:00Z).
    expect(iso(nextSendTime(utc('2026-03-28T06:00:00Z'), office(AMS)))).toBe('2026-03-28T08:00:00.000Z');
    expect(iso(nextSendTime(utc('2026-03-28T17:00:00Z'), office(AMS)))).toBe('2026-03-29T07:00:00.000Z');
  });

  it('keeps 09:00 local on both sides of fall-back', () => {
    expect(iso(nextSendTime(utc('2026-10-24T05:00:00Z'), office(AMS)))).toBe('2026-10-24T07:00:00.000Z');
    expect(iso(nextSendTime(utc('2026-10-24T16:00:00Z'), office(AMS)))).toBe('2026-10-25T08:00:00.000Z');
  });

  it('moves a start inside the spring-forward gap to the first valid instant after it (03:00 CEST)', () => {
    const w = { timeZone: AMS, start: '02:30', end: '04:00' };
    expect(iso(nextSendTime(utc('2026-03-28T23:00:00Z'), w))).toBe('2026-03-29T01:00:00.000Z');
    expect(wallClock(utc('2026-03-29T01:00:00Z'), AMS).hhmm).toBe('03:00');
    // The window then ends at 04:00 CEST (02:00Z): one real hour that day.
    expect(isInSendWindow(utc('2026-03-29T01:59:59Z'), w)).toBe(true);
    expect(isInSendWindow(utc('2026-03-29T02:00:00Z'), w)).toBe(false);
  });

  it('takes the first occurrence of an ambiguous fall-back start (02:30 CEST, not CET)', () => {
    const w = { timeZone: AMS, start: '02:30', end: '04:00' };
    expect(iso(nextSendTime(utc('2026-10-24T23:00:00Z'), w))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('a window wholly inside the repeated hour is the first pass only', () => {
    const w = { timeZone: AMS, start: '02:00', end: '02:45' };
    // 01:10Z is 02:10 CET, the second pass: the window (first pass, 00:00Z–00:45Z) is over.
    expect(isInSendWindow(utc('2026-10-25T00:10:00Z'), w)).toBe(true);
    expect(isInSendWindow(utc('2026-10-25T01:10:00Z'), w)).toBe(false);
    expect(iso(nextSendTime(utc('2026-10-25T01:10:00Z'), w))).toBe('2026-10-26T01:00:00.000Z');
  });

  it('a window wholly inside the spring-forward gap is empty that day', () => {
    const w = { timeZone: AMS, start: '02:10', end: '02:50' };
    expect(iso(nextSendTime(utc('2026-03-28T23:00:00Z'), w))).toBe('2026-03-30T00:10:00.000Z');
  });
});

describe('nextSendTime: DST in America/New_York (2026-03-08 and 2026-11-01)', () => {
  it('keeps 09:00 local across spring-forward and fall-back', () => {
    expect(iso(nextSendTime(utc('2026-03-07T12:00:00Z'), office(NYC)))).toBe('2026-03-07T14:00:00.000Z'); // EST
    expect(iso(nextSendTime(utc('2026-03-07T23:00:00Z'), office(NYC)))).toBe('2026-03-08T13:00:00.000Z'); // EDT
    expect(iso(nextSendTime(utc('2026-10-31T12:00:00Z'), office(NYC)))).toBe('2026-10-31T13:00:00.000Z'); // EDT
    expect(iso(nextSendTime(utc('2026-10-31T23:00:00Z'), office(NYC)))).toBe('2026-11-01T14:00:00.000Z'); // EST
  });

  it('gap and ambiguity', () => {
    expect(iso(nextSendTime(utc('2026-03-08T05:00:00Z'), { timeZone: NYC, start: '02:30', end: '05:00' }))).toBe(
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
    );
    expect(iso(nextSendTime(utc('2026-11-01T04:00:00Z'), { timeZone: NYC, start: '01:30', end: '05:00' }))).toBe(
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first of two
    );
  });
});

describe('nextSendTime: other zones and edges', () => {
  it('a day whose midnight does not exist starts at the transition (America/Santiago 2026-09-06)', () => {
    const w = { timeZone: 'America/Santiago', start: '00:00', end: '01:30' };
    // 00:00 on Sunday 6 September is skipped; the day begins at 01:00 -03 (04:00Z).
    expect(iso(nextSendTime(utc('2026-09-05T12:00:00Z'), w))).toBe('2026-09-06T04:00:00.000Z');
    expect(localDateTime(utc('2026-09-06T04:00:00Z'), 'America/Santiago')).toEqual({ date: '2026-09-06', time: '01:00', weekday: 0 });
  });

  it('half-hour DST (Australia/Lord_Howe) and a half-hour offset without DST (Asia/Kolkata)', () => {
    // 2026-04-05 02:00 +11 → 01:30 +10:30: 01:45 happens twice, take +11 (14:45Z).
    expect(iso(nextSendTime(utc('2026-04-04T00:00:00Z'), { timeZone: 'Australia/Lord_Howe', start: '01:45', end: '03:00' }))).toBe(
      '2026-04-04T14:45:00.000Z',
    );
    // 2026-10-04 02:00 +10:30 → 02:30 +11: 02:15 is skipped, go to the transition (15:30Z).
    expect(iso(nextSendTime(utc('2026-10-03T00:00:00Z'), { timeZone: 'Australia/Lord_Howe', start: '02:15', end: '03:00' }))).toBe(
      '2026-10-03T15:30:00.000Z',
    );
    expect(iso(nextSendTime(utc('2026-04-04T00:00:00Z'), office('Asia/Kolkata')))).toBe('2026-04-04T03:30:00.000Z');
  });

  it('returns the candidate itself inside the window; the end is exclusive', () => {
    const inside = utc('2026-06-10T10:00:00Z'); // 12:00 CEST, a Wednesday
    expect(nextSendTime(inside, office(AMS))).toBe(inside);
    expect(iso(nextSendTime(utc('2026-06-10T15:00:00Z'), office(AMS)))).toBe('2026-06-11T07:00:00.000Z');
    expect(nextSendTime(utc('2026-06-10T14:59:59.999Z'), office(AMS))).toBe(utc('2026-06-10T14:59:59.999Z'));
  });

  it('skips weekends when business days only, and holidays in the zone', () => {
    const friday5pm = utc('2026-03-27T16:00:00Z'); // 17:00 CET
    expect(iso(nextSendTime(friday5pm, office(AMS, { businessDaysOnly: true })))).toBe('2026-03-30T07:00:00.000Z');
    // Easter Monday off too → Tuesday.
    expect(iso(nextSendTime(utc('2026-04-03T16:00:00Z'), office(AMS, { businessDaysOnly: true, holidays: ['2026-04-06'] })))).toBe(
      '2026-04-07T07:00:00.000Z',
    );
    // Holidays apply without business-days-only as well; whole-day window by default.
    expect(iso(nextSendTime(utc('2026-04-26T22:30:00Z'), { timeZone: AMS, holidays: ['2026-04-27'] }))).toBe('2026-04-27T22:00:00.000Z');
    // The holiday is a date in the window's zone: 2026-04-27 in New York starts 04:00Z, when Amsterdam is past it.
    expect(iso(nextSendTime(utc('2026-04-27T03:00:00Z'), { timeZone: NYC, holidays: ['2026-04-27'] }))).toBe('2026-04-27T03:00:00.000Z');
  });

  it('never open within two years → +Infinity', () => {
    const holidays: string[] = [];
    for (let d = utc('2026-01-01T00:00:00Z'); d < utc('2029-01-01T00:00:00Z'); d += 86_400_000) holidays.push(iso(d).slice(0, 10));
    expect(nextSendTime(utc('2026-01-01T00:00:00Z'), { timeZone: AMS, holidays: holidays.slice(0, 2000) })).toBe(Number.POSITIVE_INFINITY);
  });

  it('agrees with the wall clock read from Intl, and is the earliest, over a year of random candidates', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const tz of [AMS, NYC, 'Asia/Tokyo', 'Australia/Sydney']) {
      const w = office(tz, { businessDaysOnly: true });
      for (let i = 0; i < 400; i++) {
        const candidate = Math.floor(utc('2026-01-01T00:00:00Z') + rand() * 365 * 86_400_000);
        const r = nextSendTime(candidate, w);
        const inWindow = (t: number) => {
          const { weekday, hhmm } = wallClock(t, tz);
          return weekday !== 'Sat' && weekday !== 'Sun' && hhmm >= '09:00' && hhmm < '17:00';
        };
        expect(r).toBeGreaterThanOrEqual(candidate);
        expect(inWindow(r), `${tz} ${iso(candidate)} → ${iso(r)}`).toBe(true);
        if (r > candidate) expect(inWindow(r - 1), `${tz} ${iso(candidate)} → ${iso(r)} not earliest`).toBe(false);
      }
    }
  });
});

describe('addDelay', () => {
  it('N calendar days keeps the local time across DST (71 h and 73 h)', () => {
    const fri9 = utc('2026-03-27T08:00:00Z'); // Friday 09:00 CET
    expect(iso(addDelay(fri9, 3, { timeZone: AMS }))).toBe('2026-03-30T07:00:00.000Z'); // Monday 09:00 CEST
    expect(addDelay(fri9, 3, { timeZone: AMS }) - fri9).toBe(71 * 3600_000);
    const fri9oct = utc('2026-10-23T07:00:00Z'); // Friday 09:00 CEST
    expect(addDelay(fri9oct, 3, { timeZone: AMS }) - fri9oct).toBe(73 * 3600_000);
    expect(iso(addDelay(utc('2026-10-30T13:00:00Z'), 2, { timeZone: NYC }))).toBe('2026-11-01T14:00:00.000Z'); // 09:00 EDT → 09:00 EST
  });

  it('lands in a gap → first valid instant after; ambiguous → first occurrence', () => {
    expect(iso(addDelay(utc('2026-03-28T01:30:00Z'), 1, { timeZone: AMS }))).toBe('2026-03-29T01:00:00.000Z'); // 02:30 → 03:00 CEST
    expect(iso(addDelay(utc('2026-10-24T00:30:00Z'), 1, { timeZone: AMS }))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
  });

  it('business days skip weekends and holidays', () => {
    const fri = utc('2026-04-03T08:00:00Z'); // Friday 10:00 CEST
    expect(iso(addDelay(fri, 1, { timeZone: AMS, businessDaysOnly: true }))).toBe('2026-04-06T08:00:00.000Z');
    expect(iso(addDelay(fri, 1, { timeZone: AMS, businessDaysOnly: true, holidays: ['2026-04-06'] }))).toBe('2026-04-07T08:00:00.000Z');
    expect(iso(addDelay(fri, 5, { timeZone: AMS, businessDaysOnly: true, holidays: ['2026-04-06'] }))).toBe('2026-04-13T08:00:00.000Z');
    const sat = utc('2026-04-04T08:00:00Z');
    expect(iso(addDelay(sat, 1, { timeZone: AMS, businessDaysOnly: true }))).toBe('2026-04-06T08:00:00.000Z');
    // Calendar days count every date; the send window keeps the send off the holiday.
    expect(iso(addDelay(fri, 3, { timeZone: AMS, holidays: ['2026-04-06'] }))).toBe('2026-04-06T08:00:00.000Z');
    expect(addDelay(fri, 0, { timeZone: AMS, businessDaysOnly: true })).toBe(fri);
  });

  it('refuses bad input naming the field', () => {
    expect(() => addDelay(0, -1, { timeZone: AMS })).toThrow(/days/);
    expect(() => addDelay(0, 1.5, { timeZone: AMS })).toThrow(/days/);
    expect(() => addDelay(Number.NaN, 1, { timeZone: AMS })).toThrow(/from/);
    expect(() => addDelay(0, 1, { timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => addDelay(0, 1, { timeZone: AMS, businessDaysOnly: true, holidays: ['2026-02-30'] })).toThrow(/holidays\.0/);
  });
});

describe('window spec validation', () => {
  const fieldOf = (spec: unknown) => {
    try {
      nextSendTime(0, spec as SendWindowSpec);
    } catch (err) {
      if (err instanceof SendWindowError) return err.field;
      throw err;
    }
    return null;
  };

  it('names the bad field', () => {
    expect(fieldOf({ timeZone: 'Not/AZone' })).toBe('timeZone');
    expect(fieldOf({ timeZone: AMS, start: '9:00' })).toBe('start');
    expect(fieldOf({ timeZone: AMS, start: '24:00' })).toBe('start');
    expect(fieldOf({ timeZone: AMS, start: '17:00', end: '09:00' })).toBe('end');
    expect(fieldOf({ timeZone: AMS, holidays: ['2026-04-27', '2026-13-01'] })).toBe('holidays.1');
    expect(fieldOf({ timeZone: AMS, weekends: true })).toBe('weekends');
    expect(fieldOf(null)).toBe('window');
    expect(fieldOf({ timeZone: AMS, start: '08:30', end: '24:00', businessDaysOnly: true })).toBeNull();
  });

  it('resolves the contact zone when known and valid, else the rep zone', () => {
    expect(isTimeZone(NYC)).toBe(true);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
    expect(resolveTimeZone(NYC, AMS)).toBe(NYC);
    expect(resolveTimeZone('Europe/Atlantis', AMS)).toBe(AMS);
    expect(resolveTimeZone(null, AMS)).toBe(AMS);
  });
});
