import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManagedPolicy, parseManagedPolicy } from './policy';

const jsonSchema = JSON.parse(fs.readFileSync('extension/public/managed_schema.json', 'utf8'));

describe('managed policy', () => {
  it('the browser schema and the zod schema name the same settings', () => {
    expect(Object.keys(jsonSchema.properties).sort()).toEqual(Object.keys(ManagedPolicy.shape).sort());
  });

  it('keeps valid fields and names the rejected ones', () => {
    const { policy, rejected } = parseManagedPolicy({
      relayUrl: 'https://relay.example.com',
      lockSettings: 'yes',
      allowedChannels: ['gmail', 'carrier-pigeon'],
      extra: 1,
    });
    expect(policy).toEqual({ relayUrl: 'https://relay.example.com' });
    expect(rejected.sort()).toEqual(['allowedChannels', 'extra', 'lockSettings']);
  });

  it('refuses a relay URL that is not http(s)', () => {
    expect(parseManagedPolicy({ relayUrl: 'javascript:alert(1)' }).policy).toEqual({});
  });

  it('treats anything but an object as no policy', () => {
    expect(parseManagedPolicy(null)).toEqual({ policy: {}, rejected: [] });
    expect(parseManagedPolicy('x')).toEqual({ policy: {}, rejected: [] });
  });
});
