import type { Transaction } from 'kysely';
import type { RelayDb } from '../db';
import type { DB } from '../schema';

type Job = { fn: (trx: Transaction<DB>) => Promise<unknown>; durable: boolean; linger: boolean; resolve: (v: unknown) => void; reject: (e: unknown) => void };

export interface GroupCommitOptions {
  /** Most writes in one transaction. */
  maxBatch?: number;
  /** Longest a batch of only lingering writes waits for other writes to share its commit. */
  lingerMs?: number;
}

/**
 * Group commit: writes that arrive while a commit is being made are gathered
 * and committed together in the next transaction. A batch holding a durable
 * write (the insert behind a 202) is fsynced once for all of them before any
 * of those callers returns; bookkeeping writes (claims, results) ride along and
 * return at commit, without waiting for an fsync (still safe from a process
 * crash, see db.ts). The fsync runs off the event loop; writes that arrive
 * meanwhile form the next batch. If a batch
 * fails, its jobs are retried one by one so one bad write cannot fail the others.
 *
 * A write nobody is waiting on (a sent message's record) may linger: a batch made only of such
 * writes waits up to `lingerMs` for company, and any other write ends the wait at once. Each
 * commit costs the event loop the same few dozen system calls (locks, log writes) however few
 * rows it holds, so sharing one is most of what a write costs.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private running: Promise<void> | null = null;
  /** Ends the current linger early, while there is one. */
  private stopLingering: (() => void) | null = null;
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  constructor(
    private readonly db: RelayDb,
    private readonly syncWal: () => void | Promise<void>,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.lingerMs = opts.lingerMs ?? 5;
  }

  /**
   * Runs `fn` in a shared transaction; with `durable` (default) it resolves only once the commit is fsynced.
   *
   * Ordering: a batch is committed only after the batch before it was fsynced. So once any write
   * resolves, every durable write committed before it was queued is on disk: whatever the caller
   * read before calling run() is durable. The worker relies on this — a message it claims
   * (read, then marked "sending" here) never leaves before its acceptance is on disk.
   */
  run<T>(fn: (trx: Transaction<DB>) => Promise<T>, opts: { durable?: boolean; linger?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const durable = opts.durable ?? true;
      // A durable write never lingers: a 202 waits on it.
      const linger = !durable && opts.linger === true;
      this.queue.push({ fn, durable, linger, resolve: resolve as (v: unknown) => void, reject });
      if (!linger || this.queue.length >= this.maxBatch) this.stopLingering?.();
      if (!this.running) this.running = this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Let writes issued in the same tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) {
      if (this.lingerMs > 0 && this.queue.length < this.maxBatch && this.queue.every((job) => job.linger)) await this.linger();
      // Awaited before the next batch begins, fsync included (the ordering run() promises).
      await this.commitBatch(this.queue.splice(0, this.maxBatch));
    }
    this.running = null;
  }

  /** Waits `lingerMs`, or less if a write that may not linger arrives (run()). */
  private linger(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopLingering = null;
        resolve();
      };
      const timer = setTimeout(done, this.lingerMs);
      this.stopLingering = done;
    });
  }

  private async commitBatch(batch: Job[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      const results: unknown[] = [];
      await this.db.transaction().execute(async (trx) => {
        for (const job of batch) results.push(await job.fn(trx));
      });
      for (const value of results) outcomes.push({ ok: true, value });
    } catch {
      for (const job of batch) {
        try {
          outcomes.push({ ok: true, value: await this.db.transaction().execute((trx) => job.fn(trx)) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    }
    // Failures and bookkeeping writes are answered now; they need no fsync.
    const durable: [Job, unknown][] = [];
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (!o.ok) job.reject(o.error);
      else if (job.durable) durable.push([job, o.value]);
      else job.resolve(o.value);
    });
    if (!durable.length) return;
    // One fsync for every durable write of the batch. Should it fail, a durable write is not
    // known to be on disk: its caller gets the error (a client retries with its Idempotency-Key).
    try {
      await this.syncWal();
    } catch (error) {
      for (const [job] of durable) job.reject(error);
      return;
    }
    for (const [job, value] of durable) job.resolve(value);
  }
}
