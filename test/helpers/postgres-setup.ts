import { startPostgres, type PgServer } from './postgres';

/**
 * Vitest globalSetup of the "postgres" project: one PostgreSQL server for the
 * run. Test workers inherit SENDWAY_TEST_PG_URL, and startRelay() then gives
 * every relay its own database on it (test/helpers/relay.ts).
 */
let server: PgServer | undefined;

export async function setup() {
  server = await startPostgres();
  process.env.SENDWAY_TEST_PG_URL = server.url;
}

export async function teardown() {
  await server?.stop();
}
