import type { Transaction } from 'kysely';
import type { RelayDb } from '../db';
import type { DB } from '../schema';

type Job = { fn: (trx: Transaction<DB>) => Promise<unknown>; durable: boolean; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * Group commit: writes that arrive while a commit is being made are gathered
 * and committed together in the next transaction. A batch holding a durable
 * write (the insert behind a 202) is fsynced once for all of them before any
 * of those callers returns; bookkeeping writes (claims, results) ride along and
 * return at commit, without waiting for an fsync (still safe from a process
 * crash, see db.ts). The fsync runs off the event loop; writes that arrive
 * meanwhile form the next batch. If a batch
 * fails, its jobs are retried one by one so one bad write cannot fail the others.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: RelayDb,
    private readonly syncWal: () => void | Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  /**
   * Runs `fn` in a shared transaction; with `durable` (default) it resolves only once the commit is fsynced.
   *
   * Ordering: a batch is committed only after the batch before it was fsynced. So once any write
   * resolves, every durable write committed before it was queued is on disk: whatever the caller
   * read before calling run() is durable. The worker relies on this — a message it claims
   * (read, then marked "sending" here) never leaves before its acceptance is on disk.
   */
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
      // Awaited before the next batch begins, fsync included (the ordering run() promises).
      await this.commitBatch(this.queue.splice(0, this.maxBatch));
    }
    this.running = null;
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
