import { describe, expect, it } from 'vitest';
import type { ChannelView } from '../../../shared/messages/channels';
import { bannersFor, levelOf, pastParts, percentOf, whenParts, windowsOf } from './limits-view';

const NOW = Date.parse('2026-03-03T10:00:00Z');

function channel(over: Partial<ChannelView['limits']> = {}, rest: Partial<ChannelView> = {}): ChannelView {
  return {
    id: 'relay:ch_1',
    kind: 'office365',
    name: 'Office 365 (rep@example.com)',
    scope: 'personal',
    status: 'ready',
    limits: {
      perMinute: { limit: 30, used: 0 },
      perDay: { limit: 10_000, used: 0, unit: 'recipients' },
      perMessage: 500,
      nextSlotAt: new Date(NOW).toISOString(),
      queued: 0,
      sent: 0,
      failed: 0,
      ...over,
    },
    ...rest,
  };
}

describe('limit levels', () => {
  it('is ok below 80 %, near from 80 %, full at the limit', () => {
    expect(levelOf(23, 30)).toBe('ok');
    expect(levelOf(24, 30)).toBe('near');
    expect(levelOf(29, 30)).toBe('near');
    expect(levelOf(30, 30)).toBe('full');
    expect(levelOf(31, 30)).toBe('full');
    expect(levelOf(1_000_000, null)).toBe('ok');
  });

  it('rounds percentages down and caps them at 100', () => {
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(8_000, 10_000)).toBe(80);
    expect(percentOf(12, 10)).toBe(100);
    expect(percentOf(5, null)).toBeNull();
  });

  it('describes both windows with the provider\'s daily unit', () => {
    const [minute, day] = windowsOf(channel({ perMinute: { limit: 30, used: 6 }, perDay: { limit: 10_000, used: 8_500, unit: 'recipients' } }));
    expect(minute).toEqual({ window: 'minute', used: 6, limit: 30, unit: 'messages', percent: 20, level: 'ok' });
    expect(day).toEqual({ window: 'day', used: 8_500, limit: 10_000, unit: 'recipients', percent: 85, level: 'near' });
  });
});

describe('banners', () => {
  it('says nothing while every window is below 80 %', () => {
    expect(bannersFor([channel({ perMinute: { limit: 30, used: 10 } })], NOW)).toEqual([]);
  });

  it('warns at 80 % of the day', () => {
    const [banner] = bannersFor([channel({ perDay: { limit: 500, used: 400, unit: 'messages' } })], NOW);
    expect(banner?.kind).toBe('nearDay');
  });

  it('says when sending resumes once the daily limit is reached', () => {
    const resumes = '2026-03-04T08:15:00.000Z';
    const [banner] = bannersFor([channel({ perDay: { limit: 500, used: 500, unit: 'messages' }, nextSlotAt: resumes })], NOW);
    expect(banner).toMatchObject({ kind: 'dayReached', resumesAt: resumes });
  });

  it('reports a full minute only while the next slot is still ahead', () => {
    const full = { perMinute: { limit: 30, used: 30 } };
    expect(bannersFor([channel({ ...full, nextSlotAt: new Date(NOW + 20_000).toISOString() })], NOW)[0]?.kind).toBe('minuteReached');
    // The window slid on since the last poll: not worth a red banner.
    expect(bannersFor([channel({ ...full, nextSlotAt: new Date(NOW - 1).toISOString() })], NOW)[0]?.kind).not.toBe('minuteReached');
  });

  it('puts the worst channel first and skips channels it cannot measure', () => {
    const near = channel({ perDay: { limit: 100, used: 90, unit: 'messages' } }, { id: 'relay:a', name: 'A' });
    const reached = channel({ perDay: { limit: 100, used: 100, unit: 'messages' } }, { id: 'relay:b', name: 'B' });
    const offline = channel({ perDay: { limit: 100, used: 100, unit: 'messages' } }, { id: 'relay:c', status: 'unreachable' });
    expect(bannersFor([near, reached, offline], NOW).map((b) => b.channel.id)).toEqual(['relay:b', 'relay:a']);
  });
});

describe('when sending resumes', () => {
  const tz = 'Europe/Amsterdam';
  it('is now for a time already past', () => {
    expect(whenParts(new Date(NOW - 5_000).toISOString(), NOW, 'en', tz).kind).toBe('now');
  });
  it('shows seconds within two minutes', () => {
    expect(whenParts(new Date(NOW + 42_000).toISOString(), NOW, 'en-GB', tz)).toEqual({ kind: 'today', text: '11:00:42' });
  });
  it('says tomorrow for the next calendar day in the rep\'s time zone', () => {
    expect(whenParts('2026-03-04T08:15:00Z', NOW, 'nl', tz)).toEqual({ kind: 'tomorrow', text: '09:15' });
  });
  it('gives a date further out', () => {
    const parts = whenParts('2026-03-06T08:15:00Z', NOW, 'en-GB', tz);
    expect(parts.kind).toBe('later');
    expect(parts.text).toContain('6 Mar');
  });
});

describe('when something happened', () => {
  const tz = 'Europe/Amsterdam';
  it('gives the time today, says yesterday, and a date before that', () => {
    expect(pastParts('2026-03-03T08:05:00Z', NOW, 'nl', tz)).toEqual({ kind: 'today', text: '09:05' });
    expect(pastParts('2026-03-02T16:30:00Z', NOW, 'nl', tz)).toEqual({ kind: 'yesterday', text: '17:30' });
    expect(pastParts('2026-02-27T16:30:00Z', NOW, 'en-GB', tz).kind).toBe('earlier');
  });
});
