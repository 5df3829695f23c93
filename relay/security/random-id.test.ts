import { describe, expect, it } from 'vitest';
import { randomId, timeOrderedId } from './random-id';

describe('randomId', () => {
  it('gives base64url ids of the asked size, never the same twice, across many pool refills', () => {
    const seen = new Set<string>();
    // 12-byte ids: 4096 / 12 leaves 4 bytes at the end of each pool, so refills cross odd boundaries too.
    for (let i = 0; i < 5000; i++) {
      const id = randomId(12);
      expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
  });

  it('uses the bytes: over many ids every base64url character turns up at every position', () => {
    const perPosition = Array.from({ length: 16 }, () => new Set<string>());
    for (let i = 0; i < 4000; i++) [...randomId(12)].forEach((ch, p) => perPosition[p]!.add(ch));
    for (const chars of perPosition) expect(chars.size).toBe(64);
  });

  it('refuses sizes it cannot serve', () => {
    expect(() => randomId(0)).toThrow(RangeError);
    expect(() => randomId(5000)).toThrow(RangeError);
  });
});

describe('timeOrderedId', () => {
  it('sorts by time as plain strings, across digit and letter boundaries, with 12 random bytes after the time', () => {
    const times = [0, 9, 10, 31, 32, 1_000, 1_764_000_000_000, 1_764_000_000_001, 4_102_444_800_000];
    const ids = times.map((t) => timeOrderedId('msg', t));
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-v]{10}[A-Za-z0-9_-]{16}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]!.slice(4, 14)).toBe('0000000000');
    expect(parseInt(ids[6]!.slice(4, 14), 32)).toBe(1_764_000_000_000);
  });

  it('differs within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => timeOrderedId('msg', 1_764_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
