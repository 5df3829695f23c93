import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type OpenedDb } from '../db';
import { prepared } from './prepared';

describe('prepared (Kysely queries compiled once)', () => {
  let opened: OpenedDb | undefined;
  afterEach(async () => opened?.close());
  const open = async () => (opened = await openSqlite(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-prep-'))));

  const upsert = prepared<{ key: string; value: string }, never>((qb, p) =>
    qb.insertInto('meta').values({ key: p('key'), value: p('value') }).onConflict((oc) => oc.column('key').doUpdateSet({ value: p('value') })),
  );
  // Constants and placeholders mixed, a placeholder used twice, a literal fragment.
  const find = prepared<{ prefix: string; not: string }, { key: string; value: string }>((qb, p) =>
    qb
      .selectFrom('meta')
      .select(['key', 'value'])
      .where('key', 'like', sql<string>`${p('prefix')} || '%'`)
      .where('key', '!=', p('not'))
      .where('value', '!=', 'hidden')
      .orderBy('key')
      .limit(10),
  );

  it('runs with new values each time, keeping the constants', async () => {
    const { db } = await open();
    for (const [key, value] of [['a1', 'x'], ['a2', 'y'], ['a3', 'hidden'], ['b1', 'z']]) await upsert.changes(db, { key: key!, value: value! });
    expect(await find.all(db, { prefix: 'a', not: 'a1' })).toEqual([{ key: 'a2', value: 'y' }]);
    expect(await find.all(db, { prefix: 'b', not: '' })).toEqual([{ key: 'b1', value: 'z' }]);
    expect(await find.first(db, { prefix: 'c', not: '' })).toBeUndefined();
    expect(await upsert.changes(db, { key: 'a2', value: 'updated' })).toBe(1);
    expect(await find.first(db, { prefix: 'a2', not: '' })).toEqual({ key: 'a2', value: 'updated' });
  });

  it('runs inside a transaction like any Kysely query', async () => {
    const { db } = await open();
    await expect(
      db.transaction().execute(async (trx) => {
        await upsert.changes(trx, { key: 't1', value: 'v' });
        expect(await find.all(trx, { prefix: 't', not: '' })).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await find.all(db, { prefix: 't', not: '' })).toEqual([]);
  });

  it('compiles to one SQL text with a bound parameter per placeholder', () => {
    expect(find.sql).toContain('?');
    expect(find.sql).not.toContain('hidden');
  });
});
