import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { openStore, type Store, type StoreConfig } from './store.js';

/**
 * How to start one of the store's worker-thread entries (`compute-worker`, `log-writer-worker`):
 * the built `.js` file beside the module that asks; or, when that module runs from its
 * TypeScript source (tests, benchmarks), a small module that registers tsx's loader in the
 * worker and then imports the `.ts` entry (Node 20 does not apply loaders given to a worker
 * through `execArgv`).
 *
 * @example
 * new Worker(workerEntry(import.meta.url, 'compute-worker'), { workerData });
 */
export function workerEntry(callerUrl: string, name: string): URL {
  if (!callerUrl.endsWith('.ts')) return new URL(`./${name}.js`, callerUrl);
  // tsx's ESM API (its `tsx/esm/api` export under the `import` condition).
  const tsx = pathToFileURL(join(dirname(createRequire(callerUrl).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const source = `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(new URL(`./${name}.ts`, callerUrl).href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * In one of those threads: opens its own connection to the store the main thread shares
 * (`workerData.store`, no migrations), or reports `failed-to-start` with the reason and exits.
 *
 * @example
 * const store = await openWorkerStore((m) => port.postMessage(m));
 */
export async function openWorkerStore(send: (m: { type: 'failed-to-start'; error: { message: string; stack?: string | undefined } }) => void): Promise<Store> {
  try {
    return await openStore((workerData as { store: StoreConfig }).store, { secondary: true });
  } catch (error) {
    send({ type: 'failed-to-start', error: error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) } });
    process.exit(1);
  }
}
