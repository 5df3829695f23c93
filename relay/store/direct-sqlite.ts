import type { Kysely, QueryResult, SqliteDatabase } from 'kysely';
import type { DB } from '../schema';

/** SQLite connections a transaction's prepared statements may run on directly, by their Kysely instance's adapter. */
const connections = new WeakMap<object, SqliteDatabase>();

/**
 * Lets prepared statements (prepared.ts) run inside `db`'s transactions straight on `sqlite`, the
 * connection under `db`'s SqliteDialect (the same object, so they share its statement cache). A
 * transaction holds that one connection until it ends, so a statement run on it directly is in the
 * transaction exactly as if Kysely had run it, and gets the same result: runOn makes the calls Kysely's
 * SqliteConnection makes. It skips Kysely's connection hand-over and result layers, several promise
 * turns per statement and a fair share of the relay's CPU per message. Outside a transaction
 * statements always go through Kysely, which knows whether the connection is free.
 */
export function runPreparedDirectly(db: Kysely<DB>, sqlite: SqliteDatabase): void {
  // A transaction's executor keeps its Kysely instance's adapter object, so this finds them all.
  connections.set(db.getExecutor().adapter, sqlite);
}

/** The connection to run on directly: only inside a transaction of a database registered above. */
export function directConnection(db: Kysely<DB>): SqliteDatabase | undefined {
  return db.isTransaction ? connections.get(db.getExecutor().adapter) : undefined;
}

export function runOn<Row>(sqlite: SqliteDatabase, text: string, parameters: readonly unknown[]): QueryResult<Row> {
  const stmt = sqlite.prepare(text);
  if (stmt.reader) return { rows: stmt.all(parameters) as Row[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}
