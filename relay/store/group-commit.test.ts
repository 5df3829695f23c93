import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type RelayDb } from '../db';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  let db: RelayDb | undefined;
  afterEach(async () => db?.destroy());

  const open = async (lingerMs?: number) => {
    const opened = await openSqlite(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-gc-')));
    db = opened.db;
    let syncs = 0;
    const gc = new GroupCommit(
      opened.db,
      () => {
        syncs++;
      },
      { lingerMs },
    );
    return { gc, syncs: () => syncs, db: opened.db };
  };
  /** What the database holds under the key, as another reader sees it (committed writes only). */
  const valueOf = async (db: RelayDb, key: string) => (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;

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

  it('holds a lingering write back for company, up to lingerMs, and commits it alone after that', async () => {
    const { gc, db } = await open(200);
    const started = performance.now();
    let done = false;
    const record = gc.run((trx) => trx.insertInto('meta').values({ key: 'sent', value: '1' }).execute(), { durable: false, linger: true }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    expect(await valueOf(db, 'sent')).toBeUndefined();
    // Lingering writes that come meanwhile do not end the wait; they join the batch.
    const second = gc.run((trx) => trx.insertInto('meta').values({ key: 'sent2', value: '1' }).execute(), { durable: false, linger: true });
    await Promise.all([record, second]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(await valueOf(db, 'sent')).toBe('1');
    expect(await valueOf(db, 'sent2')).toBe('1');
  });

  it('ends the wait when a write that may not linger arrives: both share its commit at once', async () => {
    for (const durable of [false, true]) {
      const { gc, db, syncs } = await open(60_000);
      const started = performance.now();
      const record = gc.run((trx) => trx.insertInto('meta').values({ key: 'sent', value: '1' }).execute(), { durable: false, linger: true });
      await new Promise((r) => setTimeout(r, 20));
      expect(await valueOf(db, 'sent')).toBeUndefined();
      // A claim (bookkeeping that is waited on) or an accepted message (durable).
      const other = gc.run((trx) => trx.insertInto('meta').values({ key: 'other', value: '1' }).execute(), { durable });
      await Promise.all([record, other]);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(await valueOf(db, 'sent')).toBe('1');
      expect(syncs()).toBe(durable ? 1 : 0);
      if (!durable) await db.destroy(); // the next open() replaces it; afterEach closes the last
    }
  });

  it('never lets a durable write linger', async () => {
    const { gc, db, syncs } = await open(60_000);
    await gc.run((trx) => trx.insertInto('meta').values({ key: 'accepted', value: '1' }).execute(), { linger: true });
    expect(await valueOf(db, 'accepted')).toBe('1');
    expect(syncs()).toBe(1);
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
