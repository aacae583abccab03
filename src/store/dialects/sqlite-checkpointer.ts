import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a SQLite WAL from a worker thread with its own connection, so that copying
 * WAL pages into the database file (and its fsync) happens on another core instead of
 * inside whichever commit crosses SQLite's auto-checkpoint threshold. PASSIVE checkpoints
 * never block readers or the writer; the writer keeps a large auto-checkpoint as a backstop
 * in case this thread falls behind or stops (see `openSqlite`).
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

// Runs as a CommonJS script in the worker: every `intervalMs`, a passive checkpoint when the
// WAL holds at least `minFrames` frames not yet copied back.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 0');
let stopped = false;
function tick() {
  if (stopped) return;
  try {
    // wal_checkpoint(PASSIVE) returns busy, log (frames in the WAL), checkpointed (frames copied).
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
let timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    stopped = true;
    clearTimeout(timer);
    try { db.close(); } finally { parentPort.postMessage('stopped'); }
  }
});
`;

/**
 * Starts the background checkpointer for a WAL-mode database file.
 *
 * @example
 * const checkpointer = startCheckpointer({ filename: 'tailor.db', intervalMs: 100 });
 * await checkpointer.stop();
 */
export function startCheckpointer(options: { filename: string; intervalMs: number; log?: (message: string) => void }): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { filename: options.filename, intervalMs: options.intervalMs, driver } });
  worker.unref();
  worker.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && 'error' in m) options.log?.(`background checkpoint failed: ${String((m as { error: unknown }).error)}`);
  });
  worker.on('error', (e) => options.log?.(`background checkpointer stopped: ${e.message}`));
  let stopping: Promise<void> | null = null;
  return {
    stop: () => (stopping ??= new Promise<void>((resolve) => {
      const done = () => { void worker.terminate().then(() => resolve(), () => resolve()); };
      worker.once('exit', () => resolve());
      worker.once('message', (m) => { if (m === 'stopped') done(); });
      worker.postMessage('stop');
      setTimeout(done, 2_000).unref();
    })),
  };
}
