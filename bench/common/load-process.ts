import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './load.js';

const LOAD = fileURLToPath(new URL('./load.ts', import.meta.url));

/**
 * Runs one job of the load generator (`load.ts`) in a process of its own, so that neither the
 * server nor the bench's own work shares its event loop, and resolves with its result.
 *
 * @example
 * const r = await runLoad({ url, method: 'POST', headers, bodies, mode: 'open', concurrency: 0, rate: 200, seconds: 15, warmupSeconds: 2 });
 */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
    child.stdin.end(JSON.stringify(job));
  });
}
