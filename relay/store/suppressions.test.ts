import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrations';
import type { DB } from '../schema';
import { suppressedAmong } from './suppressions';

async function db() {
  const k = new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await migrate(k, 'sqlite');
  await k
    .insertInto('suppressions')
    .values([
      { domain: 'example.com', address: 'jane@acme.test', source: 'one_click', created_at: 1_000 },
      { domain: 'example.com', address: 'bob@acme.test', source: 'admin', created_at: 2_000 },
      { domain: 'other.test', address: 'ann@acme.test', source: 'admin', created_at: 3_000 },
    ])
    .execute();
  return k;
}

describe('suppressedAmong', () => {
  // Short lists (every message accepted) are looked up one address at a time; long ones in one query.
  // Both must find the same: the sender's domain only, any letter case, each hit once.
  const short = ['Jane@ACME.test', 'ann@acme.test', 'nobody@acme.test', 'jane@acme.test'];
  const long = [...short, ...Array.from({ length: 20 }, (_, i) => `filler${i}@acme.test`), 'BOB@acme.test'];

  it('finds the suppressed recipients of a short list, once each, in the order given, for the domain asked', async () => {
    const k = await db();
    expect(await suppressedAmong(k, 'EXAMPLE.com', short)).toEqual([{ address: 'jane@acme.test', domain: 'example.com', source: 'one_click', createdAt: new Date(1_000).toISOString() }]);
    expect((await suppressedAmong(k, 'other.test', short)).map((s) => s.address)).toEqual(['ann@acme.test']);
    expect(await suppressedAmong(k, 'example.com', [])).toEqual([]);
    await k.destroy();
  });

  it('gives a long list the same answers as looking its addresses up one by one', async () => {
    const k = await db();
    const together = await suppressedAmong(k, 'example.com', long);
    const distinct = [...new Set(long.map((a) => a.toLowerCase()))];
    const oneByOne = (await Promise.all(distinct.map((a) => suppressedAmong(k, 'example.com', [a])))).flat();
    expect(together.map((s) => s.address).sort()).toEqual(['bob@acme.test', 'jane@acme.test']);
    expect([...together].sort((a, b) => a.address.localeCompare(b.address))).toEqual([...oneByOne].sort((a, b) => a.address.localeCompare(b.address)));
    await k.destroy();
  });
});
