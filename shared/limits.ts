import { z } from 'zod';

/**
 * The limit model both sides share: the relay enforces it, the extension shows
 * it (and enforces it itself for the Gmail channel). Windows are sliding:
 * a send at time `a` counts in the window at time `t` while t - a < window.
 * That is what providers mean by "30 per minute" — nodemailer's fixed-window
 * rateLimit lets nearly twice that land inside one sliding minute.
 */
export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

export const LimitSpec = z
  .object({
    /** Messages per sliding minute; null for none. */
    perMinute: z.number().int().positive().nullable(),
    /** Per rolling 24 hours, counted in `perDayUnit`; null for none. */
    perDay: z.number().int().positive().nullable(),
    perDayUnit: z.enum(['messages', 'recipients']),
    /** Recipients (to + cc + bcc) per message; null for none. */
    perMessage: z.number().int().positive().nullable(),
    /** Concurrent SMTP connections; null for the relay's default. */
    concurrency: z.number().int().positive().nullable(),
  })
  .strict();
export type LimitSpec = z.infer<typeof LimitSpec>;

export const LimitOverrideInput = LimitSpec.pick({ perMinute: true, perDay: true, perMessage: true, concurrency: true })
  .partial()
  .strict();
export type LimitOverrideInput = z.infer<typeof LimitOverrideInput>;

export const NO_LIMITS: LimitSpec = { perMinute: null, perDay: null, perDayUnit: 'messages', perMessage: null, concurrency: null };

/** Provider defaults, from ../shared/notes/PROVIDERS.md. */
export const PRESET_LIMITS = {
  office365: { perMinute: 30, perDay: 10_000, perDayUnit: 'recipients', perMessage: 500, concurrency: 3 },
  gmailConsumer: { perMinute: 150, perDay: 500, perDayUnit: 'messages', perMessage: 100, concurrency: 1 },
  gmailWorkspace: { perMinute: 150, perDay: 2_000, perDayUnit: 'messages', perMessage: 100, concurrency: 1 },
  sparkpost: { ...NO_LIMITS, concurrency: 5 },
  sendgrid: { ...NO_LIMITS, concurrency: 5 },
  smtp: { ...NO_LIMITS, concurrency: 2 },
} as const satisfies Record<string, LimitSpec>;

export function withOverrides(spec: LimitSpec, override: LimitOverrideInput | undefined): LimitSpec {
  return { ...spec, ...Object.fromEntries(Object.entries(override ?? {}).filter(([, v]) => v !== undefined)) };
}

/** One send already made (or reserved) on a channel. */
export interface LedgerEntry {
  at: number;
  recipients: number;
}

export const WindowUsage = z.object({ limit: z.number().nullable(), used: z.number() });
export type WindowUsage = z.infer<typeof WindowUsage>;

export interface Usage {
  perMinute: WindowUsage;
  perDay: WindowUsage & { unit: LimitSpec['perDayUnit'] };
}

const weight = (e: LedgerEntry, spec: LimitSpec) => (spec.perDayUnit === 'recipients' ? e.recipients : 1);

export function usage(entries: readonly LedgerEntry[], now: number, spec: LimitSpec): Usage {
  let minute = 0;
  let day = 0;
  for (const e of entries) {
    if (e.at > now) continue;
    if (now - e.at < MINUTE_MS) minute++;
    if (now - e.at < DAY_MS) day += weight(e, spec);
  }
  return {
    perMinute: { limit: spec.perMinute, used: minute },
    perDay: { limit: spec.perDay, used: day, unit: spec.perDayUnit },
  };
}

export type FitError = { code: 'too_many_recipients'; limit: number; recipients: number };

/** A message that can never fit, whatever the wait. */
export function checkMessageFits(spec: LimitSpec, recipients: number): FitError | null {
  const perMessage = spec.perMessage;
  if (perMessage !== null && recipients > perMessage) return { code: 'too_many_recipients', limit: perMessage, recipients };
  if (spec.perDayUnit === 'recipients' && spec.perDay !== null && recipients > spec.perDay) {
    return { code: 'too_many_recipients', limit: spec.perDay, recipients };
  }
  return null;
}

/**
 * Earliest time >= now at which a message with `recipients` recipients fits
 * every window, given the sends in `entries` (any order). Returns
 * Number.POSITIVE_INFINITY when it can never fit (see checkMessageFits).
 */
export function nextSlot(entries: readonly LedgerEntry[], now: number, spec: LimitSpec, recipients: number): number {
  if (checkMessageFits(spec, recipients)) return Number.POSITIVE_INFINITY;
  const recent = entries.filter((e) => now - e.at < DAY_MS).sort((a, b) => a.at - b.at);
  let t = now;
  // Windows only free up as time moves on, so iterate to a fixed point.
  for (let guard = 0; guard < 10_000; guard++) {
    let next = t;
    if (spec.perMinute !== null) {
      const inMinute = recent.filter((e) => e.at <= t && t - e.at < MINUTE_MS);
      if (inMinute.length >= spec.perMinute) next = Math.max(next, inMinute[inMinute.length - spec.perMinute]!.at + MINUTE_MS);
    }
    if (spec.perDay !== null) {
      const inDay = recent.filter((e) => e.at <= t && t - e.at < DAY_MS);
      const need = spec.perDayUnit === 'recipients' ? recipients : 1;
      let used = inDay.reduce((s, e) => s + weight(e, spec), 0);
      let i = 0;
      while (used + need > spec.perDay && i < inDay.length) {
        used -= weight(inDay[i]!, spec);
        next = Math.max(next, inDay[i]!.at + DAY_MS);
        i++;
      }
    }
    if (next === t) return t;
    t = next;
  }
  return t;
}
