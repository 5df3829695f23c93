import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DB } from './schema';
import { migrate } from './migrations';

export type RelayDb = Kysely<DB>;

/**
 * Opens (creating on first start) the embedded SQLite database in WAL mode.
 * synchronous=FULL: a 202 promises the message is on disk, so every commit
 * is fsynced before we answer.
 */
export async function openSqlite(dataDir: string): Promise<{ db: RelayDb; file: string }> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Refuse to start where mail could not be kept: fail now, not at the first 202.
  fs.accessSync(dataDir, fs.constants.W_OK);
  const file = path.join(dataDir, 'relay.sqlite');
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return { db, file };
}
