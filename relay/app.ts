import { Hono } from 'hono';
import { sql } from 'kysely';
import type { RelayDb } from './db';

export interface AppDeps {
  db: RelayDb;
  version: string;
}

/** The relay's HTTP surface. A factory so tests build it with their own deps. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  app.get('/healthz', async (c) => {
    await sql`select 1`.execute(deps.db);
    return c.json({ status: 'ok', version: deps.version });
  });

  return app;
}
