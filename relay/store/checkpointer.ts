import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export interface CheckpointerOptions {
  /** How often the thread checkpoints. The log grows by about 100 KB per message between rounds. */
  intervalMs?: number;
  /** Told when the thread stopped working; SQLite's own checkpoints on commit have been switched back on. */
  onFallback?: (reason: string) => void;
}

/**
 * Background checkpoints. SQLite in WAL mode normally checkpoints inside
 * whichever commit pushes the log past 1,000 pages; with synchronous=NORMAL
 * that commit then copies ~4 MB and fsyncs twice, all on the relay's only
 * thread (measured: most of the wall time the outbox's writes cost). Here the
 * relay's connection never checkpoints; a worker thread with its own
 * connection does, every `intervalMs`, without blocking the relay's writes.
 *
 * Durability is unchanged: a commit is durable once the log is fsynced (see
 * db.ts syncWal); a checkpoint only moves already-durable pages. Should the
 * thread fail, the relay's connection goes back to checkpointing itself.
 */
export class Checkpointer {
  private worker: Worker;
  private exited: Promise<void>;
  private stopping = false;

  constructor(
    private readonly sqlite: Database.Database,
    file: string,
    opts: CheckpointerOptions = {},
  ) {
    sqlite.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(new URL('./checkpoint-thread.mjs', import.meta.url), { workerData: { file, intervalMs: opts.intervalMs ?? 250 } });
    // Never what keeps the process alive.
    this.worker.unref();
    const fallback = (reason: string) => {
      if (this.stopping || !this.sqlite.open) return;
      this.sqlite.pragma('wal_autocheckpoint = 1000');
      opts.onFallback?.(reason);
    };
    this.worker.on('error', (e) => fallback(`checkpoint thread failed: ${e.message}`));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        if (code !== 0) fallback(`checkpoint thread exited with ${code}`);
        resolve();
      }),
    );
  }

  /** Closes the thread's connection and waits for it to end. */
  async stop(): Promise<void> {
    this.requestStop();
    await this.exited;
  }

  /** Asks the thread to close its connection, without waiting (for synchronous close paths). */
  requestStop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.worker.postMessage('stop');
  }
}
