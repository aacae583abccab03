import cluster from 'node:cluster';

/** Which worker of `tailor serve --workers N` this process is (1-based), or null outside a cluster. */
export function workerIndex(): number | null {
  if (!cluster.isWorker) return null;
  const n = Number(process.env.TAILOR_WORKER_INDEX);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * The young generation of a serving worker, in MiB per semi-space (Node's default is 16).
 * Serving allocates many short-lived objects per request while it keeps a large, long-lived
 * person cache; with the default, more of them survive into the old generation, whose
 * collections come more often and take the event loop for 100 – 500 ms at 1,500 – 2,000
 * requests/s (bench/recs-serving; docs/benchmarks.md).
 */
export const WORKER_SEMI_SPACE_MB = 32;

/**
 * The Node options a worker starts with: the primary's, plus `--max-semi-space-size` unless
 * the primary's options or `NODE_OPTIONS` set it already. Pure.
 *
 * @example
 * workerExecArgv([], undefined); // ['--max-semi-space-size=32']
 */
export function workerExecArgv(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(a));
  return given ? [...execArgv] : [...execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`];
}

/**
 * `tailor serve --workers N`: the primary process forks N workers that run the same command
 * and share the listening socket (Node's cluster module), so requests are spread over the
 * cores. Each worker keeps its own serving state and caches; the store is shared (SQLite in
 * WAL mode serializes writers with its own lock, PostgreSQL takes many connections). Worker 1
 * also runs the scheduled jobs. Workers start with a larger young generation
 * (`workerExecArgv`). A worker that dies is replaced; SIGINT/SIGTERM stop them all
 * gracefully. Resolves with the URL once every worker listens.
 *
 * @example
 * const { url } = await runWorkers({ workers: 2, log: console.error });
 */
export function runWorkers(options: { workers: number; log: (message: string) => void }): Promise<{ url: string }> {
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
  return new Promise((resolve, reject) => {
    let stopping = false;
    let url: string | null = null;
    const listening = new Set<number>();
    const start = (index: number) => {
      const worker = cluster.fork({ TAILOR_WORKER_INDEX: String(index) });
      worker.on('message', (m: unknown) => {
        const message = m as { type?: string; url?: string };
        if (message.type !== 'listening' || typeof message.url !== 'string') return;
        url ??= message.url;
        listening.add(index);
        if (listening.size === options.workers) resolve({ url });
      });
      worker.on('exit', (code, signal) => {
        if (stopping) return;
        if (url === null) {
          // Not serving yet (a port in use, a bad setting): the others would fail alike, and
          // while they run the primary cannot exit — stop them and report.
          stopping = true;
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
          reject(new Error(`worker ${index} exited before listening (code ${code ?? signal})`));
          return;
        }
        options.log(`worker ${index} exited (${code ?? signal}); starting a new one`);
        start(index);
      });
    };
    for (let i = 1; i <= options.workers; i++) start(i);
    const stop = () => {
      if (stopping) return;
      stopping = true;
      const workers = Object.values(cluster.workers ?? {});
      let left = workers.length;
      if (left === 0) process.exit(0);
      for (const w of workers) {
        w?.once('exit', () => { if (--left === 0) process.exit(0); });
        w?.process.kill('SIGTERM');
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Tells the primary that this worker listens. */
export function reportListening(url: string): void {
  process.send?.({ type: 'listening', url });
}
