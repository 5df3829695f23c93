import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { createLogger } from './log';
import { redactUrl, SHUTDOWN_GRACE_MS as GRACE_MS } from './observability/readiness';
import { createRelay, type Relay } from './relay';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Before the logger exists (bad configuration) a failure is still one JSON line, on stderr. */
function fatal(event: string, error: string, hint?: string): never {
  process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level: 'error', event, error, ...(hint ? { hint } : {}) }) + '\n');
  process.exit(1);
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    fatal('config_invalid', (error as Error).message);
  }
  const logger = createLogger(config.logLevel);
  // Start and stop are written even at RELAY_LOG_LEVEL=warn (supervisors and scripts wait for "listening on"); only silent silences them.
  const lifecycle = config.logLevel === 'silent' ? logger : createLogger('info');
  let relay: Relay;
  try {
    relay = await createRelay({ config, version, logger });
  } catch (error) {
    const message = redactUrl((error as Error).message);
    if (config.databaseUrl) {
      fatal('database_unavailable', `cannot open the PostgreSQL database (DATABASE_URL): ${message}`, 'Refusing to start without the shared database. Check DATABASE_URL, the network and the database user.');
    }
    fatal(
      'data_dir_unusable',
      `cannot use data directory ${config.dataDir}: ${message}`,
      'Refusing to start: accepted mail must be kept on disk. Fix the directory (space, permissions) or set RELAY_DATA_DIR.',
    );
  }
  await relay.worker.start();
  const server = serve({ fetch: relay.app.fetch, hostname: config.host, port: config.port }, (info) => {
    const url = `http://${info.address}:${info.port}`;
    lifecycle.info('relay_listening', { message: `sendway relay listening on ${url}`, url, dataDir: config.dataDir, version });
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // 1. Unready first: load balancers probing /readyz stop sending new requests here.
    relay.readiness.beginShutdown();
    // Keeps the event loop alive until close() has resolved: without a handle, Node would exit mid-shutdown
    // (e.g. while waiting for the checkpoint thread to end) and the last lines would never be written.
    const keepAlive = setInterval(() => undefined, 1_000);
    lifecycle.info('relay_stopping', { signal, drainDelayMs: config.shutdownDelayMs, graceMs: GRACE_MS });
    try {
      if (config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
      // 2. Stop accepting connections; requests in progress finish (idle keep-alive connections close now).
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, GRACE_MS)))]);
      clearTimeout(timer);
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      // 3. The worker finishes in-flight mail (or returns it to the queue) and the database closes.
      await relay.close(GRACE_MS);
      lifecycle.info('relay_stopped', { signal });
    } catch (error) {
      logger.error('relay_stop_failed', { signal, error: (error as Error).message });
    } finally {
      clearInterval(keepAlive);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
