import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { createRelay, type Relay } from './relay';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(`sendway relay: ${(error as Error).message}`);
    process.exit(1);
  }
  let relay: Relay;
  try {
    relay = await createRelay({ config, version });
  } catch (error) {
    console.error(`sendway relay: cannot use data directory ${config.dataDir}: ${(error as Error).message}`);
    console.error('Refusing to start: accepted mail must be kept on disk. Fix the directory (space, permissions) or set RELAY_DATA_DIR.');
    process.exit(1);
  }
  await relay.worker.start();
  const server = serve({ fetch: relay.app.fetch, hostname: config.host, port: config.port }, (info) => {
    console.log(`sendway relay listening on http://${info.address}:${info.port} (data: ${config.dataDir})`);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`sendway relay: ${signal} received, shutting down (finishing in-flight mail)`);
    server.close();
    try {
      await relay.close(10_000);
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
