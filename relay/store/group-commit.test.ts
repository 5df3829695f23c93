import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type RelayDb } from '../db';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  let db: RelayDb | undefined;
  afterEach(async () => db?.destroy());

  const open = async () => {
    const opened = await openSqlite(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-gc-')));
    db = opened.db;
    let syncs = 0;
    const gc = new GroupCommit(opened.db, () => syncs++);
    return { gc, syncs: () => syncs, db: opened.db };
  };

  it('commits concurrent writes in one transaction with one fsync', async () => {
    const { gc, syncs, db } = await open();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => gc.run((trx) => trx.insertInto('meta').values({ key: `k${i}`, value: String(i) }).execute())),
    );
    expect(syncs()).toBe(1);
    const rows = await db.selectFrom('meta').selectAll().where('key', 'like', 'k%').execute();
    expect(rows).toHaveLength(50);
  });

  it('does not fsync a batch of only non-durable writes', async () => {
    const { gc, syncs } = await open();
    await gc.run((trx) => trx.insertInto('meta').values({ key: 'lazy', value: '1' }).execute(), { durable: false });
    expect(syncs()).toBe(0);
  });

  it('isolates a failing write: the others in its batch still commit', async () => {
    const { gc, db } = await open();
    const results = await Promise.allSettled([
      gc.run((trx) => trx.insertInto('meta').values({ key: 'a', value: '1' }).execute()),
      gc.run((trx) => trx.insertInto('meta').values({ key: 'a', value: 'duplicate' }).execute()),
      gc.run((trx) => trx.insertInto('meta').values({ key: 'b', value: '2' }).execute()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await db.selectFrom('meta').selectAll().where('key', 'in', ['a', 'b']).orderBy('key').execute();
    expect(rows).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
  });
});
