import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('spells the same value the same way whatever the key order', () => {
    const a = { to: ['a@x.test', 'b@x.test'], from: { name: 'Rep', address: 'rep@x.test' }, subject: 'Hi' };
    const b = { subject: 'Hi', from: { address: 'rep@x.test', name: 'Rep' }, to: ['a@x.test', 'b@x.test'] };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    // Array order is data, not spelling.
    expect(canonicalJson({ ...a, to: ['b@x.test', 'a@x.test'] })).not.toBe(canonicalJson(a));
  });

  it('keeps the spelling stored hashes were made with (sorted keys, JSON escapes, no spaces)', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }, true], e: 'é\n"q"' })).toBe('{"a":[{"c":null,"d":"x"},true],"b":1,"e":"é\\n\\"q\\""}');
  });

  it('is JSON of the same value, leaving out undefined properties as JSON.stringify does', () => {
    const samples: unknown[] = [
      { channelId: 'ch_1', text: 'line 1\r\nline 2\u2028\u0000', html: undefined, to: ['a@x.test'], attachments: [{ filename: 'ñ.pdf', contentBase64: 'AAAA' }] },
      { nested: { deeper: { list: [1, 2.5, -0, 1e21, null, 'x'] } }, empty: {}, none: [] },
      [undefined, { k: undefined }],
      'plain',
      42,
      null,
    ];
    for (const s of samples) expect(JSON.parse(canonicalJson(s))).toEqual(JSON.parse(JSON.stringify(s)));
  });
});
