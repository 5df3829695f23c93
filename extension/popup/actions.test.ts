import { describe, expect, it } from 'vitest';
import { isInsecureRelayUrl, normalizeRelayUrl } from './actions';

describe('relay address', () => {
  it('adds https:// when the rep typed only a host', () => {
    expect(normalizeRelayUrl(' sendway.acme.com ')).toBe('https://sendway.acme.com');
  });
  it('keeps a port and a path prefix, without a trailing slash', () => {
    expect(normalizeRelayUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
    expect(normalizeRelayUrl('https://acme.com/sendway/')).toBe('https://acme.com/sendway');
  });
  it('refuses what is not a plain web address', () => {
    for (const bad of ['', 'ftp://acme.com', 'https://user:pw@acme.com', 'https://acme.com/?x=1', 'https://acme.com/#a', 'http://']) {
      expect(normalizeRelayUrl(bad), bad).toBeNull();
    }
  });
});

describe('plain http', () => {
  it('is only accepted for a relay on this computer', () => {
    expect(isInsecureRelayUrl('http://relay.example.com')).toBe(true);
    expect(isInsecureRelayUrl('http://127.0.0.1:8787')).toBe(false);
    expect(isInsecureRelayUrl('http://localhost:8787')).toBe(false);
    expect(isInsecureRelayUrl('https://relay.example.com')).toBe(false);
  });
});
