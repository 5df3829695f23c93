import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DB } from './schema';
import { migrate } from './migrations';

export type RelayDb = Kysely<DB>;

export interface OpenedDb {
  db: RelayDb;
  file: string;
  /**
   * fsyncs the write-ahead log: after it returns, every transaction committed
   * so far survives a power loss. Durable writes (a 202's insert) call it
   * through store/group-commit.ts, once per batch.
   */
  syncWal(): void;
}

/**
 * Opens (creating on first start) the embedded SQLite database in WAL mode.
 *
 * synchronous=NORMAL plus an explicit WAL fsync where it matters: in WAL mode
 * NORMAL commits survive a crash of the process (kill -9) but not of the
 * machine; FULL would fsync every commit. The relay promises "a 202 means the
 * message is on disk", so accepted messages are fsynced (in groups) before
 * the 202, and the worker's bookkeeping commits do not each pay an fsync.
 */
export async function openSqlite(dataDir: string): Promise<OpenedDb> {
  checkDataDir(dataDir);
  const file = path.join(dataDir, 'relay.sqlite');
  const sqlite = new Database(file);
  // Mail content and sealed secrets live here: owner only.
  fs.chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  for (const extra of ['-wal', '-shm']) {
    if (fs.existsSync(file + extra)) fs.chmodSync(file + extra, 0o600);
  }
  const syncWal = () => {
    let fd: number;
    try {
      fd = fs.openSync(`${file}-wal`, 'r+');
    } catch (error) {
      // No WAL file: everything is checkpointed into the database file, which SQLite fsynced.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  return { db, file, syncWal };
}

/** Below this much free space the relay will not start: room for at least one largest request (RELAY_MAX_BODY's default) and its bookkeeping. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

/**
 * Refuse to start where mail could not be kept: fail now, with the real cause,
 * not at the first 202. Read-only (EROFS, permissions) and full disks both
 * count — on a full disk SQLite opens an existing database and then fails
 * with a bare "disk I/O error".
 */
export function checkDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // mkdir -p under a read-only mount reports ENOENT; name the ancestor that refuses writes instead.
    let parent = path.dirname(dataDir);
    while (!fs.existsSync(parent) && parent !== path.dirname(parent)) parent = path.dirname(parent);
    fs.accessSync(parent, fs.constants.W_OK);
    throw error;
  }
  fs.accessSync(dataDir, fs.constants.W_OK);
  const { bavail, bsize } = fs.statfsSync(dataDir);
  const free = Number(bavail) * Number(bsize);
  if (free < MIN_FREE_BYTES) {
    throw new Error(`no space left on its filesystem: ${free} bytes free, at least ${MIN_FREE_BYTES / 1024 / 1024} MiB needed to keep accepted mail`);
  }
}
