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
    const gc = new GroupCommit(opened.db, () => {
      syncs++;
    });
    return { gc, syncs: () => syncs, db: opened.db };
  };

  /** A GroupCommit whose fsync waits until the test lets it finish (or fail). */
  const openGated = async () => {
    const opened = await openSqlite(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-gc-')));
    db = opened.db;
    const gates: { finish: (error?: Error) => void }[] = [];
    const gc = new GroupCommit(opened.db, () => new Promise<void>((resolve, reject) => gates.push({ finish: (e) => (e ? reject(e) : resolve()) })));
    const fsyncStarted = async () => {
      while (!gates.length) await new Promise((r) => setImmediate(r));
      return gates.shift()!;
    };
    return { gc, fsyncStarted, db: opened.db };
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

  it('answers a durable write only after its fsync; bookkeeping in the same batch does not wait for it', async () => {
    const { gc, fsyncStarted } = await openGated();
    const order: string[] = [];
    const durable = gc.run((trx) => trx.insertInto('meta').values({ key: 'd', value: '1' }).execute()).then(() => order.push('durable'));
    const lazy = gc.run((trx) => trx.insertInto('meta').values({ key: 'l', value: '1' }).execute(), { durable: false }).then(() => order.push('lazy'));
    const gate = await fsyncStarted();
    await lazy;
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['lazy']);
    gate.finish();
    await durable;
    expect(order).toEqual(['lazy', 'durable']);
  });

  it('resolves a write only once every durable write committed before it was queued is fsynced (what a claim relies on)', async () => {
    const { gc, fsyncStarted, db } = await openGated();
    const accepted = gc.run((trx) => trx.insertInto('meta').values({ key: 'accepted', value: '1' }).execute());
    const gate = await fsyncStarted();
    // Committed, not yet on disk: a reader can already see it ...
    expect(await db.selectFrom('meta').select('value').where('key', '=', 'accepted').executeTakeFirst()).toEqual({ value: '1' });
    // ... and the bookkeeping write that follows the read must not resolve before that fsync.
    let claimed = false;
    const claim = gc.run((trx) => trx.updateTable('meta').set({ value: 'claimed' }).where('key', '=', 'accepted').execute(), { durable: false }).then(() => (claimed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(claimed).toBe(false);
    gate.finish();
    await Promise.all([accepted, claim]);
    expect(claimed).toBe(true);
  });

  it('gathers writes that arrive during an fsync into the next batch', async () => {
    const { gc, fsyncStarted, db } = await openGated();
    const first = gc.run((trx) => trx.insertInto('meta').values({ key: 'b0', value: '0' }).execute());
    const gate1 = await fsyncStarted();
    const later = Array.from({ length: 20 }, (_, i) => gc.run((trx) => trx.insertInto('meta').values({ key: `b${i + 1}`, value: '1' }).execute()));
    gate1.finish();
    await first;
    const gate2 = await fsyncStarted();
    gate2.finish();
    await Promise.all(later);
    // Two fsyncs in all: the 20 later writes shared one.
    await new Promise((r) => setTimeout(r, 20));
    expect((await db.selectFrom('meta').selectAll().where('key', 'like', 'b%').execute()).length).toBe(21);
  });

  it('fails the durable writes of a batch whose fsync fails, but not its bookkeeping', async () => {
    const { gc, fsyncStarted } = await openGated();
    const durable = gc.run((trx) => trx.insertInto('meta').values({ key: 'x', value: '1' }).execute());
    const lazy = gc.run((trx) => trx.insertInto('meta').values({ key: 'y', value: '1' }).execute(), { durable: false });
    (await fsyncStarted()).finish(new Error('EIO'));
    await expect(durable).rejects.toThrow('EIO');
    await expect(lazy).resolves.toBeDefined();
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
