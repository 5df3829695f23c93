import { DAY_MS, MINUTE_MS, type LedgerEntry, type LimitSpec } from '../../../shared/limits';
import type { ChannelView } from '../../../shared/messages/channels';
import type { Sequence } from '../../../shared/messages/sequences';
import { planSends, type PacingItem } from '../../../shared/pacing';
import { addDelay, isTimeZone, type SendWindowSpec } from '../../../shared/send-window';

/** The relay schedules at most a year ahead; plans stay a little inside that. */
export const PLAN_HORIZON_MS = 360 * DAY_MS;

/** One contact to plan: from `firstStep` on, the first of them `delayDays` after `base`. */
export interface PlanContact {
  address: string;
  /** Recipients per email: the contact plus their Cc's (what a per-recipient daily limit counts). */
  recipients: number;
  timeZone?: string;
  firstStep: number;
  /** The instant the first planned step's delay counts from (enrolment, or the previous step's send). */
  base: number;
}

export interface PlanInput {
  sequence: Pick<Sequence, 'steps' | 'window'>;
  contacts: readonly PlanContact[];
  limits: LimitSpec;
  /** The channel's recent sends and everything already planned on it (reservations). */
  ledger: readonly LedgerEntry[];
  now: number;
}

export interface ContactPlan {
  /** Planned instant per step index (undefined before firstStep, or after a step that could not be planned). */
  times: (number | undefined)[];
  problem?: string;
}

export interface PlanResult {
  plans: Map<string, ContactPlan>;
  firstAt: number | null;
  finishAt: number | null;
  /** Most recipients in any rolling 24 hours, counting what was already on the channel. */
  peakPerDay: number;
}

/** The zone a contact's sends and delays use. */
export function zoneFor(window: Sequence['window'], contactZone: string | undefined): string {
  return window.contactTimeZone && isTimeZone(contactZone) ? contactZone : window.timeZone;
}

function problemText(code: string): string {
  switch (code) {
    case 'too_many_recipients':
      return 'more recipients than the channel allows per message or per day';
    case 'window_never_open':
      return 'the send window never opens (every day is excluded)';
    case 'beyond_horizon':
      return 'it would go out more than a year from now';
    default:
      return code;
  }
}

/**
 * Plans every remaining step of every contact with the shared pacing planner,
 * step by step: all first emails (in the contacts' send windows, around what
 * the channel already carries), then each follow-up `delayDays` after that
 * contact's previous email, around everything planned so far. So a large
 * enrolment never overfills a window, and each contact's times are known at
 * once (next send, finish).
 */
export function planSteps(input: PlanInput): PlanResult {
  const { sequence, now } = input;
  const { window } = sequence;
  const ledger: LedgerEntry[] = [...input.ledger];
  const plans = new Map<string, ContactPlan>();
  // One window object per zone: the planner compiles each distinct one once.
  const windows = new Map<string, SendWindowSpec>();
  const windowFor = (zone: string): SendWindowSpec => {
    let w = windows.get(zone);
    if (!w) {
      w = {
        timeZone: zone,
        start: window.start,
        end: window.end,
        businessDaysOnly: window.businessDaysOnly,
        ...(window.holidays.length ? { holidays: window.holidays } : {}),
      };
      windows.set(zone, w);
    }
    return w;
  };
  const byAddress = new Map(input.contacts.map((c) => [c.address, c]));
  for (const c of input.contacts) plans.set(c.address, { times: [] });

  for (let step = 0; step < sequence.steps.length; step++) {
    const { delayDays, businessDays } = sequence.steps[step]!;
    const items: PacingItem[] = [];
    for (const c of input.contacts) {
      if (c.firstStep > step) continue;
      const plan = plans.get(c.address)!;
      if (plan.problem) continue;
      const from = step === c.firstStep ? c.base : plan.times[step - 1];
      if (from === undefined) continue;
      const zone = zoneFor(window, c.timeZone);
      let notBefore: number;
      try {
        notBefore = addDelay(from, delayDays, { timeZone: zone, businessDaysOnly: businessDays, holidays: window.holidays });
      } catch (error) {
        plan.problem = error instanceof Error ? error.message : String(error);
        continue;
      }
      items.push({ id: c.address, recipients: c.recipients, notBefore: Math.max(notBefore, now), window: windowFor(zone) });
    }
    if (!items.length) continue;
    const result = planSends({ limits: input.limits, ledger, items, now, horizonMs: PLAN_HORIZON_MS });
    for (const p of result.planned) {
      plans.get(p.id)!.times[step] = p.at;
      ledger.push({ at: p.at, recipients: p.recipients });
    }
    for (const u of result.unplannable) {
      const plan = plans.get(u.id);
      if (plan && byAddress.has(u.id)) plan.problem = problemText(u.reason.code);
    }
  }

  let firstAt: number | null = null;
  let finishAt: number | null = null;
  for (const plan of plans.values()) {
    for (const t of plan.times) {
      if (t === undefined) continue;
      if (firstAt === null || t < firstAt) firstAt = t;
      if (finishAt === null || t > finishAt) finishAt = t;
    }
  }
  return { plans, firstAt, finishAt, peakPerDay: peakPerDay(ledger, now) };
}

/** Most recipients inside any rolling 24 hours among entries from a day ago on. */
export function peakPerDay(entries: readonly LedgerEntry[], now: number): number {
  const sorted = entries.filter((e) => e.at > now - DAY_MS).sort((a, b) => a.at - b.at);
  let peak = 0;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    sum += sorted[hi]!.recipients;
    while (sorted[hi]!.at - sorted[lo]!.at >= DAY_MS) sum -= sorted[lo++]!.recipients;
    peak = Math.max(peak, sum);
  }
  return peak;
}

/** The channel's limits as the planner reads them. */
export function limitSpecOf(channel: ChannelView): LimitSpec {
  return {
    perMinute: channel.limits.perMinute.limit,
    perDay: channel.limits.perDay.limit,
    perDayUnit: channel.limits.perDay.unit,
    perMessage: channel.limits.perMessage,
    concurrency: null,
  };
}

/**
 * What the channel already carries, as ledger entries: the relay (or Gmail's
 * ledger) reports only counts, so they are placed where they hold the most
 * room — this minute's sends now, the rest of the day's just outside the
 * minute. A plan around them can only be later than needed, never over a limit.
 */
export function usageLedger(channel: ChannelView, now: number): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  const { perMinute, perDay } = channel.limits;
  const minuteUsed = Math.max(0, Math.min(perMinute.used, perMinute.limit ?? perMinute.used));
  for (let i = 0; i < minuteUsed; i++) out.push({ at: now, recipients: 1 });
  const dayUsed = Math.max(0, perDay.used - (perDay.unit === 'messages' ? minuteUsed : 0));
  if (dayUsed > 0) {
    if (perDay.unit === 'recipients') out.push({ at: now - MINUTE_MS, recipients: Math.min(dayUsed, perDay.limit ?? dayUsed) });
    else for (let i = 0; i < Math.min(dayUsed, perDay.limit ?? dayUsed); i++) out.push({ at: now - MINUTE_MS, recipients: 1 });
  }
  return out;
}
