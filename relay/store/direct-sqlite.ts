import type { Kysely, QueryResult, SqliteDatabase } from 'kysely';
import type { DB } from '../schema';

interface Direct {
  connection: SqliteDatabase;
  /** Whether a transaction is open on the connection (better-sqlite3's `inTransaction`). */
  inTransaction: () => boolean;
}

/** SQLite connections prepared statements may run on directly, by their Kysely instance's adapter. */
const connections = new WeakMap<object, Direct>();

/**
 * Lets prepared statements (prepared.ts) run straight on `connection`, the one under `db`'s
 * SqliteDialect (the same object, so they share its statement cache), whenever that is what Kysely would
 * do, skipping its connection hand-over and result layers: several promise turns per statement, a fair
 * share of the relay's CPU per message. runOn makes the calls Kysely's SqliteConnection makes, so the
 * results are the same.
 * - Inside a transaction: the transaction holds the connection until it ends, so the statement is in it.
 * - Outside one, while no transaction is open on the connection: the statement runs on its own
 *   (autocommit) and sees what is committed, as it would through Kysely. Kysely may have handed the
 *   connection to a transaction that has not begun yet; a statement run now simply comes first.
 * While another transaction is open, the statement goes through Kysely and waits for the connection.
 */
export function runPreparedDirectly(db: Kysely<DB>, connection: SqliteDatabase, inTransaction: () => boolean): void {
  // A transaction's executor keeps its Kysely instance's adapter object, so this finds them all.
  connections.set(db.getExecutor().adapter, { connection, inTransaction });
}

/** The connection to run on directly now, if any (see runPreparedDirectly). */
export function directConnection(db: Kysely<DB>): SqliteDatabase | undefined {
  const direct = connections.get(db.getExecutor().adapter);
  if (!direct) return undefined;
  return db.isTransaction || !direct.inTransaction() ? direct.connection : undefined;
}

export function runOn<Row>(sqlite: SqliteDatabase, text: string, parameters: readonly unknown[]): QueryResult<Row> {
  const stmt = sqlite.prepare(text);
  if (stmt.reader) return { rows: stmt.all(parameters) as Row[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}
