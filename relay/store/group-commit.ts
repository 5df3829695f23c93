import type { Transaction } from 'kysely';
import type { RelayDb } from '../db';
import type { DB } from '../schema';

type Job = { fn: (trx: Transaction<DB>) => Promise<unknown>; durable: boolean; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * Group commit: writes that arrive while a commit is being made are gathered
 * and committed together in the next transaction. A batch holding a durable
 * write (the insert behind a 202) is fsynced once for all of them before any
 * caller returns; bookkeeping writes (claims, results) ride along or commit
 * without an fsync (still safe from a process crash, see db.ts). If a batch
 * fails, its jobs are retried one by one so one bad write cannot fail the others.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: RelayDb,
    private readonly syncWal: () => void,
    private readonly maxBatch = 500,
  ) {}

  /** Runs `fn` in a shared transaction; with `durable` (default) it resolves only once the commit is fsynced. */
  run<T>(fn: (trx: Transaction<DB>) => Promise<T>, opts: { durable?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, durable: opts.durable ?? true, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) this.running = this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Let writes issued in the same tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      const results: unknown[] = [];
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const job of batch) results.push(await job.fn(trx));
        });
        if (batch.some((j) => j.durable)) this.syncWal();
        batch.forEach((job, i) => job.resolve(results[i]));
      } catch {
        for (const job of batch) {
          try {
            const result = await this.db.transaction().execute((trx) => job.fn(trx));
            if (job.durable) this.syncWal();
            job.resolve(result);
          } catch (error) {
            job.reject(error);
          }
        }
      }
    }
    this.running = null;
  }
}
