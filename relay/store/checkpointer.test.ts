import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type OpenedDb } from '../db';

describe('background checkpoints', () => {
  let opened: OpenedDb | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  const fill = (o: OpenedDb, rows: number) => {
    const insert = o.sqlite.prepare('insert into meta (key, value) values (?, ?)');
    o.sqlite.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`k${Math.random()}`, 'x'.repeat(8000));
    })();
  };

  it('moves the log into the database file on a worker thread; the relay connection does not checkpoint on commit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-ckpt-'));
    opened = await openSqlite(dir, { backgroundCheckpoints: true });
    expect(opened.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = fs.statSync(opened.file).size;
    // ~3,000 pages: well past SQLite's own 1,000-page trigger, which is switched off here.
    fill(opened, 1500);
    const deadline = Date.now() + 5000;
    while (fs.statSync(opened.file).size < before + 8_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(opened.file).size).toBeGreaterThan(before + 8_000_000);
    // Everything in the log is already in the database file.
    const [r] = opened.sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(r!.checkpointed).toBe(r!.log);
  });

  it('starts the log over under a steady stream of commits, instead of letting it grow', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-ckpt-'));
    // 256 frames (1 MiB) before the relay's connection catches up, instead of 8,192: the same behaviour, sooner.
    opened = await openSqlite(dir, { backgroundCheckpoints: { intervalMs: 20, restartFrames: 256 } });
    const o = opened;
    const wal = `${o.file}-wal`;
    let largest = 0;
    // About 48 MiB through the log in small commits, with no pause in which the thread could finish a round
    // on its own: the relay's write pattern under sustained load.
    for (let i = 0; i < 1200; i++) {
      fill(o, 5);
      o.sqlite.prepare('delete from meta where key like ?').run('k%');
      largest = Math.max(largest, fs.statSync(wal).size);
      await new Promise((r) => setTimeout(r, 1));
    }
    // The thread's rounds alone leave it growing (measured without the catch-up: 94 MB here, against 4.4 MB with it).
    expect(largest).toBeLessThan(12 * 1024 * 1024);
  });

  it('leaves checkpoints to SQLite when not asked for, and closes cleanly either way', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-ckpt-'));
    const plain = await openSqlite(dir);
    expect(plain.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await plain.close();
    opened = await openSqlite(dir, { backgroundCheckpoints: true });
    fill(opened, 10);
    await opened.close();
    expect(opened.sqlite.open).toBe(false);
    opened = undefined;
  });
});
