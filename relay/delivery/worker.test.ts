import { describe, expect, it } from 'vitest';
import { claimRoom } from './worker';

describe('claimRoom (a SQLite relay claims a connection’s worth at a time, three per connection)', () => {
  it('claims up to three per connection when nothing is in flight', () => {
    expect(claimRoom(1, 0)).toBe(3);
    expect(claimRoom(5, 0)).toBe(15);
  });

  it('waits until at least a connection’s worth is free, then fills up', () => {
    // Five connections, fifteen places: with eleven in flight only four are free, fewer than five.
    expect(claimRoom(5, 11)).toBe(0);
    expect(claimRoom(5, 10)).toBe(5);
    expect(claimRoom(5, 3)).toBe(12);
    // One connection: every free place is a connection's worth.
    expect(claimRoom(1, 2)).toBe(1);
    expect(claimRoom(1, 3)).toBe(0);
  });

  it('claims nothing beyond its places (a slowed-down channel may have more in flight than it now allows)', () => {
    expect(claimRoom(2, 9)).toBe(0);
  });
});
