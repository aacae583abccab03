import { Worker } from 'node:worker_threads';
import type { RecommendationLogRow } from '../recommend/recommendation-repository.js';
import type { LogWriterMessageIn, LogWriterMessageOut } from './log-writer-worker.js';
import type { Store } from './store.js';
import { workerEntry } from './worker-entry.js';

/** How long the thread may take to open its connection before the calling thread writes the logs itself. */
const START_TIMEOUT_MS = 30_000;

/** Appends recommendation logs somewhere other than the calling thread. */
export interface LogWriter {
  /** Resolves once the rows are committed. */
  appendLogs(workspaceId: string, rows: readonly RecommendationLogRow[]): Promise<void>;
  /** Waits for the batches sent, then stops the thread. */
  close(): Promise<void>;
}

/**
 * Writes recommendation logs on a thread of their own, with its own connection to the store
 * (`log-writer-worker.ts`). better-sqlite3 runs every statement on the calling thread: a
 * server writing its logs itself stops serving while a commit runs, and on our 2-core test VM a
 * commit now and then took 100 – 450 ms (docs/benchmarks.md "bench/recs-serving").
 * Only for a SQLite file: null for in-memory SQLite (no other connection can open it) and for
 * PostgreSQL (its writes wait on the network, not on the event loop).
 *
 * Logs are appended by id with "do nothing" on conflict, so a batch may be written twice: if
 * the thread cannot start or dies, every batch it had not confirmed, and every later one, is
 * written with `fallback` (the calling thread's own repository) and `log` says so once.
 *
 * @example
 * const writer = await startLogWriter(store, { fallback: repository.appendLogs, log });
 * await writer?.appendLogs(workspaceId, rows);
 */
export async function startLogWriter(store: Store, options: {
  fallback: (workspaceId: string, rows: readonly RecommendationLogRow[]) => Promise<void>;
  log: (message: string) => void;
  /** The thread's entry (tests give one that fails); default `log-writer-worker`. */
  entry?: URL;
  /** Default 30 s. */
  startTimeoutMs?: number;
}): Promise<LogWriter | null> {
  const config = store.shareableConfig;
  if (config === null || config.engine !== 'sqlite') return null;
  const worker = new Worker(options.entry ?? workerEntry(import.meta.url, 'log-writer-worker'), { workerData: { store: config } });
  const sent = new Map<number, { workspaceId: string; rows: readonly RecommendationLogRow[]; resolve: () => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let gone: string | null = null;
  let closing = false;
  const started = new Promise<boolean>((resolve) => {
    const fail = (why: string) => {
      resolve(false);
      if (gone !== null) return;
      gone = why;
      if (!closing) options.log(`recommendation log writer thread ${why}: logs are written by the serving thread from now on`);
      // Every batch not confirmed is written here instead (appending is idempotent).
      for (const [id, batch] of sent) {
        sent.delete(id);
        options.fallback(batch.workspaceId, batch.rows).then(batch.resolve, batch.reject);
      }
    };
    worker.on('message', (m: LogWriterMessageOut) => {
      if (m.type === 'ready') resolve(true);
      else if (m.type === 'failed-to-start') fail(`could not open the store (${m.error.message})`);
      else if (m.type === 'done' || m.type === 'failed') {
        const batch = sent.get(m.id);
        sent.delete(m.id);
        if (m.type === 'done') batch?.resolve();
        else batch?.reject(new Error(m.error.message));
      }
    });
    worker.on('error', (e) => fail(`stopped (${e.message})`));
    worker.on('exit', (code) => fail(`exited (code ${code})`));
    const limit = options.startTimeoutMs ?? START_TIMEOUT_MS;
    const timer = setTimeout(() => { fail(`did not start within ${limit / 1000} s`); void worker.terminate(); }, limit);
    worker.once('message', () => clearTimeout(timer));
    worker.once('exit', () => clearTimeout(timer));
  });
  if (!(await started)) return null;
  return {
    appendLogs(workspaceId, rows) {
      if (rows.length === 0) return Promise.resolve();
      if (gone !== null || closing) return options.fallback(workspaceId, rows);
      return new Promise<void>((resolve, reject) => {
        const id = nextId++;
        sent.set(id, { workspaceId, rows, resolve, reject });
        worker.postMessage({ type: 'append', id, workspaceId, rows: [...rows] } satisfies LogWriterMessageIn);
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      if (gone !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { void worker.terminate(); }, 30_000);
        worker.once('exit', () => { clearTimeout(timer); resolve(); });
        worker.postMessage({ type: 'close' } satisfies LogWriterMessageIn);
      });
    },
  };
}
