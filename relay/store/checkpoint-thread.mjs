// Runs in a worker thread (see checkpointer.ts): copies the write-ahead log back
// into the database file — a checkpoint, with its reads, writes and fsyncs — on
// its own SQLite connection, so the relay's event loop never waits for one.
// Plain JavaScript so it loads in a thread without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs, restartFrames } = workerData;
const db = new Database(file);
let stopping = false;
let failures = 0;
/** Date.now() when this thread asked the relay's connection to catch up; no round of its own until it answers. */
let catchUpAskedAt = 0;

function checkpoint() {
  if (stopping) return;
  // A round of ours now would hold the checkpoint lock and make the relay's catch-up fail. Should the
  // answer never come (an event loop stuck elsewhere), rounds resume after a while anyway.
  if (catchUpAskedAt && Date.now() - catchUpAskedAt < 2000) return;
  catchUpAskedAt = 0;
  try {
    // PASSIVE: copies what it can without waiting for (or blocking) the relay's writes.
    // With nothing new in the log it only reads the WAL index: no I/O, no fsync.
    const [round] = db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
    // The log is long: ask the relay's connection to copy the last few frames, so that it starts the
    // log over (checkpointer.ts, catchUp). A round here never ends at the log's end under steady writes.
    if (round.busy === 0 && round.log >= restartFrames) {
      catchUpAskedAt = Date.now();
      parentPort.postMessage('catch-up');
    }
  } catch (error) {
    // A passing lock conflict: the next round tries again. Failing for good: end the thread,
    // and the relay's connection takes checkpoints back (checkpointer.ts).
    if (++failures >= 20) throw error;
  }
}

const timer = setInterval(checkpoint, intervalMs);

parentPort.on('message', (msg) => {
  if (msg === 'checkpoint') checkpoint();
  if (msg === 'caught-up') catchUpAskedAt = 0;
  if (msg === 'stop') {
    stopping = true;
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
