import type { ChannelView } from '../../../shared/messages/channels';

/** At this share of a window the popup starts warning. */
export const NEAR_SHARE = 0.8;

export type Level = 'ok' | 'near' | 'full';

export interface WindowView {
  window: 'minute' | 'day';
  used: number;
  limit: number | null;
  unit: 'messages' | 'recipients';
  /** 0..100, rounded down; null when the window has no limit. */
  percent: number | null;
  level: Level;
}

export function levelOf(used: number, limit: number | null): Level {
  if (limit === null || limit <= 0) return 'ok';
  if (used >= limit) return 'full';
  if (used >= limit * NEAR_SHARE) return 'near';
  return 'ok';
}

export function percentOf(used: number, limit: number | null): number | null {
  if (limit === null || limit <= 0) return null;
  return Math.min(100, Math.floor((used / limit) * 100));
}

export function windowsOf(channel: ChannelView): WindowView[] {
  const { perMinute, perDay } = channel.limits;
  return [
    {
      window: 'minute',
      used: perMinute.used,
      limit: perMinute.limit,
      unit: 'messages',
      percent: percentOf(perMinute.used, perMinute.limit),
      level: levelOf(perMinute.used, perMinute.limit),
    },
    {
      window: 'day',
      used: perDay.used,
      limit: perDay.limit,
      unit: perDay.unit,
      percent: percentOf(perDay.used, perDay.limit),
      level: levelOf(perDay.used, perDay.limit),
    },
  ];
}

export type Banner =
  | { kind: 'dayReached' | 'minuteReached'; channel: ChannelView; resumesAt: string }
  | { kind: 'nearDay'; channel: ChannelView; window: WindowView }
  | { kind: 'nearMinute'; channel: ChannelView; window: WindowView };

const SEVERITY: Record<Banner['kind'], number> = { dayReached: 0, minuteReached: 1, nearDay: 2, nearMinute: 3 };

/**
 * What the popup warns about: a reached limit (with when sending resumes, the
 * channel's next free slot) or a window at 80 % or more. One banner per
 * channel, the most severe, and the worst channels first.
 */
export function bannersFor(channels: readonly ChannelView[], now: number): Banner[] {
  const banners: Banner[] = [];
  for (const channel of channels) {
    if (channel.status === 'signed_out' || channel.status === 'unreachable') continue;
    const [minute, day] = windowsOf(channel) as [WindowView, WindowView];
    const resumesAt = channel.limits.nextSlotAt;
    const waiting = Date.parse(resumesAt) > now;
    if (day.level === 'full') banners.push({ kind: 'dayReached', channel, resumesAt });
    else if (minute.level === 'full' && waiting) banners.push({ kind: 'minuteReached', channel, resumesAt });
    else if (day.level === 'near') banners.push({ kind: 'nearDay', channel, window: day });
    else if (minute.level === 'near') banners.push({ kind: 'nearMinute', channel, window: minute });
  }
  return banners.sort((a, b) => SEVERITY[a.kind] - SEVERITY[b.kind]);
}

export interface WhenParts {
  kind: 'now' | 'today' | 'tomorrow' | 'later';
  /** Formatted time (today/tomorrow) or date and time (later). */
  text: string;
}

/**
 * When something happens, in the rep's words: now, at 14:32, tomorrow at
 * 09:10, or a date. Seconds are shown when it is within two minutes, since
 * that is when a per-minute limit frees up.
 */
export function whenParts(iso: string, now: number, locale: string, timeZone?: string): WhenParts {
  const at = Date.parse(iso);
  if (!Number.isFinite(at) || at <= now + 500) return { kind: 'now', text: '' };
  const soon = at - now < 2 * 60_000;
  const time = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    ...(soon ? { second: '2-digit' } : {}),
    timeZone,
  }).format(at);
  const day = (t: number) => new Intl.DateTimeFormat('en-CA', { dateStyle: 'short', timeZone }).format(t);
  if (day(at) === day(now)) return { kind: 'today', text: time };
  if (day(at) === day(now + 24 * 60 * 60_000)) return { kind: 'tomorrow', text: time };
  const date = new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(at);
  return { kind: 'later', text: date };
}

/** A past moment: today (time only), yesterday, or earlier (date and time). */
export function pastParts(iso: string, now: number, locale: string, timeZone?: string): { kind: 'today' | 'yesterday' | 'earlier'; text: string } {
  const at = Date.parse(iso);
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(at);
  const day = (t: number) => new Intl.DateTimeFormat('en-CA', { dateStyle: 'short', timeZone }).format(t);
  if (day(at) === day(now)) return { kind: 'today', text: time };
  if (day(at) === day(now - 24 * 60 * 60_000)) return { kind: 'yesterday', text: time };
  const date = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone }).format(at);
  return { kind: 'earlier', text: date };
}
