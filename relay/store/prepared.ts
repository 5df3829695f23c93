import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable, type CompiledQuery, type QueryResult } from 'kysely';
import type { DB } from '../schema';

/** Builds and compiles queries for SQLite; never runs anything (Kysely's documented compile-only setup). */
const builder = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

const SLOT = Symbol('prepared-parameter');
type Slot = { [SLOT]: string };
const isSlot = (v: unknown): v is Slot => typeof v === 'object' && v !== null && SLOT in v;

/**
 * A query built with Kysely once and then run many times with new parameter
 * values, for the statements every message goes through. Building and
 * compiling a Kysely query costs more CPU than SQLite takes to run these
 * (with db.ts's statement cache, the SQL text is also prepared only once).
 *
 * `build` receives a query builder (compile only) and `p(name)`, a placeholder that stands for the value of
 * `params[name]` at each run; every other value in the query is a constant.
 * Placeholders are single values: an `in` list of varying length is not a
 * prepared statement (loop over single-row statements in one transaction).
 */
export function prepared<P extends Record<string, unknown>, R>(build: (qb: Kysely<DB>, p: <K extends keyof P & string>(name: K) => P[K]) => Compilable<R>) {
  const compiled = build(builder, <K extends keyof P & string>(name: K) => ({ [SLOT]: name }) as unknown as P[K]).compile();
  const slots = compiled.parameters.map((v) => (isSlot(v) ? v[SLOT] : null));
  const constants = compiled.parameters.map((v) => (isSlot(v) ? undefined : v));
  const run = (db: Kysely<any>, params: P): Promise<QueryResult<R>> => {
    const parameters = slots.map((name, i) => (name === null ? constants[i] : params[name]));
    const query: CompiledQuery<R> = { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters };
    return db.executeQuery(query);
  };
  return {
    sql: compiled.sql,
    /** All rows. `db` may be a transaction. */
    all: async (db: Kysely<any>, params: P): Promise<R[]> => (await run(db, params)).rows,
    /** The first row, if any. */
    first: async (db: Kysely<any>, params: P): Promise<R | undefined> => (await run(db, params)).rows[0],
    /** Rows changed by an insert, update or delete. */
    changes: async (db: Kysely<any>, params: P): Promise<number> => Number((await run(db, params)).numAffectedRows ?? 0),
  };
}
