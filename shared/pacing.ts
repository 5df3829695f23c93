import { z } from 'zod';
import { DAY_MS, LimitSpec, MINUTE_MS, checkMessageFits, type LedgerEntry } from './limits';
import { SendWindowError, SendWindowSpec, compileSendWindow, sendWindowKey, type SendWindowCalendar } from './send-window';

/**
 * The pacing planner: spreads due sends over a channel's limits so that no
 * window is ever exceeded, each item goes out inside its own send window, in
 * order of notBefore, and as early as possible.
 *
 * Semantics are those of limits.ts (a send at `a` counts in the window at `t`
 * while t − a < window), so a plan made here is one the relay's nextSlot
 * accepts send by send. Unlike nextSlot, the planner also respects ledger
 * entries in the future (sends already handed to the relay with a sendAt): a
 * new send may not overfill any window that contains such a reservation.
 *
 * How it works: one sweep forward in time. Items wait in a "future" heap until
 * their notBefore and send window allow them, then in a "ready" heap ordered by
 * notBefore (stable). At each instant the first ready item goes if the limits
 * allow; otherwise the sweep jumps to the next instant anything can change.
 * Sends are appended in time order, so the sliding windows are kept as sorted
 * arrays with prefix sums (binary search, O(log n) per question) and
 * reservations in a segment tree; nothing rescans the ledger.
 *
 * Order rule: the first ready item holds the line when a limit blocks it (a
 * big message waiting for 24 h recipient room is not starved by small ones
 * slipping past). An item only yields its place while its own send window is
 * closed, or when room cannot come before that window closes.
 */

export const PACING_ID_MAX = 200;
/** Plans further ahead than this are not made (items are reported beyond_horizon). */
export const DEFAULT_HORIZON_MS = 400 * DAY_MS;

/** One send that is due: a message to `recipients` people, not before `notBefore`. */
export const PacingItem = z
  .object({
    id: z.string().min(1).max(PACING_ID_MAX),
    recipients: z.number().int().positive(),
    notBefore: z.number(),
    window: SendWindowSpec.optional(),
  })
  .strict();
export type PacingItem = z.infer<typeof PacingItem>;

export const PlannedSend = z.object({ id: z.string(), at: z.number(), recipients: z.number().int() });
export type PlannedSend = z.infer<typeof PlannedSend>;

export const PacingRejection = z.discriminatedUnion('code', [
  /** Over the per-message limit, or more recipients than a whole day allows. */
  z.object({ code: z.literal('too_many_recipients'), limit: z.number(), recipients: z.number() }),
  z.object({ code: z.literal('invalid_item'), field: z.string(), message: z.string() }),
  z.object({ code: z.literal('duplicate_id') }),
  /** The item's send window does not open within two years (e.g. every day a holiday). */
  z.object({ code: z.literal('window_never_open') }),
  /** It would go out later than the planning horizon. */
  z.object({ code: z.literal('beyond_horizon'), horizonEnd: z.number() }),
]);
export type PacingRejection = z.infer<typeof PacingRejection>;

export const PacingPlan = z.object({
  now: z.number(),
  /** Nothing is planned before this (the channel is held by the provider), or null. */
  heldUntil: z.number().nullable(),
  /** Every plannable item once, in send order (time, then notBefore order). */
  planned: z.array(PlannedSend),
  unplannable: z.array(z.object({ id: z.string(), reason: PacingRejection })),
  /** When the first and the last planned send go out; null when nothing is planned. */
  firstAt: z.number().nullable(),
  finishAt: z.number().nullable(),
});
export type PacingPlan = z.infer<typeof PacingPlan>;

export interface PacingInput {
  limits: LimitSpec;
  /** Sends already made on the channel, and reservations (at > now) that cannot move. */
  ledger: readonly LedgerEntry[];
  items: readonly PacingItem[];
  now: number;
  /** The provider holds the channel until this instant. */
  heldUntil?: number | null;
  horizonMs?: number;
}

/** Bad input outside the items (limits, ledger, now): nothing can be planned. */
export class PacingInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PacingInputError';
  }
}

// ---------------------------------------------------------------------------
// Small data structures

/** First index in a[lo..hi) whose value is > x (a sorted ascending). */
function upperBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in a[lo..hi) whose value is >= x. */
function lowerBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Binary min-heap of small integers under a comparator. */
class Heap {
  private a: number[] = [];
  constructor(private readonly less: (x: number, y: number) => boolean) {}
  get size() {
    return this.a.length;
  }
  peek(): number | undefined {
    return this.a[0];
  }
  push(v: number) {
    // Move the hole up instead of swapping pairs: no temporary arrays.
    const a = this.a;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!this.less(v, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = v;
  }
  pop(): number | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    const n = a.length;
    if (n > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && this.less(a[r]!, a[l]!) ? r : l;
        if (!this.less(a[child]!, last)) break;
        a[i] = a[child]!;
        i = child;
      }
      a[i] = last;
    }
    return top;
  }
  drain(): number[] {
    const out = this.a;
    this.a = [];
    return out;
  }
}

/** Range add, leftmost index whose value is below a threshold. */
class MinTree {
  private readonly n: number;
  private readonly size: number;
  private readonly min: Float64Array;
  private readonly lazy: Float64Array;
  constructor(values: readonly number[]) {
    this.n = values.length;
    let size = 1;
    while (size < Math.max(1, this.n)) size <<= 1;
    this.min = new Float64Array(2 * size).fill(Number.POSITIVE_INFINITY);
    this.lazy = new Float64Array(2 * size);
    const build = (node: number, lo: number, hi: number) => {
      if (hi - lo === 1) {
        this.min[node] = lo < this.n ? values[lo]! : Number.POSITIVE_INFINITY;
        return;
      }
      const mid = (lo + hi) >> 1;
      build(2 * node, lo, mid);
      build(2 * node + 1, mid, hi);
      this.min[node] = Math.min(this.min[2 * node]!, this.min[2 * node + 1]!);
    };
    this.size = size;
    if (this.n > 0) build(1, 0, size);
  }

  add(from: number, to: number, delta: number, node = 1, lo = 0, hi = this.size): void {
    if (to <= lo || hi <= from) return;
    if (from <= lo && hi <= to) {
      this.min[node] = this.min[node]! + delta;
      this.lazy[node] = this.lazy[node]! + delta;
      return;
    }
    const mid = (lo + hi) >> 1;
    this.add(from, to, delta, 2 * node, lo, mid);
    this.add(from, to, delta, 2 * node + 1, mid, hi);
    this.min[node] = Math.min(this.min[2 * node]!, this.min[2 * node + 1]!) + this.lazy[node]!;
  }

  /** Leftmost index in [from, to) with value < bound, or -1. */
  firstBelow(from: number, to: number, bound: number, node = 1, lo = 0, hi = this.size, acc = 0): number {
    if (to <= lo || hi <= from || this.min[node]! + acc >= bound) return -1;
    if (hi - lo === 1) return lo;
    const mid = (lo + hi) >> 1;
    const down = acc + this.lazy[node]!;
    const left = this.firstBelow(from, to, bound, 2 * node, lo, mid, down);
    return left !== -1 ? left : this.firstBelow(from, to, bound, 2 * node + 1, mid, hi, down);
  }
}

// ---------------------------------------------------------------------------
// The channel's sends and its windows

interface SlidingWindow {
  length: number;
  limit: number;
  /** Counts recipients (true) or messages. */
  weighted: boolean;
  /** Headroom (limit − load) at each reservation's arrival instant. */
  room: MinTree;
}

/**
 * All sends on the channel, sorted by time: `done` holds everything at or
 * before the last recorded send (ledger past + planned), append-only;
 * `pending` holds reservations later than that. Their concatenation is sorted,
 * so a window's load is two binary searches and a prefix-sum difference.
 */
class ChannelLoad {
  private readonly doneAt: number[] = [];
  private readonly doneCum: number[] = []; // recipients, inclusive prefix sum
  private readonly pendAt: number[];
  private readonly pendCum: number[];
  private pendHead = 0;
  private readonly windows: SlidingWindow[] = [];

  constructor(spec: LimitSpec, ledger: readonly LedgerEntry[], cursor: number) {
    const sorted = [...ledger].sort((a, b) => a.at - b.at);
    const split = upperBound(
      sorted.map((e) => e.at),
      cursor,
    );
    // Entries that can no longer count in any window at or after `cursor` are dropped.
    for (let i = 0; i < split; i++) {
      const e = sorted[i]!;
      if (cursor - e.at < DAY_MS) this.append(e.at, e.recipients);
    }
    this.pendAt = [];
    this.pendCum = [];
    for (let i = split; i < sorted.length; i++) {
      const e = sorted[i]!;
      this.pendAt.push(e.at);
      this.pendCum.push((this.pendCum[this.pendCum.length - 1] ?? 0) + e.recipients);
    }
    const add = (length: number, limit: number | null, weighted: boolean) => {
      if (limit === null) return;
      const w = { length, limit, weighted, room: undefined as unknown as MinTree };
      w.room = new MinTree(this.pendAt.map((p) => limit - this.load(w, p - length, p)));
      this.windows.push(w);
    };
    add(MINUTE_MS, spec.perMinute, false);
    add(DAY_MS, spec.perDay, spec.perDayUnit === 'recipients');
  }

  private append(at: number, recipients: number) {
    this.doneAt.push(at);
    this.doneCum.push((this.doneCum[this.doneCum.length - 1] ?? 0) + recipients);
  }

  /** Weight of done[lo..hi) and pending[lo..hi) in a window. */
  private doneSum(w: SlidingWindow, lo: number, hi: number) {
    if (hi <= lo) return 0;
    if (!w.weighted) return hi - lo;
    return this.doneCum[hi - 1]! - (lo > 0 ? this.doneCum[lo - 1]! : 0);
  }
  private pendSum(w: SlidingWindow, lo: number, hi: number) {
    if (hi <= lo) return 0;
    if (!w.weighted) return hi - lo;
    return this.pendCum[hi - 1]! - (lo > 0 ? this.pendCum[lo - 1]! : 0);
  }

  /** Load of all sends with from < at <= to. */
  private load(w: SlidingWindow, from: number, to: number): number {
    const d = this.doneSum(w, upperBound(this.doneAt, from), upperBound(this.doneAt, to));
    const p = this.pendSum(
      w,
      upperBound(this.pendAt, from, this.pendHead),
      upperBound(this.pendAt, to, this.pendHead),
    );
    return d + p;
  }

  /**
   * Lower bound for the send time given window `w`: `at` if a send of weight
   * `weight` fits at `at` (ignoring later reservations), otherwise the instant
   * enough of the oldest sends in the window will have left it.
   */
  private expiry(w: SlidingWindow, at: number, weight: number): number {
    const from = at - w.length;
    const dLo = upperBound(this.doneAt, from);
    const dHi = this.doneAt.length; // all done sends are <= at
    const pLo = upperBound(this.pendAt, from, this.pendHead);
    const pHi = upperBound(this.pendAt, at, this.pendHead);
    const doneLoad = this.doneSum(w, dLo, dHi);
    let excess = doneLoad + this.pendSum(w, pLo, pHi) + weight - w.limit;
    if (excess <= 0) return at;
    // The smallest prefix of the window's oldest sends whose weight covers the excess.
    if (excess <= doneLoad) {
      const base = this.doneSum(w, 0, dLo);
      let lo = dLo;
      let hi = dHi - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.doneSum(w, 0, mid + 1) - base >= excess) hi = mid;
        else lo = mid + 1;
      }
      return this.doneAt[lo]! + w.length;
    }
    excess -= doneLoad;
    const base = this.pendSum(w, 0, pLo);
    let lo = pLo;
    let hi = pHi - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pendSum(w, 0, mid + 1) - base >= excess) hi = mid;
      else lo = mid + 1;
    }
    return this.pendAt[lo]! + w.length;
  }

  /**
   * Earliest instant >= t at which a message with `recipients` recipients can
   * go without any window ever exceeding its limit, given everything recorded
   * and reserved so far. +Infinity when it can never fit.
   */
  earliest(t: number, recipients: number): number {
    for (const w of this.windows) if ((w.weighted ? recipients : 1) > w.limit) return Number.POSITIVE_INFINITY;
    let at = t;
    for (;;) {
      let need = at;
      for (const w of this.windows) need = Math.max(need, this.expiry(w, at, w.weighted ? recipients : 1));
      if (need === at) {
        // Every reservation arriving while this send is still in its window
        // must keep room for it; otherwise go after that reservation.
        const first = upperBound(this.pendAt, at, this.pendHead);
        for (const w of this.windows) {
          const last = lowerBound(this.pendAt, at + w.length, first);
          const k = w.room.firstBelow(first, last, w.weighted ? recipients : 1);
          if (k !== -1) need = Math.max(need, this.pendAt[k]! + 1);
        }
      }
      if (need === at) return at;
      at = need;
    }
  }

  /** Record a send at `at` (never earlier than the last recorded one). */
  record(at: number, recipients: number) {
    while (this.pendHead < this.pendAt.length && this.pendAt[this.pendHead]! <= at) {
      const i = this.pendHead++;
      this.append(this.pendAt[i]!, this.pendCum[i]! - (i > 0 ? this.pendCum[i - 1]! : 0));
    }
    this.append(at, recipients);
    for (const w of this.windows) {
      const lo = lowerBound(this.pendAt, at, this.pendHead);
      const hi = lowerBound(this.pendAt, at + w.length, lo);
      if (hi > lo) w.room.add(lo, hi, -(w.weighted ? recipients : 1));
    }
  }
}

// ---------------------------------------------------------------------------
// Input checks

const isInstant = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkLimits(limits: unknown): LimitSpec {
  const r = LimitSpec.safeParse(limits);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new PacingInputError(['limits', ...issue.path].join('.'), issue.message);
}

function checkLedger(ledger: unknown): readonly LedgerEntry[] {
  if (!Array.isArray(ledger)) throw new PacingInputError('ledger', 'expected an array of {at, recipients}');
  ledger.forEach((e: unknown, i) => {
    const entry = e as Partial<LedgerEntry> | null;
    if (typeof entry !== 'object' || entry === null) throw new PacingInputError(`ledger.${i}`, 'expected {at, recipients}');
    if (!isInstant(entry.at)) throw new PacingInputError(`ledger.${i}.at`, 'must be a finite instant (epoch ms)');
    if (!Number.isInteger(entry.recipients) || entry.recipients! < 0) {
      throw new PacingInputError(`ledger.${i}.recipients`, 'must be a whole number >= 0');
    }
  });
  return ledger as readonly LedgerEntry[];
}

/** What is wrong with an item (mirrors the PacingItem schema, without its cost per item). */
function itemProblem(item: unknown): { field: string; message: string } | null {
  if (typeof item !== 'object' || item === null) return { field: '', message: 'expected an object' };
  const it = item as Record<string, unknown>;
  for (const key of Object.keys(it)) {
    if (key !== 'id' && key !== 'recipients' && key !== 'notBefore' && key !== 'window') {
      return { field: key, message: 'unknown field' };
    }
  }
  if (typeof it.id !== 'string' || it.id.length < 1 || it.id.length > PACING_ID_MAX) {
    return { field: 'id', message: `must be a string of 1 to ${PACING_ID_MAX} characters` };
  }
  if (!Number.isInteger(it.recipients) || (it.recipients as number) < 1) {
    return { field: 'recipients', message: 'must be a whole number >= 1' };
  }
  if (!isInstant(it.notBefore)) return { field: 'notBefore', message: 'must be a finite instant (epoch ms)' };
  return null;
}

// ---------------------------------------------------------------------------
// The planner

/** Plan every item; see the module comment for the rules. Throws PacingInputError on bad limits/ledger/now. */
export function planSends(input: PacingInput): PacingPlan {
  const spec = checkLimits(input.limits);
  if (!isInstant(input.now)) throw new PacingInputError('now', 'must be a finite instant (epoch ms)');
  const heldUntil = input.heldUntil ?? null;
  if (heldUntil !== null && !isInstant(heldUntil)) throw new PacingInputError('heldUntil', 'must be a finite instant or null');
  const horizonMs = input.horizonMs ?? DEFAULT_HORIZON_MS;
  if (!isInstant(horizonMs) || horizonMs < 0) throw new PacingInputError('horizonMs', 'must be a finite duration >= 0');
  const ledger = checkLedger(input.ledger);
  if (!Array.isArray(input.items)) throw new PacingInputError('items', 'expected an array');

  const now = input.now;
  const start = heldUntil !== null ? Math.max(now, heldUntil) : now;
  const horizonEnd = start + horizonMs;
  const unplannable: PacingPlan['unplannable'] = [];

  // Validate each item on its own: one bad item never sinks the others.
  const accepted: { item: PacingItem; index: number; calendar: SendWindowCalendar | null }[] = [];
  const seen = new Set<string>();
  const compiled = new WeakMap<object, SendWindowCalendar | SendWindowError>();
  const byKey = new Map<string, SendWindowCalendar | SendWindowError>();
  input.items.forEach((raw, index) => {
    const problem = itemProblem(raw);
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `#${index}`;
    if (problem) {
      const field = ['items', index, problem.field].filter((p) => p !== '').join('.');
      unplannable.push({ id, reason: { code: 'invalid_item', field, message: problem.message } });
      return;
    }
    const item = raw as PacingItem;
    if (seen.has(item.id)) {
      unplannable.push({ id, reason: { code: 'duplicate_id' } });
      return;
    }
    seen.add(item.id);
    const fit = checkMessageFits(spec, item.recipients);
    if (fit) {
      unplannable.push({ id, reason: { code: 'too_many_recipients', limit: fit.limit, recipients: fit.recipients } });
      return;
    }
    let calendar: SendWindowCalendar | null = null;
    if (item.window !== undefined) {
      // Compile each distinct window once per plan: by object identity (items of
      // one sequence step share one), then by content (one per contact zone).
      const w = item.window as object;
      let c = typeof w === 'object' && w !== null ? compiled.get(w) : undefined;
      if (!c) {
        let key: string | undefined;
        try {
          key = sendWindowKey(item.window);
          c = byKey.get(key) ?? compileSendWindow(item.window);
        } catch (err) {
          if (!(err instanceof SendWindowError)) throw err;
          c = err;
        }
        if (key !== undefined) byKey.set(key, c);
        if (typeof w === 'object' && w !== null) compiled.set(w, c);
      }
      if (c instanceof SendWindowError) {
        const field = ['items', index, 'window', ...(c.field === 'window' ? [] : [c.field])].join('.');
        unplannable.push({ id, reason: { code: 'invalid_item', field, message: c.reason } });
        return;
      }
      calendar = c;
    }
    accepted.push({ item, index, calendar });
  });

  // Priority = notBefore, then input order (Array#sort is stable).
  accepted.sort((a, b) => a.item.notBefore - b.item.notBefore);
  const n = accepted.length;
  const eligibleAt = new Float64Array(n);
  const future = new Heap((a, b) => eligibleAt[a]! < eligibleAt[b]! || (eligibleAt[a] === eligibleAt[b] && a < b));
  const ready = new Heap((a, b) => a < b);
  for (let r = 0; r < n; r++) {
    const { item, calendar } = accepted[r]!;
    const from = Math.max(item.notBefore, start);
    const e = calendar ? calendar.next(from) : from;
    if (e === Number.POSITIVE_INFINITY) {
      unplannable.push({ id: item.id, reason: { code: 'window_never_open' } });
      continue;
    }
    eligibleAt[r] = e;
    future.push(r);
  }

  const channel = new ChannelLoad(spec, ledger, start);
  const planned: PlannedSend[] = [];
  let t = start;
  for (;;) {
    if (ready.size === 0) {
      const r = future.peek();
      if (r === undefined) break;
      t = Math.max(t, eligibleAt[r]!);
    }
    if (t > horizonEnd) break;
    while (future.size > 0 && eligibleAt[future.peek()!]! <= t) ready.push(future.pop()!);

    const head = ready.peek()!;
    const { item, calendar } = accepted[head]!;
    if (calendar && !calendar.contains(t)) {
      // Its window closed while it waited: back to the future, next opening.
      ready.pop();
      const e = calendar.next(t);
      if (e === Number.POSITIVE_INFINITY) unplannable.push({ id: item.id, reason: { code: 'window_never_open' } });
      else {
        eligibleAt[head] = e;
        future.push(head);
      }
      continue;
    }
    const slot = channel.earliest(t, item.recipients);
    if (slot === t) {
      ready.pop();
      channel.record(t, item.recipients);
      planned.push({ id: item.id, at: t, recipients: item.recipients });
      continue;
    }
    let next = slot;
    if (calendar) {
      const closes = calendar.closesAt(t);
      if (slot >= closes) {
        // No room before its window closes: it yields its place until the next opening.
        ready.pop();
        const e = slot === Number.POSITIVE_INFINITY ? slot : calendar.next(slot);
        if (e === Number.POSITIVE_INFINITY) unplannable.push({ id: item.id, reason: { code: 'window_never_open' } });
        else {
          eligibleAt[head] = e;
          future.push(head);
        }
        continue;
      }
    }
    // Wait for room, unless another item becomes ready first (it may be ahead in line).
    const f = future.peek();
    if (f !== undefined) next = Math.min(next, eligibleAt[f]!);
    t = next;
  }
  // Whatever is left would go out after the horizon.
  for (const r of [...ready.drain(), ...future.drain()].sort((a, b) => a - b)) {
    unplannable.push({ id: accepted[r]!.item.id, reason: { code: 'beyond_horizon', horizonEnd } });
  }

  return {
    now,
    heldUntil,
    planned,
    unplannable,
    firstAt: planned.length > 0 ? planned[0]!.at : null,
    finishAt: planned.length > 0 ? planned[planned.length - 1]!.at : null,
  };
}

/** Each planned item's next send time, by id. */
export function sendTimes(plan: PacingPlan): Map<string, number> {
  return new Map(plan.planned.map((p) => [p.id, p.at]));
}

export interface ReplanEvent {
  now: number;
  /** The channel's ledger as it stands now (what actually went out, and reservations). */
  ledger: readonly LedgerEntry[];
  /** Items sent, cancelled or stopped since the last plan: they leave the plan. */
  done?: Iterable<string>;
  /** The provider refuses sends until this instant. */
  heldUntil?: number;
  /**
   * The provider reported a window full at `at` without saying until when.
   * Sends we cannot see (other clients on the same mailbox) may have filled it
   * as late as `at`, so the only safe assumption is that it frees one window
   * length later.
   */
  fullWindow?: { window: 'perMinute' | 'perDay'; at: number };
}

/** Reschedule the items still to send after the channel turned out full or was held. */
export function replan(input: PacingInput, event: ReplanEvent): PacingPlan {
  if (!isInstant(event.now)) throw new PacingInputError('now', 'must be a finite instant (epoch ms)');
  const done = new Set(event.done ?? []);
  const holds: number[] = [];
  if (input.heldUntil != null) holds.push(input.heldUntil);
  if (event.heldUntil !== undefined) {
    if (!isInstant(event.heldUntil)) throw new PacingInputError('heldUntil', 'must be a finite instant');
    holds.push(event.heldUntil);
  }
  if (event.fullWindow) {
    const { window, at } = event.fullWindow;
    if (!isInstant(at)) throw new PacingInputError('fullWindow.at', 'must be a finite instant');
    if (window !== 'perMinute' && window !== 'perDay') throw new PacingInputError('fullWindow.window', 'must be perMinute or perDay');
    holds.push(at + (window === 'perMinute' ? MINUTE_MS : DAY_MS));
  }
  const heldUntil = holds.length > 0 ? Math.max(...holds) : null;
  return planSends({
    ...input,
    now: event.now,
    ledger: event.ledger,
    items: input.items.filter((it) => !done.has(it.id)),
    heldUntil: heldUntil !== null && heldUntil > event.now ? heldUntil : null,
  });
}
