import { describe, expect, it } from 'vitest';
import type { ChannelView } from '../../shared/messages/channels';
import { assess } from './warnings';
import { planSend } from './plan';
import type { Recipient } from '../compose/driver';

function channel(over: Partial<ChannelView['limits']> = {}, status: ChannelView['status'] = 'ready'): ChannelView {
  return {
    id: 'relay:1',
    kind: 'office365',
    name: 'Office 365',
    scope: 'personal',
    status,
    limits: {
      perMinute: { limit: 30, used: 0 },
      perDay: { limit: 10_000, used: 100, unit: 'recipients' },
      perMessage: 500,
      nextSlotAt: '2030-01-02T09:00:00.000Z',
      queued: 0,
      sent: 0,
      failed: 0,
      ...over,
    },
  };
}
const people = (n: number): Recipient[] => Array.from({ length: n }, (_, i) => ({ kind: 'to', name: '', address: `p${i}@example.com` }));
const plain = (r: Recipient[]) => planSend({ recipients: r, subject: 's', body: { text: 't', html: '' } });

describe('assess', () => {
  it('lets a normal message go', () => {
    expect(assess(channel(), plain(people(2)), 2)).toEqual({ warnings: [], canSend: true, canSchedule: true, suggestSchedule: false });
  });

  it('refuses more recipients than one message may carry', () => {
    const r = people(3);
    const a = assess(channel({ perMessage: 2 }), plain(r), 3);
    expect(a.warnings).toEqual([{ code: 'too_many_recipients', channel: 'Office 365', recipients: 3, limit: 2 }]);
    expect(a.canSend).toBe(false);
  });

  it('offers Schedule when the daily limit is reached', () => {
    const a = assess(channel({ perDay: { limit: 500, used: 500, unit: 'messages' } }), plain(people(1)), 1);
    expect(a.warnings[0]).toMatchObject({ code: 'daily_limit_reached', limit: 500, resumesAt: '2030-01-02T09:00:00.000Z' });
    expect(a).toMatchObject({ canSend: false, canSchedule: true, suggestSchedule: true });
  });

  it('warns when what is left today is not enough', () => {
    const a = assess(channel({ perDay: { limit: 10_000, used: 9_999, unit: 'recipients' } }), plain(people(3)), 3);
    expect(a.warnings).toEqual([{ code: 'daily_short', left: 1, need: 3, unit: 'recipients' }]);
    expect(a.canSend).toBe(true);
  });

  it('needs a ready channel and at least one recipient', () => {
    expect(assess(null, plain([]), 0)).toMatchObject({ warnings: [{ code: 'no_channel' }], canSend: false, canSchedule: false });
    expect(assess(channel({}, 'needs_reconnect'), plain(people(1)), 1).canSend).toBe(false);
    expect(assess(channel(), plain([]), 0).canSend).toBe(false);
  });
});
