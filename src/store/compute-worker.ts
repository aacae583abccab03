/**
 * The entry of a recompute worker thread (`compute-workers.ts` starts it): opens its own
 * connection to the store the main thread opened, then computes the pages it is sent with
 * the same functions the calling thread would use (`profiles/compute-pages.ts`).
 *
 * Messages in: `{ type: 'job', jobId, job }` (the figures a job's pages share, sent once per
 * job), `{ type: 'task', taskId, jobId, kind: 'population' | 'traits', ids, rfm? }`,
 * `{ type: 'close' }`. Messages out: `{ type: 'ready' }` or `{ type: 'failed-to-start', error }`,
 * `{ type: 'done', taskId, result }`, `{ type: 'failed', taskId, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { populationOfPage, traitsOfPage, type ComputeJob, type TraitsJob } from '../profiles/compute-pages.js';
import type { RfmScore } from '../profiles/rfm.js';
import { computedTraitRepositorySql } from './repositories/computed-trait-repository-sql.js';
import { openWorkerStore } from './worker-entry.js';

export type WorkerMessageIn =
  | { type: 'job'; jobId: number; job: ComputeJob | TraitsJob }
  | { type: 'task'; taskId: number; jobId: number; kind: 'population'; ids: string[] }
  | { type: 'task'; taskId: number; jobId: number; kind: 'traits'; ids: string[]; rfm: Array<RfmScore | null> }
  | { type: 'close' };

export type WorkerMessageOut =
  | { type: 'ready' }
  | { type: 'failed-to-start'; error: { message: string; stack?: string | undefined } }
  | { type: 'done'; taskId: number; result: unknown }
  | { type: 'failed'; taskId: number; error: { message: string; stack?: string | undefined } }
  | { type: 'closed' };

const port = parentPort;
if (port === null) throw new Error('compute-worker.ts runs as a worker thread (see compute-workers.ts)');
const send = (m: WorkerMessageOut) => port.postMessage(m);
const describe = (error: unknown) => (error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) });

const store = await openWorkerStore(send);
const repository = computedTraitRepositorySql(store);
const jobs = new Map<number, ComputeJob | TraitsJob>();
const pending = new Set<Promise<void>>();

port.on('message', (m: WorkerMessageIn) => {
  if (m.type === 'job') {
    // One job at a time: a new one replaces what the previous one shared.
    jobs.clear();
    jobs.set(m.jobId, m.job);
    return;
  }
  if (m.type === 'close') {
    void Promise.allSettled(pending).then(() => store.close()).finally(() => {
      send({ type: 'closed' });
      port.close();
    });
    return;
  }
  const job = jobs.get(m.jobId);
  const work = job === undefined
    ? Promise.reject(new Error(`compute worker: task for unknown job ${m.jobId}`))
    : m.kind === 'population' ? populationOfPage(repository, job, m.ids) : traitsOfPage(repository, job as TraitsJob, { ids: m.ids, rfm: m.rfm });
  const task: Promise<void> = work.then(
    (result) => send({ type: 'done', taskId: m.taskId, result }),
    (error: unknown) => send({ type: 'failed', taskId: m.taskId, error: describe(error) }),
  ).finally(() => pending.delete(task));
  pending.add(task);
});
send({ type: 'ready' });
