import { sql } from 'kysely';

/** `(status = 'queued' or status = 'scheduled' or status = 'retrying')` for the given status column. */
const spell = (status: string) => `(${status} = 'queued' or ${status} = 'scheduled' or ${status} = 'retrying')`;

/**
 * Mail waiting to be sent ("queued", "scheduled" or "retrying"), spelled exactly as the partial index
 * messages_queue is (migration 8 keeps its own copy of the text, as migrations do; migrations.test.ts
 * checks that a query with this one uses the index): SQLite uses a partial index only for a query that
 * repeats its condition, and PostgreSQL proves it from the same text. Spelled with `or`, not `in (…)`:
 * SQLite tests a list of three or more through a temporary table, built and dropped each time the
 * condition is tested.
 */
export const WAITING_SQL = sql.raw<boolean>(spell('status'));

/** The same condition for a query that names the messages table `m`. */
export const WAITING_M_SQL = sql.raw<boolean>(spell('m.status'));
