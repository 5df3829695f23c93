import { describe, expect, it } from 'vitest';
import { Allowlist, addressVerdict, checkEgress, type Lookup } from './egress';

const none = new Allowlist([]);
const dns = (table: Record<string, string[]>): Lookup => async (host) => {
  const list = table[host];
  if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('egress control', () => {
  it('never reaches link-local or cloud metadata, even when allowlisted', () => {
    const all = new Allowlist(['0.0.0.0/0', '::/0', 'metadata.internal']);
    expect(addressVerdict('169.254.169.254', 'x', all)).toMatch(/metadata/);
    expect(addressVerdict('fd00:ec2::254', 'x', all)).toMatch(/metadata/);
    expect(addressVerdict('fe80::1', 'x', all)).toMatch(/link-local/);
    expect(addressVerdict('::ffff:169.254.169.254', 'x', all)).toMatch(/link-local/);
    expect(addressVerdict('0.0.0.0', 'x', all)).not.toBeNull();
  });

  it('refuses private and loopback addresses unless allowlisted by address, CIDR or host name', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '::1', 'fd12::1', '::ffff:10.0.0.1', '100.64.0.1']) {
      expect(addressVerdict(a, 'smtp.corp', none), a).toMatch(/RELAY_SMTP_ALLOWLIST/);
    }
    expect(addressVerdict('127.0.0.1', 'x', new Allowlist(['127.0.0.1']))).toBeNull();
    expect(addressVerdict('10.9.8.7', 'x', new Allowlist(['10.0.0.0/8']))).toBeNull();
    expect(addressVerdict('10.9.8.7', 'smtp.corp', new Allowlist(['smtp.corp']))).toBeNull();
    expect(addressVerdict('10.9.8.7', 'x', new Allowlist(['10.0.0.0/16']))).not.toBeNull();
    expect(addressVerdict('203.0.113.5', 'x', none)).toBeNull();
  });

  it('rejects a malformed allowlist at start', () => {
    expect(() => new Allowlist(['10.0.0.0/99'])).toThrow(/CIDR/);
    expect(() => new Allowlist(['http://x'])).toThrow(/not a host/);
  });

  it('checks the resolved addresses and connects to a checked one', async () => {
    const lookup = dns({ 'smtp.example.com': ['203.0.113.9'], 'evil.test': ['169.254.169.254'], 'mixed.test': ['10.0.0.1', '198.51.100.7'] });
    expect(await checkEgress('smtp.example.com', none, lookup)).toEqual({ ok: true, address: '203.0.113.9', host: 'smtp.example.com' });
    expect(await checkEgress('evil.test', none, lookup)).toMatchObject({ ok: false, code: 'egress_denied', message: expect.stringMatching(/169\.254\.169\.254/) });
    expect(await checkEgress('mixed.test', none, lookup)).toMatchObject({ ok: true, address: '198.51.100.7' });
    expect(await checkEgress('nowhere.test', none, lookup)).toMatchObject({ ok: false, code: 'host_not_found' });
    expect(await checkEgress('[::1]', none, lookup)).toMatchObject({ ok: false, code: 'egress_denied' });
    expect(await checkEgress('127.0.0.1', new Allowlist(['127.0.0.1']), lookup)).toMatchObject({ ok: true, address: '127.0.0.1' });
  });
});
