import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { openSqlite } from './db';
import { createApp } from './app';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

async function main() {
  const config = loadConfig();
  let opened;
  try {
    opened = await openSqlite(config.dataDir);
  } catch (error) {
    console.error(`sendway relay: cannot use data directory ${config.dataDir}: ${(error as Error).message}`);
    console.error('Refusing to start: accepted mail must be kept on disk. Fix the directory (space, permissions) or set RELAY_DATA_DIR.');
    process.exit(1);
  }
  const { db } = opened;
  const app = createApp({ db, version });
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
    console.log(`sendway relay listening on http://${info.address}:${info.port} (data: ${config.dataDir})`);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`sendway relay: ${signal} received, shutting down`);
    server.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
