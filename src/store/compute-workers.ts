import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ComputeJob, ComputePool, ComputeWorkers, PopulationPage, TraitsJob, TraitsPage } from '../profiles/compute-service.js';
import type { RfmScore } from '../profiles/rfm.js';
import type { WorkerMessageIn, WorkerMessageOut } from './compute-worker.js';
import type { Store, StoreConfig } from './store.js';
import { workerEntry } from './worker-entry.js';

/** A failure of a worker thread (it could not start, or it died). */
export class ComputeWorkerError extends Error {
  override readonly name = 'ComputeWorkerError';
}

interface Thread {
  index: number;
  worker: Worker;
  /** Tasks sent and not answered, by id. */
  tasks: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
  /** The job whose shared figures this worker holds. */
  jobId: number | null;
  /** Set once the thread is gone (exited or crashed): why. */
  gone: Error | null;
}

/**
 * The recompute job's worker threads (`ComputeWorkers`, the port of compute-service.ts):
 * `workers` threads per job, each with its own connection to the same store — SQLite in WAL
 * mode lets them read while one writes (writers take turns on SQLite's lock, waiting on
 * busy_timeout), PostgreSQL gives each its own small pool. Threads start with the job and
 * stop after it, so an idle server holds none. `workers` is the default size (one per core
 * when not given). With a store no other connection can see (in-memory SQLite), `start`
 * returns null and the job runs in the calling thread.
 *
 * Each job's shared figures (workspace, `now`, pass-2 figures) go to a worker once, with its
 * first page of that job; pages go to the worker with the fewest in flight. A worker that
 * throws fails that page; a worker that dies fails its pages and every later one.
 *
 * @example
 * const compute = createComputeService({ repository, clock, workers: computeWorkers(store, { workers: 2 }) });
 */
export function computeWorkers(store: Store, options: { workers?: number } = {}): ComputeWorkers {
  return {
    defaultSize: options.workers ?? availableParallelism(),
    async start(size: number): Promise<ComputePool | null> {
      const config = store.shareableConfig;
      if (size < 1 || config === null) return null;
      const threadConfig: StoreConfig = config.engine === 'postgres' ? { ...config, maxConnections: Math.min(4, config.maxConnections ?? 4) } : config;
      const entry = workerEntry(import.meta.url, 'compute-worker');
      const threads: Thread[] = [];
      const started = Array.from({ length: size }, (_, i) => startThread(i + 1, threadConfig, entry, threads));
      const outcomes = await Promise.allSettled(started);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed !== undefined) {
        await Promise.allSettled(threads.map((t) => t.worker.terminate()));
        throw failed.reason;
      }
      return pool(threads);
    },
  };
}

function startThread(index: number, config: StoreConfig, entry: URL, threads: Thread[]): Promise<void> {
  // A larger young generation: the job allocates many short-lived objects per page (rows,
  // orders, parsed states, trait values), and scavenges of a small one cost ~20% of its time.
  const worker = new Worker(entry, { workerData: { store: config }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  const thread: Thread = { index, worker, tasks: new Map(), jobId: null, gone: null };
  threads.push(thread);
  return new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      if (thread.gone !== null) return;
      thread.gone = error;
      for (const task of thread.tasks.values()) task.reject(error);
      thread.tasks.clear();
      reject(error);
    };
    worker.on('message', (m: WorkerMessageOut) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'failed-to-start') fail(new ComputeWorkerError(`compute worker ${index} could not open the store: ${m.error.message}`));
      else if (m.type === 'done' || m.type === 'failed') {
        const task = thread.tasks.get(m.taskId);
        thread.tasks.delete(m.taskId);
        if (m.type === 'done') task?.resolve(m.result);
        else task?.reject(Object.assign(new Error(m.error.message), { stack: m.error.stack ?? m.error.message }));
      }
    });
    worker.on('error', (error) => fail(new ComputeWorkerError(`compute worker ${index} stopped: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => fail(new ComputeWorkerError(`compute worker ${index} exited (code ${code})`)));
  });
}

let nextJobId = 1;
let nextTaskId = 1;

function pool(threads: Thread[]): ComputePool {
  const jobIds = new WeakMap<object, number>();
  const send = <T>(job: ComputeJob, task: (jobId: number, taskId: number) => WorkerMessageIn): Promise<T> => {
    const dead = threads.find((t) => t.gone !== null);
    if (dead !== undefined) return Promise.reject(dead.gone!);
    const thread = threads.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
    let jobId = jobIds.get(job);
    if (jobId === undefined) jobIds.set(job, (jobId = nextJobId++));
    if (thread.jobId !== jobId) {
      thread.worker.postMessage({ type: 'job', jobId, job } satisfies WorkerMessageIn);
      thread.jobId = jobId;
    }
    const taskId = nextTaskId++;
    return new Promise<T>((resolve, reject) => {
      thread.tasks.set(taskId, { resolve: resolve as (v: unknown) => void, reject });
      thread.worker.postMessage(task(jobId, taskId));
    });
  };
  return {
    size: threads.length,
    population: (job, ids) => send<PopulationPage>(job, (jobId, taskId) => ({ type: 'task', taskId, jobId, kind: 'population', ids: [...ids] })),
    traits: (job: TraitsJob, ids, rfm: ReadonlyArray<RfmScore | null>) => send<TraitsPage>(job, (jobId, taskId) => ({ type: 'task', taskId, jobId, kind: 'traits', ids: [...ids], rfm: [...rfm] })),
    async close() {
      await Promise.all(threads.map((t) => new Promise<void>((resolve) => {
        if (t.gone !== null) { resolve(); return; }
        const timer = setTimeout(() => { void t.worker.terminate(); }, 30_000);
        t.worker.once('exit', () => { clearTimeout(timer); resolve(); });
        t.worker.postMessage({ type: 'close' } satisfies WorkerMessageIn);
      })));
    },
  };
}
