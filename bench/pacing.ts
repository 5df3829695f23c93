/**
 * Pacing accuracy (issue 10, item 3): the shared planner over N contacts on an
 * Office 365 channel (30 per sliding minute, 10,000 recipients per rolling
 * 24 h), dispatched on a simulated clock to a simulated provider that keeps its
 * own count of both windows. Reports window violations (must be 0), finish
 * time ÷ theoretical minimum (target ≤ 1.01) and the planner's own run time,
 * each as the median (violations: the total) over repeated runs.
 *
 *   npx tsx bench/pacing.ts [--contacts 2000] [--runs 7] [--recipients 1]
 */
import { DAY_MS, MINUTE_MS, PRESET_LIMITS, type LimitSpec } from '../shared/limits';
import { planSends, type PacingItem } from '../shared/pacing';
import { median } from './stats';

export interface PacingFigures {
  contacts: number;
  runs: number;
  recipientsPerMessage: number;
  pacingViolations: number;
  pacingMakespanRatio: number;
  /** Median over the timed runs, after one untimed warm-up run (JIT). */
  plannerMsMedian: number;
  /** The very first call in the process, cold: what a freshly woken service worker pays. */
  plannerMsFirstCall: number;
  makespanMinutes: number;
  theoreticalMinMinutes: number;
  /** Each timed run's values, in run order (the warm-up run is checked for violations but not listed). */
  runValues: { violations: number[]; makespanRatio: number[]; plannerMs: number[] };
}

/**
 * The provider's side, written independently of the planner: a queue of sends
 * per window, dropped as they age out. It accepts every send (Office 365
 * delays rather than refuses over the minute rate) and counts each one that
 * lands in an over-full window.
 */
class SimulatedProvider {
  private readonly minute: number[] = [];
  private readonly day: { at: number; weight: number }[] = [];
  private minuteHead = 0;
  private dayHead = 0;
  private dayLoad = 0;
  violations = 0;
  accepted = 0;
  lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly spec: LimitSpec) {}

  send(at: number, recipients: number) {
    if (at < this.lastAt) throw new Error('the simulated clock never runs backwards');
    this.lastAt = at;
    while (this.minuteHead < this.minute.length && at - this.minute[this.minuteHead]! >= MINUTE_MS) this.minuteHead++;
    while (this.dayHead < this.day.length && at - this.day[this.dayHead]!.at >= DAY_MS) this.dayLoad -= this.day[this.dayHead++]!.weight;
    const weight = this.spec.perDayUnit === 'recipients' ? recipients : 1;
    this.minute.push(at);
    this.day.push({ at, weight });
    this.dayLoad += weight;
    const overMinute = this.spec.perMinute !== null && this.minute.length - this.minuteHead > this.spec.perMinute;
    const overDay = this.spec.perDay !== null && this.dayLoad > this.spec.perDay;
    if (overMinute || overDay) this.violations++;
    this.accepted++;
  }
}

/**
 * Shortest possible time from the first to the last of n sends of r
 * recipients each. Sorted send times t[0..n-1] obey, for any valid schedule:
 * - t[i + perMinute] >= t[i] + 1 min (else that sliding minute holds perMinute + 1), so t[m] >= floor(m / perMinute) min;
 * - t[i + K] >= t[i] + 24 h, K = sends that fit in 24 h (perDay / r recipients, or perDay messages).
 * Hence t[n−1] >= max over j of (floor((n − 1 − jK) / perMinute) min + j · 24 h). For 2,000 single-recipient
 * sends on Office 365 (K = 10,000, j = 0) that is floor(1999 / 30) = 66 min = (ceil(2000 / 30) − 1) min.
 */
export function theoreticalMinimumMs(n: number, recipients: number, spec: LimitSpec): number {
  if (n <= 0) return 0;
  const perDayMessages =
    spec.perDay === null ? Number.POSITIVE_INFINITY : spec.perDayUnit === 'recipients' ? Math.floor(spec.perDay / recipients) : spec.perDay;
  if (perDayMessages < 1) return Number.POSITIVE_INFINITY; // a message bigger than a whole day never fits
  const minuteBound = (m: number) => (spec.perMinute === null ? 0 : Math.floor(m / spec.perMinute) * MINUTE_MS);
  if (perDayMessages === Number.POSITIVE_INFINITY) return minuteBound(n - 1);
  let best = 0;
  for (let j = 0; j * perDayMessages <= n - 1; j++) best = Math.max(best, minuteBound(n - 1 - j * perDayMessages) + j * DAY_MS);
  return best;
}

export function measurePacing({ contacts = 2000, runs = 7, recipients = 1 } = {}): PacingFigures {
  const spec: LimitSpec = PRESET_LIMITS.office365;
  const minimum = theoreticalMinimumMs(contacts, recipients, spec);
  const plannerMs: number[] = [];
  const ratios: number[] = [];
  const makespans: number[] = [];
  const runViolations: number[] = [];
  let violations = 0;
  let firstCall = Number.NaN;
  // Run 0 is the warm-up: checked like the others, timed separately.
  for (let run = 0; run <= runs; run++) {
    // A different start instant each run (odd milliseconds included).
    const start = Date.UTC(2026, 2, 2, 8, 0, 0) + run * 7_919;
    const items: PacingItem[] = Array.from({ length: contacts }, (_, i) => ({ id: `contact-${i}`, recipients, notBefore: start }));
    const t0 = performance.now();
    const plan = planSends({ limits: spec, ledger: [], items, now: start });
    if (run === 0) firstCall = performance.now() - t0;
    else plannerMs.push(performance.now() - t0);
    if (plan.unplannable.length > 0) throw new Error(`planner left ${plan.unplannable.length} contacts unplanned`);

    // Dispatch on a simulated clock: advance to each planned instant and hand the send over.
    const provider = new SimulatedProvider(spec);
    let clock = start;
    for (const send of plan.planned) {
      clock = Math.max(clock, send.at);
      provider.send(clock, send.recipients);
    }
    if (provider.accepted !== contacts) throw new Error('not every contact was sent');
    violations += provider.violations;
    const makespan = provider.lastAt - start;
    if (run === 0) continue;
    makespans.push(makespan);
    runViolations.push(provider.violations);
    ratios.push(minimum === 0 ? (makespan === 0 ? 1 : Number.POSITIVE_INFINITY) : makespan / minimum);
  }
  return {
    contacts,
    runs,
    recipientsPerMessage: recipients,
    pacingViolations: violations,
    pacingMakespanRatio: median(ratios),
    plannerMsMedian: Math.round(median(plannerMs) * 100) / 100,
    plannerMsFirstCall: Math.round(firstCall * 100) / 100,
    makespanMinutes: median(makespans) / MINUTE_MS,
    theoreticalMinMinutes: minimum / MINUTE_MS,
    runValues: { violations: runViolations, makespanRatio: ratios, plannerMs },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i === -1 ? fallback : Number(process.argv[i + 1]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number >= 1`);
    return v;
  };
  const figures = measurePacing({ contacts: arg('contacts', 2000), runs: arg('runs', 7), recipients: arg('recipients', 1) });
  console.log(JSON.stringify(figures, null, 2));
  if (figures.pacingViolations !== 0 || figures.pacingMakespanRatio > 1.01) process.exitCode = 1;
}
