import { z } from 'zod';
import { DAY_MS, MINUTE_MS } from './limits';

/**
 * Send windows and follow-up delays in a person's own time zone.
 *
 * Everything is computed with the platform's Intl time-zone data (no date
 * library): the only primitive we need is "what is the UTC offset at instant
 * t", and Intl.DateTimeFormat answers it for every IANA zone the browser or
 * Node knows. On top of that sit two conversions, both DST-aware:
 *
 * - instant → local wall time (direct, via the offset);
 * - local wall time → instant, where a wall time can be missing (spring-forward
 *   gap: we move to the first valid instant after it, i.e. the transition) or
 *   occur twice (fall-back: we take the first occurrence).
 *
 * So a 09:00 window stays 09:00 local on both sides of a DST change, and a
 * delay of N days keeps the wall-clock time of day.
 *
 * Instants are epoch milliseconds, like LedgerEntry.at in limits.ts.
 */

const HOUR_MINUTE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** How far ahead we look for an open window before calling it never open. */
const MAX_SEARCH_DAYS = 2 * 366 + 7;

// ---------------------------------------------------------------------------
// Time-zone primitives

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null; // RangeError: not a time zone this runtime knows
    }
    // User input reaches here; keep the cache from growing without bound.
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `timeZone` as an IANA zone (e.g. "Europe/Amsterdam"). */
export function isTimeZone(timeZone: unknown): timeZone is string {
  return typeof timeZone === 'string' && timeZone.length > 0 && timeZone.length <= 100 && formatterFor(timeZone) !== null;
}

function mustFormatter(timeZone: string): Intl.DateTimeFormat {
  const f = formatterFor(timeZone);
  if (!f) throw new SendWindowError('timeZone', `unknown time zone "${timeZone}"`);
  return f;
}

/**
 * Local wall-clock time of `instant` in `timeZone`, as milliseconds on a
 * UTC-based scale (so Date.UTC arithmetic and getUTC* read it directly).
 */
function wallMs(instant: number, f: Intl.DateTimeFormat): number {
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of f.formatToParts(instant)) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value) % 24; break; // some engines print 24 for midnight
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
    }
  }
  const subSecond = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(y, mo - 1, d, h, mi, s) + subSecond;
}

/** UTC offset (local − UTC) in ms at `instant`. */
function offsetAt(instant: number, f: Intl.DateTimeFormat): number {
  return wallMs(instant, f) - instant;
}

/**
 * The instant at which the local clock shows `wall` (UTC-scale ms).
 * Ambiguous (fall-back) → the first occurrence; missing (spring-forward gap)
 * → the first valid instant after it, which is the transition itself.
 */
function wallToInstant(wall: number, f: Intl.DateTimeFormat): number {
  // Offsets a day either side bracket any single transition near `wall`.
  const before = offsetAt(wall - DAY_MS, f);
  const after = offsetAt(wall + DAY_MS, f);
  let best = Number.POSITIVE_INFINITY;
  for (const off of before === after ? [before] : [before, after]) {
    const candidate = wall - off;
    if (offsetAt(candidate, f) === off) best = Math.min(best, candidate);
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // In a gap: the transition lies between the two candidates. Find the first
  // instant that already has the later offset.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  const offHi = offsetAt(hi, f);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid, f) === offHi) hi = mid;
    else lo = mid;
  }
  return hi;
}

const dayNoOf = (wall: number) => Math.floor(wall / DAY_MS);
/** 0 = Sunday … 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
const weekdayOf = (dayNo: number) => (((dayNo + 4) % 7) + 7) % 7;
const isWeekend = (dayNo: number) => {
  const w = weekdayOf(dayNo);
  return w === 0 || w === 6;
};

function parseIsoDate(s: string): number | null {
  const m = ISO_DATE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return dayNoOf(t);
}

const minutesOf = (hhmm: string) => (hhmm === '24:00' ? 24 * 60 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

// ---------------------------------------------------------------------------
// Schema (the shape sequences store and send across boundaries)

export const TimeZoneName = z.string().min(1).max(100).refine(isTimeZone, { message: 'unknown IANA time zone' });
export const LocalTime = z.string().regex(HOUR_MINUTE, 'expected HH:MM (00:00–23:59)');
export const LocalTimeOrMidnight = z
  .string()
  .refine((s) => s === '24:00' || HOUR_MINUTE.test(s), { message: 'expected HH:MM (00:00–24:00)' });
export const IsoDate = z.string().refine((s) => parseIsoDate(s) !== null, { message: 'expected a real date YYYY-MM-DD' });

/**
 * When sends may go out, in local time of `timeZone`. start is inclusive,
 * end exclusive; omitted start/end mean the whole day. Holidays are local
 * dates in that zone. Overnight windows (end before start) are refused: split
 * them into two sequence settings instead.
 */
export const SendWindowSpec = z
  .object({
    timeZone: TimeZoneName,
    start: LocalTime.optional(),
    end: LocalTimeOrMidnight.optional(),
    businessDaysOnly: z.boolean().optional(),
    holidays: z.array(IsoDate).max(2000).optional(),
  })
  .strict()
  .refine((w) => minutesOf(w.start ?? '00:00') < minutesOf(w.end ?? '24:00'), {
    message: 'end must be after start',
    path: ['end'],
  });
export type SendWindowSpec = z.infer<typeof SendWindowSpec>;

export class SendWindowError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'SendWindowError';
  }
}

function parseSpec(spec: unknown): SendWindowSpec {
  const r = SendWindowSpec.safeParse(spec);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  throw new SendWindowError(path.join('.') || 'window', issue.message);
}

// ---------------------------------------------------------------------------
// Compiled calendar

interface DayInfo {
  dayNo: number;
  /** First instant of this local date, and of the next one. */
  midnight: number;
  nextMidnight: number;
  /** Whether sending is allowed at all this day, and the open interval [start, end). */
  open: boolean;
  start: number;
  end: number;
}

/**
 * A send window compiled for repeated queries: each local day is converted to
 * instants once and cached, and the last day looked at is checked first, so a
 * planner walking forward in time mostly avoids Intl altogether.
 */
export class SendWindowCalendar {
  readonly spec: SendWindowSpec;
  private readonly f: Intl.DateTimeFormat;
  private readonly startMin: number;
  private readonly endMin: number;
  private readonly holidays: ReadonlySet<number>;
  private readonly days = new Map<number, DayInfo>();
  /** The same days sorted by date, to find the day of an instant without Intl. */
  private readonly sorted: DayInfo[] = [];
  private last: DayInfo | null = null;

  constructor(spec: unknown) {
    this.spec = parseSpec(spec);
    this.f = mustFormatter(this.spec.timeZone);
    this.startMin = minutesOf(this.spec.start ?? '00:00');
    this.endMin = minutesOf(this.spec.end ?? '24:00');
    this.holidays = new Set((this.spec.holidays ?? []).map((d) => parseIsoDate(d)!));
  }

  /** Whether sends may go out on this local date at all. */
  isSendDay(dayNo: number): boolean {
    if (this.spec.businessDaysOnly && isWeekend(dayNo)) return false;
    return !this.holidays.has(dayNo);
  }

  private day(dayNo: number): DayInfo {
    let info = this.days.get(dayNo);
    if (!info) {
      const wall0 = dayNo * DAY_MS;
      // Most days have one offset throughout: the same offset a day before, in
      // the middle and a day after settles it with three Intl calls. Days near
      // a transition take the exact (gap/overlap-aware) conversion.
      const off = offsetAt(wall0 - DAY_MS, this.f);
      const steady = offsetAt(wall0 + 2 * DAY_MS, this.f) === off && offsetAt(wall0 + DAY_MS / 2 - off, this.f) === off;
      const toInstant = (wall: number) => (steady ? wall - off : wallToInstant(wall, this.f));
      const midnight = toInstant(wall0);
      const nextMidnight = toInstant(wall0 + DAY_MS);
      const start = this.startMin === 0 ? midnight : toInstant(wall0 + this.startMin * MINUTE_MS);
      const end = this.endMin === 24 * 60 ? nextMidnight : toInstant(wall0 + this.endMin * MINUTE_MS);
      // A window lying wholly inside a DST gap is empty that day.
      info = { dayNo, midnight, nextMidnight, open: this.isSendDay(dayNo) && start < end, start, end };
      if (this.days.size >= 4000) {
        this.days.clear();
        this.sorted.length = 0;
      }
      this.days.set(dayNo, info);
      // Days are mostly added in date order: usually a push.
      let i = this.sorted.length;
      while (i > 0 && this.sorted[i - 1]!.dayNo > dayNo) i--;
      this.sorted.splice(i, 0, info);
    }
    return info;
  }

  private dayAt(t: number): DayInfo {
    const last = this.last;
    if (last && last.midnight <= t && t < last.nextMidnight) return last;
    // Binary search the days already converted (a planner alternates between a
    // few of them); only an unseen day costs an Intl call.
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.midnight <= t) lo = mid + 1;
      else hi = mid;
    }
    const known = lo > 0 ? this.sorted[lo - 1]! : null;
    const info = known && t < known.nextMidnight ? known : this.day(dayNoOf(wallMs(t, this.f)));
    this.last = info;
    return info;
  }

  /** Earliest instant >= t inside the window; +Infinity if none within two years. */
  next(t: number): number {
    let info = this.dayAt(t);
    for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
      if (info.open && t < info.end) return Math.max(t, info.start);
      info = this.day(info.dayNo + 1);
    }
    return Number.POSITIVE_INFINITY;
  }

  contains(t: number): boolean {
    const info = this.dayAt(t);
    return info.open && info.start <= t && t < info.end;
  }

  /** When the open interval containing t closes (t must be inside the window). */
  closesAt(t: number): number {
    return this.dayAt(t).end;
  }
}

const calendars = new Map<string, SendWindowCalendar>();

/** Equal for specs that describe the same window (cache key). */
export function sendWindowKey(spec: SendWindowSpec): string {
  if (typeof spec !== 'object' || spec === null) throw new SendWindowError('window', 'expected an object');
  return JSON.stringify([spec.timeZone, spec.start, spec.end, spec.businessDaysOnly, spec.holidays]);
}

/** A cached compiled calendar for `spec` (throws SendWindowError naming the bad field). */
export function compileSendWindow(spec: SendWindowSpec): SendWindowCalendar {
  const key = sendWindowKey(spec);
  let cal = calendars.get(key);
  if (!cal) {
    cal = new SendWindowCalendar(spec);
    // Enough for every zone × a few window settings; bounded for a long-lived service worker.
    if (calendars.size >= 2000) calendars.clear();
    calendars.set(key, cal);
  }
  return cal;
}

/**
 * The earliest instant >= `candidate` at which a send may go out under `window`
 * (local time in window.timeZone, business days and holidays applied).
 * +Infinity when the window never opens in the next two years.
 */
export function nextSendTime(candidate: number, window: SendWindowSpec): number {
  if (!Number.isFinite(candidate)) throw new SendWindowError('candidate', 'must be a finite instant (epoch ms)');
  return compileSendWindow(window).next(candidate);
}

export function isInSendWindow(t: number, window: SendWindowSpec): boolean {
  return compileSendWindow(window).contains(t);
}

/** The contact's zone when it is known and valid, otherwise the rep's. */
export function resolveTimeZone(contactTimeZone: string | null | undefined, repTimeZone: string): string {
  return isTimeZone(contactTimeZone) ? contactTimeZone : repTimeZone;
}

export interface DelayOptions {
  timeZone: string;
  /** Count Monday–Friday only, skipping `holidays` too. */
  businessDaysOnly?: boolean;
  /** Local dates (YYYY-MM-DD) that are not business days. */
  holidays?: readonly string[];
}

/**
 * "Follow up N days later": the same local wall-clock time, N local days (or
 * N business days) after `from`. Calendar days count every date; holidays only
 * matter when counting business days (the send window keeps sends off them
 * either way). A wall time missing on the target day (DST gap) moves to the
 * first valid instant after it; an ambiguous one takes the first occurrence.
 */
export function addDelay(from: number, days: number, options: DelayOptions): number {
  if (!Number.isFinite(from)) throw new SendWindowError('from', 'must be a finite instant (epoch ms)');
  if (!Number.isInteger(days) || days < 0 || days > 3660) {
    throw new SendWindowError('days', 'must be a whole number of days from 0 to 3660');
  }
  if (days === 0) return from;
  const f = mustFormatter(options.timeZone);
  const holidays = new Set<number>();
  (options.holidays ?? []).forEach((d, i) => {
    const n = typeof d === 'string' ? parseIsoDate(d) : null;
    if (n === null) throw new SendWindowError(`holidays.${i}`, 'expected a real date YYYY-MM-DD');
    holidays.add(n);
  });
  const wall = wallMs(from, f);
  const fromDay = dayNoOf(wall);
  const timeOfDay = wall - fromDay * DAY_MS;
  let target = fromDay + days;
  if (options.businessDaysOnly) {
    target = fromDay;
    for (let counted = 0; counted < days; ) {
      target++;
      if (!isWeekend(target) && !holidays.has(target)) counted++;
    }
  }
  return wallToInstant(target * DAY_MS + timeOfDay, f);
}

/** Local date and time of `t` in `timeZone`, for display and logs ("2026-03-30", "09:00"). */
export function localDateTime(t: number, timeZone: string): { date: string; time: string; weekday: number } {
  const wall = wallMs(t, mustFormatter(timeZone));
  const iso = new Date(wall).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16), weekday: weekdayOf(dayNoOf(wall)) };
}
