/**
 * The entry of the recommendation-log writer thread (`log-writer.ts` starts it): opens its
 * own connection to the store the main thread opened and appends the logs it is sent, each
 * batch in one transaction, in the order they arrive.
 *
 * Messages in: `{ type: 'append', id, workspaceId, rows }`, `{ type: 'close' }`. Messages
 * out: `{ type: 'ready' }` or `{ type: 'failed-to-start', error }`, `{ type: 'done', id }`,
 * `{ type: 'failed', id, error }`, `{ type: 'closed' }`.
 */
import { parentPort } from 'node:worker_threads';
import type { RecommendationLogRow } from '../recommend/recommendation-repository.js';
import { recommendationRepositorySql } from './repositories/recommendation-repository-sql.js';
import { openWorkerStore } from './worker-entry.js';

export type LogWriterMessageIn =
  | { type: 'append'; id: number; workspaceId: string; rows: RecommendationLogRow[] }
  | { type: 'close' };

export type LogWriterMessageOut =
  | { type: 'ready' }
  | { type: 'failed-to-start'; error: { message: string; stack?: string | undefined } }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; error: { message: string } }
  | { type: 'closed' };

const port = parentPort;
if (port === null) throw new Error('log-writer-worker.ts runs as a worker thread (see log-writer.ts)');
const send = (m: LogWriterMessageOut) => port.postMessage(m);
const describe = (error: unknown) => ({ message: error instanceof Error ? error.message : String(error) });

const store = await openWorkerStore(send);
const repository = recommendationRepositorySql(store);
// One batch at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: LogWriterMessageIn) => {
  if (m.type === 'close') {
    void queue.then(() => store.close()).finally(() => {
      send({ type: 'closed' });
      port.close();
    });
    return;
  }
  queue = queue.then(() => repository.appendLogs(m.workspaceId, m.rows)).then(
    () => send({ type: 'done', id: m.id }),
    (error: unknown) => send({ type: 'failed', id: m.id, error: describe(error) }),
  );
});
send({ type: 'ready' });
