// Runs in a worker thread (see checkpointer.ts): copies the write-ahead log back
// into the database file — a checkpoint, with its reads, writes and fsyncs — on
// its own SQLite connection, so the relay's event loop never waits for one.
// Plain JavaScript so it loads in a thread without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData;
const db = new Database(file);
let stopping = false;
let failures = 0;

function checkpoint() {
  if (stopping) return;
  try {
    // PASSIVE: copies what it can without waiting for (or blocking) the relay's writes.
    // With nothing new in the log it only reads the WAL index: no I/O, no fsync.
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (error) {
    // A passing lock conflict: the next round tries again. Failing for good: end the thread,
    // and the relay's connection takes checkpoints back (checkpointer.ts).
    if (++failures >= 20) throw error;
  }
}

const timer = setInterval(checkpoint, intervalMs);

parentPort.on('message', (msg) => {
  if (msg === 'checkpoint') checkpoint();
  if (msg === 'stop') {
    stopping = true;
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
