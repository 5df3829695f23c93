import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export interface CheckpointerOptions {
  /** How often the thread checkpoints. The log grows by about 100 KB per message between rounds. */
  intervalMs?: number;
  /**
   * Once the log holds this many frames (pages, 4 KiB each), the relay's own connection copies its last
   * few frames, so that the log starts over from its beginning (see catchUp). 8,192 frames: 32 MiB,
   * half the log size SQLite cuts the file back to (db.ts, journal_size_limit).
   */
  restartFrames?: number;
  /** Told when the thread stopped working; SQLite's own checkpoints on commit have been switched back on. */
  onFallback?: (reason: string) => void;
}

/**
 * Background checkpoints. SQLite in WAL mode normally checkpoints inside
 * whichever commit pushes the log past 1,000 pages; with synchronous=NORMAL
 * that commit then copies ~4 MB and fsyncs twice, all on the relay's only
 * thread (measured: most of the wall time the outbox's writes cost). Here the
 * relay's connection does not checkpoint on commit; a worker thread with its
 * own connection does, every `intervalMs`, without blocking the relay's writes
 * (the relay's connection only copies the last few frames of a long log: catchUp).
 *
 * Durability is unchanged: a commit is durable once the log is fsynced (see
 * db.ts syncWal); a checkpoint only moves already-durable pages. Should the
 * thread fail, the relay's connection goes back to checkpointing itself.
 *
 * The log only starts over from its beginning when a checkpoint has copied
 * every frame in it by the time the relay next writes. Under a steady stream of
 * commits the thread never gets there: each round copies what the log held when
 * it began, and the relay has written more meanwhile. Measured under sustained
 * load: the log grew to 1.5 GB over 30,000 messages; with catchUp it stays
 * under 45 MB. In one profile (perf, 25,000 messages) the relay's main thread
 * spent 17% of its CPU in pwrite, mostly the kernel allocating and zeroing the
 * growing file's new pages; with catchUp, 6%.
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
    this.worker = new Worker(new URL('./checkpoint-thread.mjs', import.meta.url), {
      workerData: { file, intervalMs: opts.intervalMs ?? 250, restartFrames: opts.restartFrames ?? 8192 },
    });
    // Never what keeps the process alive.
    this.worker.unref();
    const fallback = (reason: string) => {
      if (this.stopping || !this.sqlite.open) return;
      this.sqlite.pragma('wal_autocheckpoint = 1000');
      opts.onFallback?.(reason);
    };
    this.worker.on('message', (m) => {
      if (m === 'catch-up') this.catchUp();
    });
    this.worker.on('error', (e) => fallback(`checkpoint thread failed: ${e.message}`));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        if (code !== 0) fallback(`checkpoint thread exited with ${code}`);
        resolve();
      }),
    );
  }

  /**
   * The thread has just copied most of a long log. The relay's connection is its only writer: while this
   * copies the frames written since, nothing else writes, so the log is then fully copied and the relay's
   * next commit starts it over. It runs on the event loop, with the checkpoint's two fsyncs (the log's,
   * then the database file's): measured 8–9 ms median, 35–39 ms at the 90th percentile, about every 800
   * messages at full load, and never while the thread keeps up on its own.
   */
  private catchUp(): void {
    if (this.stopping || !this.sqlite.open) return;
    // Not inside a transaction, where a checkpoint fails: the thread asks again after its next round.
    if (!this.sqlite.inTransaction) {
      try {
        // The thread waits for the answer below before its next round, so this does not meet its lock.
        this.sqlite.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // The connection is busy with a streamed query, or an I/O error: the log stays as it is until
        // the thread's next request, as it would without this.
      }
    }
    this.worker.postMessage('caught-up');
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
