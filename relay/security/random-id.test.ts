import { describe, expect, it } from 'vitest';
import { randomId } from './random-id';

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
