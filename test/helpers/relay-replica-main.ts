/**
 * One relay replica for the multi-relay tests (test/postgres/replicas.test.ts):
 * the real relay (createRelay, the delivery worker, the HTTP API) configured
 * from the environment like relay/main.ts, on a clock the replicas share and
 * run faster than real time, so minutes of Office 365 pacing pass in seconds.
 * SENDWAY_TEST_CLOCK="<t0 ms>:<rate>": now = t0 + (Date.now() - t0) × rate;
 * every replica computes the same time from the same machine clock.
 */
import { serve } from '@hono/node-server';
import { loadConfig } from '../../relay/config';
import { createLogger } from '../../relay/log';
import { createRelay } from '../../relay/relay';

const [t0, rate] = (process.env.SENDWAY_TEST_CLOCK ?? `${Date.now()}:1`).split(':').map(Number) as [number, number];
const clock = { now: () => Math.floor(t0 + (Date.now() - t0) * rate) };
const config = loadConfig();
const logger = createLogger(config.logLevel);
const relay = await createRelay({ config, version: 'replica', logger, clock });
await relay.worker.start();
serve({ fetch: relay.app.fetch, hostname: config.host, port: config.port }, (info) => {
  process.stdout.write(JSON.stringify({ event: 'replica_listening', url: `http://${info.address}:${info.port}`, replica: relay.worker.replica }) + '\n');
});
process.on('SIGTERM', () => void relay.close(2_000).then(() => process.exit(0)));
