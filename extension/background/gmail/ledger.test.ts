import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DAY_MS, MINUTE_MS, PRESET_LIMITS } from '../../../shared/limits';
import { Ledger } from './ledger';

const spec = { ...PRESET_LIMITS.gmailConsumer, perMinute: 3, perDay: 5 };
const T0 = Date.UTC(2026, 0, 5, 9);

describe('Gmail limit ledger', () => {
  beforeEach(() => fakeBrowser.reset());

  it('counts sends per account in the sliding minute and rolling day', async () => {
    const ledger = new Ledger();
    await ledger.record('a@x.com', { id: '1', at: T0, recipients: 2 });
    await ledger.record('a@x.com', { id: '2', at: T0 + 10_000, recipients: 1 });
    await ledger.record('b@x.com', { id: '3', at: T0, recipients: 1 });
    expect(await ledger.usage('a@x.com', T0 + 20_000, spec)).toEqual({
      perMinute: { limit: 3, used: 2 },
      perDay: { limit: 5, used: 2, unit: 'messages' },
    });
    expect((await ledger.usage('a@x.com', T0 + MINUTE_MS + 10_001, spec)).perMinute.used).toBe(0);
    expect((await ledger.usage('a@x.com', T0 + DAY_MS, spec)).perDay.used).toBe(1);
  });

  it('gives the next free slot when a window is full', async () => {
    const ledger = new Ledger();
    for (let i = 0; i < 3; i++) await ledger.record('a@x.com', { id: `m${i}`, at: T0 + i * 1000, recipients: 1 });
    expect(await ledger.nextSlot('a@x.com', T0 + 5000, spec, 1)).toBe(T0 + MINUTE_MS);
    for (let i = 3; i < 5; i++) await ledger.record('a@x.com', { id: `m${i}`, at: T0 + MINUTE_MS + i * 1000, recipients: 1 });
    expect(await ledger.nextSlot('a@x.com', T0 + 2 * MINUTE_MS, spec, 1)).toBe(T0 + DAY_MS);
  });

  it('takes back a reservation Gmail refused, and survives a restart (storage)', async () => {
    await new Ledger().record('a@x.com', { id: 'keep', at: T0, recipients: 1 });
    await new Ledger().record('a@x.com', { id: 'drop', at: T0, recipients: 1 });
    await new Ledger().release('a@x.com', 'drop');
    expect((await new Ledger().entries('a@x.com', T0)).map((e) => e.id)).toEqual(['keep']);
  });

  it('forgets entries older than a day when it writes', async () => {
    const ledger = new Ledger();
    await ledger.record('a@x.com', { id: 'old', at: T0, recipients: 1 });
    await ledger.record('a@x.com', { id: 'new', at: T0 + DAY_MS + 1, recipients: 1 });
    const stored = (await fakeBrowser.storage.local.get('gmail.ledger'))['gmail.ledger'] as Record<string, unknown[]>;
    expect(stored['a@x.com']).toHaveLength(1);
  });

  it('does not lose entries recorded concurrently', async () => {
    const ledger = new Ledger();
    await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.record('a@x.com', { id: `c${i}`, at: T0 + i, recipients: 1 })));
    expect(await ledger.entries('a@x.com', T0 + 100)).toHaveLength(20);
  });
});
