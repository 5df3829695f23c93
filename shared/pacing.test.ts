import { describe, expect, it, vi } from 'vitest';
import { DAY_MS, MINUTE_MS, PRESET_LIMITS, nextSlot, usage, type LedgerEntry, type LimitSpec } from './limits';
import { PacingInputError, PacingItem, PacingPlan, planSends, replan, sendTimes, type PacingInput } from './pacing';
import type { SendWindowSpec } from './send-window';

const o365: LimitSpec = PRESET_LIMITS.office365;
const NOW = Date.parse('2026-03-02T08:00:00Z'); // a Monday
const SECOND = 1000;
const iso = (t: number) => new Date(t).toISOString();

const contacts = (n: number, extra: Partial<PacingItem> = {}): PacingItem[] =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, recipients: 1, notBefore: NOW, ...extra }));

/**
 * Independent checker: slide over every send (ledger and plan), at each
 * instant something arrives (loads only grow then), and count the instants at
 * which a window holds more than its limit. Windows are half-open, as in
 * limits.ts: a send at a counts at t while t − a < window.
 */
function violations(sends: readonly LedgerEntry[], spec: LimitSpec) {
  const s = [...sends].sort((a, b) => a.at - b.at);
  const weight = (e: LedgerEntry) => (spec.perDayUnit === 'recipients' ? e.recipients : 1);
  let minute = 0;
  let day = 0;
  let minuteLeft = 0;
  let dayLeft = 0;
  let dayLoad = 0;
  for (let i = 0; i < s.length; ) {
    const at = s[i]!.at;
    let j = i;
    for (; j < s.length && s[j]!.at === at; j++) dayLoad += weight(s[j]!);
    while (s[minuteLeft]!.at <= at - MINUTE_MS) minuteLeft++;
    while (s[dayLeft]!.at <= at - DAY_MS) dayLoad -= weight(s[dayLeft++]!);
    if (spec.perMinute !== null && j - minuteLeft > spec.perMinute) minute++;
    if (spec.perDay !== null && dayLoad > spec.perDay) day++;
    i = j;
  }
  return { minute, day };
}

const allSends = (plan: PacingPlan, ledger: readonly LedgerEntry[] = []) => [
  ...ledger,
  ...plan.planned.map((p) => ({ at: p.at, recipients: p.recipients })),
];

/** Reference planner: limits.ts's nextSlot applied send by send (O(n²), for small cases). */
function referenceTimes(input: { limits: LimitSpec; ledger: LedgerEntry[]; items: PacingItem[]; now: number }) {
  const entries = [...input.ledger];
  const order = input.items.map((it, i) => ({ it, i })).sort((a, b) => a.it.notBefore - b.it.notBefore || a.i - b.i);
  let t = input.now;
  const out = new Map<string, number>();
  for (const { it } of order) {
    t = nextSlot(entries, Math.max(t, it.notBefore), input.limits, it.recipients);
    entries.push({ at: t, recipients: it.recipients });
    out.set(it.id, t);
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so random cases are reproducible. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('the independent checker', () => {
  it('counts an over-full sliding minute and 24 h, and nothing at the exact boundary', () => {
    const spec: LimitSpec = { perMinute: 2, perDay: 5, perDayUnit: 'recipients', perMessage: null, concurrency: null };
    expect(violations([{ at: 0, recipients: 1 }, { at: 1, recipients: 1 }, { at: MINUTE_MS, recipients: 1 }], spec)).toEqual({ minute: 0, day: 0 });
    expect(violations([{ at: 0, recipients: 1 }, { at: 1, recipients: 1 }, { at: MINUTE_MS - 1, recipients: 1 }], spec)).toEqual({ minute: 1, day: 0 });
    expect(violations([{ at: 0, recipients: 3 }, { at: DAY_MS - 1, recipients: 3 }], spec)).toEqual({ minute: 0, day: 1 });
    expect(violations([{ at: 0, recipients: 3 }, { at: DAY_MS, recipients: 3 }], spec)).toEqual({ minute: 0, day: 0 });
  });
});

describe('planner on an Office 365 channel (30/min sliding, 10,000 recipients / 24 h)', () => {
  it('2,000 contacts: zero violations, finish at the theoretical minimum', () => {
    const items = contacts(2000);
    const plan = planSends({ limits: o365, ledger: [], items, now: NOW });
    expect(plan.unplannable).toEqual([]);
    expect(plan.planned).toHaveLength(2000);
    expect(violations(allSends(plan), o365)).toEqual({ minute: 0, day: 0 });

    // Second opinion from the shared limit model itself, at every instant a send lands.
    for (const at of new Set(plan.planned.map((p) => p.at))) {
      const u = usage(allSends(plan), at, o365);
      expect(u.perMinute.used).toBeLessThanOrEqual(30);
      expect(u.perDay.used).toBeLessThanOrEqual(10_000);
    }

    /*
     * Theoretical minimum. Sort any valid schedule's sends t[0] <= t[1] <= ….
     * If t[i+30] − t[i] < 1 min, the sliding minute at t[i+30] would hold the
     * 31 sends i…i+30, so t[i+30] >= t[i] + 1 min and, by induction,
     * t[30k] >= t[0] + k min. The last send is index 1999 >= 30·66 = 1980, so
     * it goes at >= now + 66 min = (ceil(2000/30) − 1) min. The 24 h window
     * (10,000 recipients, 2,000 used) never binds. 30 sends at now + k min,
     * k = 0…65, then 20 at now + 66 min, reaches the bound.
     */
    const minimum = (Math.ceil(2000 / 30) - 1) * MINUTE_MS;
    const makespan = plan.finishAt! - NOW;
    expect(makespan / minimum).toBeLessThanOrEqual(1.01);
    expect(makespan).toBe(minimum);
    expect(plan.firstAt).toBe(NOW);

    // The batches themselves: 30 per minute, on the minute.
    const perMinute = new Map<number, number>();
    for (const p of plan.planned) perMinute.set(p.at, (perMinute.get(p.at) ?? 0) + 1);
    expect([...perMinute.keys()]).toEqual(Array.from({ length: 67 }, (_, k) => NOW + k * MINUTE_MS));
    expect([...perMinute.values()]).toEqual([...Array(66).fill(30), 20]);
    // In notBefore (here: input) order, and each contact's send time is exposed.
    expect(plan.planned.map((p) => p.id)).toEqual(items.map((i) => i.id));
    expect(sendTimes(plan).get('c1999')).toBe(NOW + 66 * MINUTE_MS);
    expect(PacingPlan.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it('recipient-heavy: the 24 h recipient window binds', () => {
    const plan = planSends({ limits: o365, ledger: [], items: contacts(2000, { recipients: 10 }), now: NOW });
    expect(violations(allSends(plan), o365)).toEqual({ minute: 0, day: 0 });
    /*
     * 10 recipients each: a 24 h window holds at most 1,000 sends, so
     * t[i+1000] >= t[i] + 24 h; and t[999] >= now + 33 min (999 >= 30·33, the
     * minute argument above). Hence t[1999] >= now + 24 h + 33 min. The plan
     * sends 1,000 in the first 34 minutes, then waits for the day to roll.
     */
    const minimum = DAY_MS + 33 * MINUTE_MS;
    expect(plan.finishAt! - NOW).toBe(minimum);
    const firstDay = plan.planned.filter((p) => p.at < NOW + DAY_MS);
    expect(firstDay).toHaveLength(1000);
    expect(usage(allSends(plan), NOW + 33 * MINUTE_MS, o365).perDay.used).toBe(10_000);
    expect(plan.planned[1000]!.at).toBe(NOW + DAY_MS);
  });

  it('per-day counted in messages (Gmail consumer: 150/min, 500/day)', () => {
    const gmail: LimitSpec = PRESET_LIMITS.gmailConsumer;
    const plan = planSends({ limits: gmail, ledger: [], items: contacts(1200, { recipients: 40 }), now: NOW });
    expect(violations(allSends(plan), gmail)).toEqual({ minute: 0, day: 0 });
    // t[i+500] >= t[i] + 24 h; t[199] >= now + 1 min (199 >= 150) → t[1199] >= now + 2 days + 1 min.
    expect(plan.finishAt! - NOW).toBe(2 * DAY_MS + MINUTE_MS);
  });

  it('matches limits.ts nextSlot send by send on random channels, ledgers and due times', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const r = rng(seed);
      const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
      const spec: LimitSpec = {
        perMinute: r() < 0.15 ? null : int(1, 8),
        perDay: r() < 0.15 ? null : int(20, 80),
        perDayUnit: r() < 0.5 ? 'recipients' : 'messages',
        perMessage: int(1, 6),
        concurrency: null,
      };
      // A valid history over the past 25 hours, made by the reference itself.
      const valid: LedgerEntry[] = [];
      for (let t = NOW - DAY_MS - 3600_000, i = int(0, 60); i > 0; i--) {
        const recipients = int(1, spec.perMessage!);
        t = nextSlot(valid, t + int(0, 40 * 60) * SECOND, spec, recipients);
        if (t >= NOW) break;
        valid.push({ at: t, recipients });
      }
      expect(violations(valid, spec)).toEqual({ minute: 0, day: 0 });
      const items = Array.from({ length: int(1, 120) }, (_, i) => ({
        id: `s${seed}-${i}`,
        recipients: int(1, spec.perMessage!),
        notBefore: NOW + int(-3600, 3 * 3600) * SECOND,
      }));
      const plan = planSends({ limits: spec, ledger: valid, items, now: NOW });
      const expected = referenceTimes({ limits: spec, ledger: valid, items, now: NOW });
      expect(sendTimes(plan), `seed ${seed}`).toEqual(expected);
      expect(violations(allSends(plan, valid), spec), `seed ${seed}`).toEqual({ minute: 0, day: 0 });
    }
  });
});

describe('mixed pre-existing ledger', () => {
  it('fills what is left of both windows, then waits exactly as long as needed', () => {
    const ledger: LedgerEntry[] = [
      { at: NOW - 2 * DAY_MS, recipients: 400 }, // long gone
      ...Array.from({ length: 99 }, (_, i) => ({ at: NOW - 23 * 3600_000 + i * 60 * SECOND, recipients: 100 })), // 9,900
      ...Array.from({ length: 5 }, (_, i) => ({ at: NOW - 50 * SECOND + i, recipients: 1 })),
      ...Array.from({ length: 20 }, (_, i) => ({ at: NOW - 30 * SECOND + i * 100, recipients: 1 })),
    ];
    expect(violations(ledger, o365)).toEqual({ minute: 0, day: 0 });
    const items = contacts(300);
    const plan = planSends({ limits: o365, ledger, items, now: NOW });
    expect(plan.unplannable).toEqual([]);
    expect(violations(allSends(plan, ledger), o365)).toEqual({ minute: 0, day: 0 });
    expect(sendTimes(plan)).toEqual(referenceTimes({ limits: o365, ledger, items, now: NOW }));
    // 25 sends in the last minute → 5 now; 9,925 of 10,000 recipients used → 75 before the first 100 leave.
    expect(plan.planned.filter((p) => p.at === NOW)).toHaveLength(5);
    expect(plan.planned[74]!.at).toBeLessThan(NOW + 3600_000);
    expect(plan.planned[75]!.at).toBe(NOW + 3600_000); // the 100-recipient send from 23 h ago leaves
  });

  it('respects reservations already handed to the relay (ledger entries in the future)', () => {
    // A full minute's batch is reserved 30 s from now: sending anything now would make that minute hold 31.
    const ledger = Array.from({ length: 30 }, () => ({ at: NOW + 30 * SECOND, recipients: 1 }));
    const plan = planSends({ limits: o365, ledger, items: contacts(40), now: NOW });
    expect(violations(allSends(plan, ledger), o365)).toEqual({ minute: 0, day: 0 });
    expect(plan.planned.filter((p) => p.at === NOW + 90 * SECOND)).toHaveLength(30);
    expect(plan.planned.filter((p) => p.at === NOW + 150 * SECOND)).toHaveLength(10);

    // 9,990 recipients reserved in 2 h: only 10 may go before it, the rest once those 10 leave.
    const big = [{ at: NOW + 2 * 3600_000, recipients: 9_990 }];
    const plan2 = planSends({ limits: o365, ledger: big, items: contacts(20), now: NOW });
    expect(violations(allSends(plan2, big), o365)).toEqual({ minute: 0, day: 0 });
    expect(plan2.planned.filter((p) => p.at === NOW)).toHaveLength(10);
    expect(plan2.planned.filter((p) => p.at === NOW + DAY_MS)).toHaveLength(10);
  });

  it('never violates a window, and sends as early as possible, around random reservations', () => {
    for (let seed = 100; seed < 120; seed++) {
      const r = rng(seed);
      const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
      const spec: LimitSpec = { perMinute: int(2, 6), perDay: int(30, 60), perDayUnit: 'recipients', perMessage: 5, concurrency: null };
      // Dense (minutes binding) or spread over a day and a half (24 h binding).
      const spread = seed % 2 ? 20 * 60 : 36 * 3600;
      // Reservations made by an earlier plan (valid among themselves).
      const earlier = planSends({
        limits: spec,
        ledger: [],
        items: Array.from({ length: int(5, 40) }, (_, i) => ({ id: `r${i}`, recipients: int(1, 5), notBefore: NOW + int(0, spread) * SECOND })),
        now: NOW,
      });
      const ledger = earlier.planned.map((p) => ({ at: p.at, recipients: p.recipients }));
      const items = Array.from({ length: int(5, 80) }, (_, i) => ({ id: `n${i}`, recipients: int(1, 5), notBefore: NOW + int(0, spread) * SECOND }));
      const plan = planSends({ limits: spec, ledger, items, now: NOW });
      expect(plan.planned.length + plan.unplannable.length).toBe(items.length);
      expect(violations(allSends(plan, ledger), spec), `seed ${seed}`).toEqual({ minute: 0, day: 0 });

      // As early as possible, by brute force: given the ledger and the sends
      // planned before it, no earlier instant would have been valid. Validity
      // only changes where a send leaves a window or a reservation passes, so
      // those instants (and the lower bound) are the ones to try.
      if (seed >= 110) continue;
      const notBefore = new Map(items.map((i) => [i.id, i.notBefore]));
      const fits = (sends: LedgerEntry[], at: number, recipients: number) => {
        const v = violations([...sends, { at, recipients }], spec);
        return v.minute === 0 && v.day === 0;
      };
      let previous = NOW;
      plan.planned.forEach((p, i) => {
        const before = [...ledger, ...plan.planned.slice(0, i)];
        const lower = Math.max(previous, notBefore.get(p.id)!);
        const tries = new Set([lower]);
        for (const e of before) for (const c of [e.at + 1, e.at + MINUTE_MS, e.at + DAY_MS]) if (c > lower && c < p.at) tries.add(c);
        for (const c of tries) if (c < p.at) expect(fits(before, c, p.recipients), `seed ${seed} ${p.id} could go at ${c - NOW}`).toBe(false);
        previous = p.at;
      });
    }
  });
});

describe('send windows, time zones and DST', () => {
  const AMS = 'Europe/Amsterdam';
  const NYC = 'America/New_York';
  const wall = (t: number, timeZone: string) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(t)
        .map((x) => [x.type, x.value]),
    );
    return { weekday: p.weekday!, hhmm: `${p.hour}:${p.minute}` };
  };
  const insideOffice = (t: number, timeZone: string, businessDaysOnly: boolean) => {
    const { weekday, hhmm } = wall(t, timeZone);
    return (!businessDaysOnly || (weekday !== 'Sat' && weekday !== 'Sun')) && hhmm >= '09:00' && hhmm < '17:00';
  };

  it.each([
    // Friday 16:50 local, business days only: 10 minutes × 30 on Friday, the rest Monday 09:00 local.
    ['spring-forward', AMS, '2026-03-27T15:50:00Z', true, '2026-03-30T07:00:00Z'], // CET → CEST
    ['fall-back', AMS, '2026-10-23T14:50:00Z', true, '2026-10-26T08:00:00Z'], // CEST → CET
    // Saturday 16:50 local, every day: the rest Sunday 09:00 local, on the day the clocks change.
    ['spring-forward', NYC, '2026-03-07T21:50:00Z', false, '2026-03-08T13:00:00Z'], // EST → EDT
    ['fall-back', NYC, '2026-10-31T20:50:00Z', false, '2026-11-01T14:00:00Z'], // EDT → EST
  ] as const)('%s in %s: stays inside 09:00–17:00 local', (_, timeZone, start, businessDaysOnly, nextDay) => {
    const now = Date.parse(start);
    const window: SendWindowSpec = { timeZone, start: '09:00', end: '17:00', businessDaysOnly };
    const items = Array.from({ length: 600 }, (_, i) => ({ id: `c${i}`, recipients: 1, notBefore: now, window }));
    const plan = planSends({ limits: o365, ledger: [], items, now });
    expect(violations(allSends(plan), o365)).toEqual({ minute: 0, day: 0 });
    for (const p of plan.planned) expect(insideOffice(p.at, timeZone, businessDaysOnly), iso(p.at)).toBe(true);
    expect(plan.planned.filter((p) => p.at < now + 10 * MINUTE_MS)).toHaveLength(300);
    expect(plan.planned[299]!.at).toBe(now + 9 * MINUTE_MS);
    expect(iso(plan.planned[300]!.at)).toBe(iso(Date.parse(nextDay)));
    expect(plan.finishAt).toBe(Date.parse(nextDay) + 9 * MINUTE_MS);
  });

  it('contacts in different zones share one channel, each inside their own window', () => {
    const now = Date.parse('2026-03-09T06:00:00Z'); // Monday; 07:00 Amsterdam, 02:00 New York
    const ams: SendWindowSpec = { timeZone: AMS, start: '09:00', end: '17:00', businessDaysOnly: true };
    const nyc: SendWindowSpec = { timeZone: NYC, start: '09:00', end: '17:00', businessDaysOnly: true };
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: `c${i}`, recipients: 1, notBefore: now, window: i % 2 ? nyc : ams }));
    const plan = planSends({ limits: o365, ledger: [], items, now });
    expect(plan.unplannable).toEqual([]);
    expect(violations(allSends(plan), o365)).toEqual({ minute: 0, day: 0 });
    const byId = new Map(items.map((i) => [i.id, i.window.timeZone]));
    for (const p of plan.planned) expect(insideOffice(p.at, byId.get(p.id)!, true), `${p.id} ${iso(p.at)}`).toBe(true);
    // Amsterdam opens at 08:00Z: its 500 go in 17 minutes; New York opens at 13:00Z (EDT since 8 March).
    const amsSends = plan.planned.filter((p) => byId.get(p.id) === AMS);
    expect(amsSends[0]!.at).toBe(Date.parse('2026-03-09T08:00:00Z'));
    expect(amsSends[499]!.at).toBe(Date.parse('2026-03-09T08:16:00Z'));
    const nycSends = plan.planned.filter((p) => byId.get(p.id) === NYC);
    expect(nycSends[0]!.at).toBe(Date.parse('2026-03-09T13:00:00Z'));
    expect(plan.finishAt).toBe(Date.parse('2026-03-09T13:16:00Z'));
  });

  it('skips the holidays the rep lists', () => {
    const now = Date.parse('2026-04-03T15:30:00Z'); // Friday 17:30 in Amsterdam
    const window: SendWindowSpec = { timeZone: AMS, start: '09:00', end: '17:00', businessDaysOnly: true, holidays: ['2026-04-06'] };
    const plan = planSends({ limits: o365, ledger: [], items: contacts(45, { notBefore: now, window }), now });
    expect(iso(plan.firstAt!)).toBe('2026-04-07T07:00:00.000Z'); // Tuesday 09:00 CEST, Easter Monday skipped
    expect(iso(plan.finishAt!)).toBe('2026-04-07T07:01:00.000Z');
  });

  it('an item whose window closes before room frees yields its place to the next window', () => {
    // 24 h recipient room frees at 17:30 local, after the 09:00–17:00 window: the
    // 200-recipient item waits for tomorrow; the unwindowed one behind it goes at 17:30.
    const now = Date.parse('2026-06-10T07:00:00Z'); // Wednesday 09:00 CEST
    const ledger = [{ at: now - DAY_MS + 8.5 * 3600_000, recipients: 9_900 }];
    const window: SendWindowSpec = { timeZone: AMS, start: '09:00', end: '17:00' };
    const plan = planSends({
      limits: o365,
      ledger,
      items: [
        { id: 'big', recipients: 200, notBefore: now, window },
        { id: 'small', recipients: 150, notBefore: now + 1 },
      ],
      now,
    });
    expect(violations(allSends(plan, ledger), o365)).toEqual({ minute: 0, day: 0 });
    expect(iso(sendTimes(plan).get('small')!)).toBe('2026-06-10T15:30:00.000Z');
    expect(iso(sendTimes(plan).get('big')!)).toBe('2026-06-11T07:00:00.000Z');
  });
});

describe('items that cannot be planned, bad input, order', () => {
  it('reports items that can never fit, and plans the rest', () => {
    const items: unknown[] = [
      { id: 'ok', recipients: 1, notBefore: NOW },
      { id: 'huge', recipients: 501, notBefore: NOW },
      { id: 'zero', recipients: 0, notBefore: NOW },
      { id: 'when', recipients: 1, notBefore: Number.NaN },
      { id: '', recipients: 1, notBefore: NOW },
      { id: 'tz', recipients: 1, notBefore: NOW, window: { timeZone: 'Mars/Olympus' } },
      { id: 'ok', recipients: 1, notBefore: NOW },
      { id: 'extra', recipients: 1, notBefore: NOW, priority: 1 },
      { id: 'holidays', recipients: 1, notBefore: NOW, window: { timeZone: 'UTC', holidays: Array.from({ length: 800 }, (_, i) => iso(NOW + i * DAY_MS).slice(0, 10)) } },
    ];
    const plan = planSends({ limits: o365, ledger: [], items: items as PacingItem[], now: NOW });
    expect(plan.planned.map((p) => p.id)).toEqual(['ok']);
    expect(plan.unplannable).toEqual([
      { id: 'huge', reason: { code: 'too_many_recipients', limit: 500, recipients: 501 } },
      { id: 'zero', reason: { code: 'invalid_item', field: 'items.2.recipients', message: expect.any(String) } },
      { id: 'when', reason: { code: 'invalid_item', field: 'items.3.notBefore', message: expect.any(String) } },
      { id: '', reason: { code: 'invalid_item', field: 'items.4.id', message: expect.any(String) } },
      { id: 'tz', reason: { code: 'invalid_item', field: 'items.5.window.timeZone', message: 'unknown IANA time zone' } },
      { id: 'ok', reason: { code: 'duplicate_id' } },
      { id: 'extra', reason: { code: 'invalid_item', field: 'items.7.priority', message: 'unknown field' } },
      { id: 'holidays', reason: { code: 'window_never_open' } },
    ]);
    // The boundary schema refuses the same malformed items.
    for (const i of [2, 3, 4, 5, 7]) expect(PacingItem.safeParse(items[i]).success, `item ${i}`).toBe(false);
    expect(PacingItem.safeParse(items[0]).success).toBe(true);
  });

  it('more recipients than a whole day allows never fits', () => {
    const spec: LimitSpec = { perMinute: null, perDay: 300, perDayUnit: 'recipients', perMessage: null, concurrency: null };
    const plan = planSends({ limits: spec, ledger: [], items: [{ id: 'x', recipients: 301, notBefore: NOW }], now: NOW });
    expect(plan.unplannable).toEqual([{ id: 'x', reason: { code: 'too_many_recipients', limit: 300, recipients: 301 } }]);
    expect(plan.finishAt).toBeNull();
  });

  it('reports what would go past the horizon instead of planning years ahead', () => {
    const spec: LimitSpec = { perMinute: null, perDay: 1, perDayUnit: 'messages', perMessage: null, concurrency: null };
    const plan = planSends({ limits: spec, ledger: [], items: contacts(5), now: NOW, horizonMs: 2 * DAY_MS });
    expect(plan.planned.map((p) => p.at)).toEqual([NOW, NOW + DAY_MS, NOW + 2 * DAY_MS]);
    expect(plan.unplannable.map((u) => [u.id, u.reason.code])).toEqual([
      ['c3', 'beyond_horizon'],
      ['c4', 'beyond_horizon'],
    ]);
  });

  it('refuses bad channel input naming the field', () => {
    const base: PacingInput = { limits: o365, ledger: [], items: [], now: NOW };
    const field = (input: PacingInput) => {
      try {
        planSends(input);
      } catch (err) {
        if (err instanceof PacingInputError) return err.field;
        throw err;
      }
      return null;
    };
    expect(field({ ...base, limits: { ...o365, perMinute: 0 } })).toBe('limits.perMinute');
    expect(field({ ...base, ledger: [{ at: NOW, recipients: 1 }, { at: Number.NaN, recipients: 1 }] })).toBe('ledger.1.at');
    expect(field({ ...base, ledger: [{ at: NOW, recipients: -1 }] })).toBe('ledger.0.recipients');
    expect(field({ ...base, now: Number.POSITIVE_INFINITY })).toBe('now');
    expect(field({ ...base, heldUntil: Number.NaN })).toBe('heldUntil');
    expect(field(base)).toBeNull();
  });

  it('orders by notBefore, stable for equal ones, never before notBefore', () => {
    const items = [
      { id: 'late', recipients: 1, notBefore: NOW + 5 * MINUTE_MS },
      { id: 'a', recipients: 1, notBefore: NOW },
      { id: 'b', recipients: 1, notBefore: NOW },
      { id: 'past', recipients: 1, notBefore: NOW - DAY_MS },
    ];
    const spec: LimitSpec = { ...o365, perMinute: 1 };
    const plan = planSends({ limits: spec, ledger: [], items, now: NOW });
    expect(plan.planned.map((p) => [p.id, (p.at - NOW) / MINUTE_MS])).toEqual([
      ['past', 0],
      ['a', 1],
      ['b', 2],
      ['late', 5],
    ]);
  });
});

describe('replan', () => {
  it('reschedules after the provider holds the channel, dropping what was sent', () => {
    const input: PacingInput = { limits: o365, ledger: [], items: contacts(100), now: NOW };
    const plan = planSends(input);
    const sent = plan.planned.slice(0, 30);
    const ledger = sent.map((p) => ({ at: p.at, recipients: p.recipients }));
    // The 31st attempt at now + 1 min: the provider says "held until 2 h from now".
    const heldUntil = NOW + 2 * 3600_000;
    const again = replan(input, { now: NOW + MINUTE_MS, ledger, done: sent.map((p) => p.id), heldUntil });
    expect(again.heldUntil).toBe(heldUntil);
    expect(again.planned).toHaveLength(70);
    expect(again.planned[0]!.id).toBe('c30');
    expect(again.firstAt).toBe(heldUntil);
    expect(again.finishAt).toBe(heldUntil + 2 * MINUTE_MS);
    expect(violations(allSends(again, ledger), o365)).toEqual({ minute: 0, day: 0 });
  });

  it('a window reported full without a time frees one window length later', () => {
    const input: PacingInput = { limits: o365, ledger: [], items: contacts(10), now: NOW };
    const at = NOW + 5 * MINUTE_MS;
    const day = replan(input, { now: at, ledger: [], fullWindow: { window: 'perDay', at } });
    expect(day.firstAt).toBe(at + DAY_MS);
    const minute = replan(input, { now: at, ledger: [], fullWindow: { window: 'perMinute', at } });
    expect(minute.firstAt).toBe(at + MINUTE_MS);
    // A hold that has passed no longer applies.
    expect(replan({ ...input, heldUntil: NOW + 1 }, { now: NOW + 10, ledger: [] }).heldUntil).toBeNull();
  });
});

describe('speed', () => {
  it('plans 20,000 contacts (with and without send windows) well under a second', () => {
    const window: SendWindowSpec = { timeZone: 'Europe/Amsterdam', start: '09:00', end: '17:00', businessDaysOnly: true, holidays: ['2026-04-06'] };
    for (const items of [contacts(20_000), contacts(20_000, { window })]) {
      planSends({ limits: o365, ledger: [], items: items.slice(0, 500), now: NOW }); // warm up the JIT
      const started = performance.now();
      const plan = planSends({ limits: o365, ledger: [], items, now: NOW });
      const ms = performance.now() - started;
      expect(plan.planned).toHaveLength(20_000);
      expect(violations(allSends(plan), o365)).toEqual({ minute: 0, day: 0 });
      expect(ms).toBeLessThan(1000);
    }
  });

  it('contacts spread over every time zone cost a handful of Intl calls per zone and day, not per contact', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    // One window object per contact, as when each contact's zone comes from the CRM.
    const items = Array.from({ length: 20_000 }, (_, i) => ({
      id: `c${i}`,
      recipients: 1 + (i % 3),
      notBefore: NOW + (i % 97) * MINUTE_MS,
      window: { timeZone: zones[i % zones.length]!, start: '09:00', end: '17:00', businessDaysOnly: true, holidays: ['2026-03-04'] },
    }));
    const intl = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    const started = performance.now();
    const plan = planSends({ limits: o365, ledger: [], items, now: NOW });
    const ms = performance.now() - started;
    const calls = intl.mock.calls.length;
    intl.mockRestore();
    expect(plan.planned).toHaveLength(20_000);
    expect(violations(allSends(plan), o365)).toEqual({ minute: 0, day: 0 });
    const zoneDays = zones.length * Math.ceil((plan.finishAt! - NOW) / DAY_MS + 2);
    expect(calls).toBeLessThan(5 * zoneDays);
    // Cold, with ~420 zones compiled: still well inside 2 s on a busy 2-core machine.
    expect(ms).toBeLessThan(2000);
  });
});
