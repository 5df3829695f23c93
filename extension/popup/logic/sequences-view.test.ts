import { describe, expect, it } from 'vitest';
import { defaultSequence, parseContacts, parseHolidays, percent, timeZones } from './sequences-view';

describe('sequence editor logic', () => {
  it('reads pasted contacts in the usual shapes and returns what it could not read', () => {
    const r = parseContacts('Jane Doe <Jane@Acme.com>\n"Bob, Jr." <bob@globex.test>\ncarol@initech.test, Carol Ng\n\nnot an address\nx@y');
    expect(r.contacts).toEqual([
      { address: 'jane@acme.com', name: 'Jane Doe' },
      { address: 'bob@globex.test', name: 'Bob, Jr.' },
      { address: 'carol@initech.test', name: 'Carol Ng' },
    ]);
    expect(r.invalid).toEqual(['not an address', 'x@y']);
  });

  it('reads holidays, refusing dates that do not exist', () => {
    expect(parseHolidays('2030-12-25\n2030-12-26, 2030-02-30 xmas 2030-12-25')).toEqual({ dates: ['2030-12-25', '2030-12-26'], invalid: ['2030-02-30', 'xmas'] });
  });

  it('starts a new sequence with the first two templates, weekdays 09:00–17:00', () => {
    const s = defaultSequence(['t1', 't2', 't3'], 'relay:ch', 'Europe/Amsterdam');
    expect(s.steps.map((x) => [x.templateId, x.delayDays, x.sameThread])).toEqual([
      ['t1', 0, false],
      ['t2', 3, true],
    ]);
    expect(s.window).toMatchObject({ timeZone: 'Europe/Amsterdam', start: '09:00', end: '17:00', businessDaysOnly: true });
  });

  it('lists time zones with the rep’s own first', () => {
    const zones = timeZones('Europe/Amsterdam');
    expect(zones[0]).toBe('Europe/Amsterdam');
    expect(zones).toContain('America/New_York');
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('rounds progress and never divides by zero', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(0);
    expect(percent(5, 4)).toBe(100);
  });
});
