import { DeliveryWorker } from '../delivery/worker';

/**
 * The delivery loop passes through `tick()` at least every couple of seconds
 * (it never sleeps longer than its idle poll). A loop that has not been seen
 * for this long is stuck, e.g. on a database that stopped answering.
 */
export const WORKER_STALL_MS = 30_000;

/**
 * The relay's DeliveryWorker, observable from outside: whether its loop was
 * started, has not been stopped, and still comes round. A subclass rather than
 * an edit to worker.ts, so readiness needs nothing from the delivery code but
 * its public start/stop/tick.
 */
export class WatchedWorker extends DeliveryWorker {
  private started = false;
  private stopping = false;
  /** Date.now() of the last tick start or end (wall time: the loop's idle poll is wall time, even under a fake clock). */
  private lastSeen = 0;

  override async start(): Promise<void> {
    this.lastSeen = Date.now();
    await super.start();
    this.started = true;
  }

  override async stop(graceMs?: number): Promise<void> {
    this.stopping = true;
    await super.stop(graceMs);
  }

  override tick(): Promise<number> {
    this.lastSeen = Date.now();
    const run = super.tick();
    void run.then(
      () => (this.lastSeen = Date.now()),
      () => (this.lastSeen = Date.now()),
    );
    return run;
  }

  /** null when the loop runs; otherwise why not, for /readyz. */
  loopProblem(now = Date.now()): string | null {
    if (this.stopping) return 'stopped';
    if (!this.started) return 'not started';
    const quiet = now - this.lastSeen;
    if (quiet > WORKER_STALL_MS) return `stalled: no pass for ${Math.round(quiet / 1000)} s`;
    return null;
  }
}
