import { createApp } from './app';
import { systemClock, type Clock } from './clock';
import type { RelayConfig } from './config';
import { openDatabase, type RelayDb } from './db';
import { SmtpThread } from './delivery/smtp-thread';
import { TransportPool } from './delivery/transports';
import { DeliveryWorker } from './delivery/worker';
import { createLogger, type Logger } from './log';
import { MicrosoftTokens } from './oauth/tokens';
import { ProcessCounters } from './observability/counters';
import { Readiness } from './observability/readiness';
import { WatchedWorker } from './observability/watched-worker';
import type { RouteDeps } from './routes/deps';
import { Allowlist, systemLookup, type Lookup } from './security/egress';
import { loadKey, secretBox } from './security/secrets';
import { GroupCommit } from './store/group-commit';

export interface RelayOptions {
  config: RelayConfig;
  version: string;
  clock?: Clock;
  logger?: Logger;
  /** DNS for SMTP hosts (egress checks); tests inject answers like 169.254.169.254. */
  lookup?: Lookup;
  random?: () => number;
  backoff?: (attempt: number, random: () => number) => number;
}

export interface Relay {
  app: ReturnType<typeof createApp>;
  db: RelayDb;
  worker: DeliveryWorker;
  deps: RouteDeps;
  /** GET /readyz; main.ts turns it unready first on SIGTERM. */
  readiness: Readiness;
  /** What this process delivered and answered since it started (GET /metrics). */
  counters: ProcessCounters;
  /** Stops the worker (in-flight mail finishes or goes back to the queue) and closes the database. */
  close(graceMs?: number): Promise<void>;
}

/** Everything but the HTTP listener: database, key, egress rules, delivery worker and the app. Used by main.ts and tests. */
export async function createRelay(o: RelayOptions): Promise<Relay> {
  const { config } = o;
  const counters = new ProcessCounters();
  // Delivery outcomes are counted from the worker's own log events (observability/counters.ts).
  const logger = counters.countingLogger(o.logger ?? createLogger(config.logLevel));
  const clock = o.clock ?? systemClock;
  const allow = new Allowlist(config.smtpAllowlist);
  const { db, dialect, syncWal, close: closeDb } = await openDatabase(config, {
    backgroundCheckpoints: true,
    onCheckpointFallback: (reason) => logger.warn('checkpoint_fallback', { reason }),
  });
  let box;
  try {
    box = secretBox(loadKey(config.secret, config.dataDir));
  } catch (error) {
    await closeDb();
    throw error;
  }
  const lookup = o.lookup ?? systemLookup;
  const smtp = { ca: config.smtpCa, timeoutMs: config.smtpTimeoutMs };
  const commits = new GroupCommit(db, syncWal);
  const oauth = new MicrosoftTokens({ db, box, clock, config: config.microsoft, logger, write: (fn) => commits.run(fn) });
  // SMTP connections on their own thread, in parallel with accepting mail (delivery/smtp-thread.ts).
  const smtpThread = new SmtpThread();
  const transports = new TransportPool({ box, allow, lookup, smtp, logger, oauth, thread: smtpThread });
  const worker = new WatchedWorker({
    db,
    commits,
    clock,
    transports,
    logger,
    maxAttempts: config.maxAttempts,
    random: o.random,
    backoff: o.backoff,
    // On PostgreSQL other relays may share the queue: claim under row locks, count windows in the database.
    shared: dialect === 'postgres',
  });
  const deps: RouteDeps = {
    db,
    commits,
    clock,
    config,
    box,
    allow,
    lookup,
    smtp,
    logger,
    oauth,
    notify: (channelId, at, accepted) => (channelId === undefined ? worker.notify() : worker.queued(channelId, at ?? clock.now(), accepted)),
    invalidateChannel: (id) => {
      transports.invalidate(id);
      worker.channelsChanged();
    },
  };
  const readiness = new Readiness({ db, workerProblem: () => worker.loopProblem() });
  const app = createApp({ db, version: o.version, api: deps, observability: { counters, readiness } });
  let closed = false;
  return {
    app,
    db,
    worker,
    deps,
    readiness,
    counters,
    async close(graceMs = 10_000) {
      if (closed) return;
      closed = true;
      readiness.beginShutdown();
      await worker.stop(graceMs);
      await smtpThread.stop();
      await closeDb();
    },
  };
}
