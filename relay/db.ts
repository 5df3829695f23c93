import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { DB } from './schema';
import { migrate } from './migrations';
import { Checkpointer, type CheckpointerOptions } from './store/checkpointer';
import { runPreparedDirectly } from './store/direct-sqlite';

export type RelayDb = Kysely<DB>;

/**
 * sqlite: one relay process owns the database (the default). postgres: several
 * relay processes may share it, so the worker claims with row locks and
 * counts limit windows in the database (delivery/shared-claim.ts).
 */
export type DbDialect = 'sqlite' | 'postgres';

/** Which dialect a Kysely instance (or transaction) speaks, for the rare statement they spell differently. */
export function dialectOf(db: Kysely<DB>): DbDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export interface RelayDatabase {
  db: RelayDb;
  dialect: DbDialect;
  /** Makes every commit so far durable. A no-op where commits are durable already (PostgreSQL). */
  syncWal(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenedDb extends RelayDatabase {
  dialect: 'sqlite';
  file: string;
  /**
   * fsyncs the write-ahead log: after it returns, every transaction committed
   * so far survives a power loss. Durable writes (a 202's insert) call it
   * through store/group-commit.ts, once per batch.
   */
  syncWal(): Promise<void>;
  /** The better-sqlite3 handle under `db` (same connection), for statements outside Kysely. */
  sqlite: Database.Database;
  /** Stops the checkpoint thread (if any), then closes the database. `db.destroy()` alone also works. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Checkpoint the write-ahead log on a worker thread rather than inside the
   * relay's commits (store/checkpointer.ts). For the long-running relay; short
   * commands (relay:token) leave it to SQLite.
   */
  backgroundCheckpoints?: boolean | Pick<CheckpointerOptions, 'intervalMs' | 'restartFrames'>;
  onCheckpointFallback?: (reason: string) => void;
}

/**
 * Kysely's SQLite driver prepares every query afresh; parsing and planning the
 * same few statements over and over was a large share of the relay's CPU per
 * message. This keeps the most recently used prepared statements (keyed by
 * their SQL text; parameters are bound per call) in a small LRU. A statement
 * still being iterated (a streamed select) is busy and is never handed out twice.
 */
export function cachingDatabase(sqlite: Database.Database, max = 256, onClose?: () => void): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      onClose?.();
      sqlite.close();
    },
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt && !stmt.busy) {
        // Most recently used last, so the first key is the one to evict.
        cache.delete(sql);
        cache.set(sql, stmt);
        return stmt;
      }
      stmt = sqlite.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return stmt;
    },
  };
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
export async function openSqlite(dataDir: string, opts: OpenOptions = {}): Promise<OpenedDb> {
  checkDataDir(dataDir);
  const file = path.join(dataDir, 'relay.sqlite');
  const sqlite = new Database(file);
  // Mail content and sealed secrets live here: owner only.
  fs.chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 16 MiB of page cache (SQLite's default is 2 MiB): with 10 KB messages, the queue's recent rows stay
  // cached between acceptance and claim instead of being read back from the file for every claim and update.
  // Not more: a commit in which a B-tree split took pages out of order (usual once sent mail's content pages
  // are free for reuse) ends with a walk over the cache's whole hash table, so a larger cache makes those
  // commits dearer. Measured on the relay's main thread: that walk 3.8% of its CPU at 64 MiB and 1% at
  // 16 MiB, reading pages back 1.0% and 1.4%.
  sqlite.pragma('cache_size = -16384');
  // After a burst the log is cut back to this size when it restarts, rather than staying at its peak.
  sqlite.pragma('journal_size_limit = 67108864');
  let checkpointer: Checkpointer | null = null;
  // The write-ahead log stays open for fsyncs (SQLite keeps the same file while the database is open).
  let wal: Promise<fs.promises.FileHandle> | null = null;
  const closeWal = () => {
    const w = wal;
    wal = null;
    return w?.then((h) => h.close()).catch(() => {});
  };
  const connection = cachingDatabase(sqlite, 256, () => {
    checkpointer?.requestStop();
    void closeWal();
  });
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }) });
  runPreparedDirectly(db, connection, () => sqlite.inTransaction);
  await migrate(db, 'sqlite');
  for (const extra of ['-wal', '-shm']) {
    if (fs.existsSync(file + extra)) fs.chmodSync(file + extra, 0o600);
  }
  if (opts.backgroundCheckpoints) {
    const tuning = typeof opts.backgroundCheckpoints === 'object' ? opts.backgroundCheckpoints : {};
    checkpointer = new Checkpointer(sqlite, file, { ...tuning, onFallback: opts.onCheckpointFallback });
  }
  // On the thread pool, not the event loop: while one batch is being fsynced the relay keeps
  // parsing requests and sending mail, and those requests' inserts form the next batch.
  const syncWal = async () => {
    if (!wal) {
      wal = fs.promises.open(`${file}-wal`, 'r+');
      wal.catch(() => (wal = null));
    }
    let handle: fs.promises.FileHandle;
    try {
      handle = await wal;
    } catch (error) {
      // No WAL file: everything is checkpointed into the database file, which SQLite fsynced.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await handle.sync();
  };
  const close = async () => {
    await checkpointer?.stop();
    await closeWal();
    await db.destroy();
  };
  return { db, dialect: 'sqlite', file, syncWal, sqlite, close };
}

/**
 * Opens a PostgreSQL database (DATABASE_URL) and brings its schema up to date.
 * Timestamps are epoch milliseconds in bigint columns; node-postgres hands
 * bigints over as strings, so this pool parses them to numbers (exact up to
 * 2^53, far beyond any millisecond date or counter here).
 */
export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<RelayDatabase> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)),
  };
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types: types as pg.CustomTypesConfig });
  // An idle connection the server drops (restart, failover) must not crash the relay; the pool replaces it.
  pool.on('error', () => {});
  // The pool listens for that only while a client is idle. One handed out (between a transaction's
  // statements, say) whose server goes away would raise an 'error' nobody handles, ending the process:
  // the statement that next uses it fails instead, and the pool drops the broken client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, 'postgres');
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
  return { db, dialect: 'postgres', syncWal: async () => {}, close: () => db.destroy() };
}

/** The relay's database: PostgreSQL when DATABASE_URL is set (config.databaseUrl), else SQLite in the data dir. */
export async function openDatabase(config: { dataDir: string; databaseUrl?: string }, opts: OpenOptions = {}): Promise<RelayDatabase> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openSqlite(config.dataDir, opts);
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
